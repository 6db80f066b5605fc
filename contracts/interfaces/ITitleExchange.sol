// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/**
 * @title ITitleExchange
 * @notice The title exchange's types, events and errors (see contracts/TitleExchange.sol for the rules
 * of on-chain offers and contracts/TitleExchangeOrders.sol for signed private orders).
 */
interface ITitleExchange {
    // ------------------------------------------------------------------------------------- types

    /// @notice What the taker of an on-chain offer pays with.
    enum PaymentKind {
        /// Wei, sent with {TitleExchange-fill}; credited to the maker, who withdraws.
        Ether,
        /// An ERC-20 token, transferred from the taker to the maker (the taker approves the exchange).
        Token,
        /// Titles of another class of the registry, transferred from the taker to the maker.
        Title
    }

    /// @notice Life cycle of an offer, as stored. An Open offer past its expiry is reported Expired by
    /// {TitleExchange-offerState}.
    enum OfferStatus {
        None,
        Open,
        Filled,
        Cancelled,
        Reclaimed,
        Expired
    }

    /// @notice What a maker offers on chain.
    struct OfferTerms {
        /// Class of the titles offered (fits 96 bits).
        uint256 titleId;
        /// Number of titles offered, escrowed when the offer is made (fits 96 bits).
        uint256 titleAmount;
        /// What the taker pays with.
        PaymentKind paymentKind;
        /// The ERC-20 token for {PaymentKind.Token}; zero otherwise.
        address paymentToken;
        /// The class paid with for {PaymentKind.Title}; zero otherwise.
        uint256 paymentTitleId;
        /// Payment for all `titleAmount` titles: wei, token base units, or titles (fits 160 bits).
        uint256 price;
        /// The only member who may fill; zero for any member.
        address counterparty;
        /// Unix timestamp from which the offer can no longer fill.
        uint64 expiry;
        /// Whether the offer may be filled in parts.
        bool allowPartial;
    }

    /// @notice An offer as returned by {TitleExchange-offer} (stored packed in four slots).
    struct Offer {
        address maker;
        uint64 expiry;
        bool allowPartial;
        OfferStatus status;
        address counterparty;
        uint96 titleId;
        address paymentToken;
        uint96 paymentTitleId;
        PaymentKind paymentKind;
        uint96 titleAmount;
        uint96 filled;
        uint160 price;
    }

    /// @notice A maker's signed private order (EIP-712 type
    /// `Order(address maker,uint256 titleId,uint256 amount,address asset,uint256 price,address taker,uint64 expiry,uint256 nonce,bool partialFills)`):
    /// `amount` titles of class `titleId` from the maker's own balance for `price` of `asset` (an ERC-20,
    /// or zero for ether), to `taker` or to any member (zero), until `expiry`.
    struct Order {
        address maker;
        uint256 titleId;
        uint256 amount;
        address asset;
        uint256 price;
        address taker;
        uint64 expiry;
        uint256 nonce;
        bool partialFills;
    }

    // ------------------------------------------------------------------------------------ events

    /// @notice `maker` escrowed titles in offer `offerId`.
    event OfferMade(
        uint256 indexed offerId,
        address indexed maker,
        address indexed counterparty,
        uint256 titleId,
        uint256 titleAmount,
        PaymentKind paymentKind,
        address paymentToken,
        uint256 paymentTitleId,
        uint256 price,
        uint64 expiry,
        bool allowPartial
    );
    /// @notice `taker` took `amount` titles of `offerId` for `payment`; `remaining` titles stay offered.
    event OfferFilled(uint256 indexed offerId, address indexed taker, uint256 amount, uint256 payment, uint256 remaining);
    /// @notice The maker cancelled `offerId`; `returned` titles went to `to`.
    event OfferCancelled(uint256 indexed offerId, uint256 returned, address to);
    /// @notice The `returned` titles of `offerId` (expired, or its maker no longer a member) went to `to`.
    event OfferReclaimed(uint256 indexed offerId, uint256 returned, address to);
    /// @notice `amount` wei of `maker`'s ether proceeds were sent to `to`.
    event ProceedsWithdrawn(address indexed maker, uint256 amount, address to);
    /// @notice `taker` took `amount` titles of `maker`'s signed order with nonce `nonce` for `payment`;
    /// `filled` titles of the order (struct hash `orderHash`) are taken in total.
    event OrderFilled(
        address indexed maker, uint256 indexed nonce, address indexed taker, bytes32 orderHash, uint256 amount,
        uint256 payment, uint256 filled
    );
    /// @notice `maker` cancelled its signed order with nonce `nonce`.
    event OrderCancelled(address indexed maker, uint256 nonce);
    /// @notice `maker` cancelled all its signed orders with a nonce below `nonce`.
    event OrdersCancelledBelow(address indexed maker, uint256 nonce);

    // ------------------------------------------------------------------------------------ errors

    /// @notice `account` is not a current member of the consortium.
    error TitleExchangeNotMember(address account);
    /// @notice The maker `maker` is no longer a member: its offers and orders cannot be filled.
    error TitleExchangeMakerNotMember(address maker);
    /// @notice No offer has id `offerId`.
    error TitleExchangeUnknownOffer(uint256 offerId);
    /// @notice Offer `offerId` is `status`, not open.
    error TitleExchangeOfferNotOpen(uint256 offerId, OfferStatus status);
    /// @notice Offer `offerId` expired at `expiry`.
    error TitleExchangeOfferExpired(uint256 offerId, uint64 expiry);
    /// @notice Offer `offerId` expires at `expiry`, after the current time `timestamp`, and its maker is
    /// a member: cancel it instead.
    error TitleExchangeOfferNotExpired(uint256 offerId, uint64 expiry, uint256 timestamp);
    /// @notice Only `maker` may do this to `offerId`; `caller` tried.
    error TitleExchangeNotMaker(uint256 offerId, address caller, address maker);
    /// @notice `offerId` is reserved for `counterparty`; `caller` tried to fill it.
    error TitleExchangeWrongCounterparty(uint256 offerId, address caller, address counterparty);
    /// @notice The maker cannot fill its own offer `offerId` (0: an offer being made, or a signed order).
    error TitleExchangeSelfFill(uint256 offerId);
    /// @notice Filling `amount` titles of `offerId` exceeds the `remaining` ones.
    error TitleExchangeOverfill(uint256 offerId, uint256 amount, uint256 remaining);
    /// @notice `offerId` does not allow partial fills: `amount` must equal the `remaining` titles.
    error TitleExchangePartialFillNotAllowed(uint256 offerId, uint256 amount, uint256 remaining);
    /// @notice A zero amount (titles, price, or fill) is refused.
    error TitleExchangeZeroAmount();
    /// @notice `expiry` is not after the current block's `timestamp`.
    error TitleExchangeInvalidExpiry(uint64 expiry, uint256 timestamp);
    /// @notice A payment of `kind` takes no token, but `token` was given.
    error TitleExchangeUnexpectedPaymentToken(PaymentKind kind, address token);
    /// @notice A payment of `kind` takes no payment class, but `paymentTitleId` was given.
    error TitleExchangeUnexpectedPaymentClass(PaymentKind kind, uint256 paymentTitleId);
    /// @notice The payment token `token` is not a contract (or does not answer `balanceOf` with a word).
    error TitleExchangeTokenNotContract(address token);
    /// @notice A payment in titles needs a class `paymentTitleId` other than zero and than the offered `titleId`.
    error TitleExchangeInvalidPaymentClass(uint256 paymentTitleId, uint256 titleId);
    /// @notice The fill costs `payment`, more than the taker's bound `maxPayment`.
    error TitleExchangePaymentAboveMax(uint256 payment, uint256 maxPayment);
    /// @notice The fill sent `sent` wei but needs at least `required` (or exactly 0 for a non-ether payment).
    error TitleExchangeWrongValue(uint256 required, uint256 sent);
    /// @notice The maker received `received` of `token` instead of `expected` (e.g. a fee-on-transfer token).
    error TitleExchangePaymentShort(address token, uint256 expected, uint256 received);
    /// @notice `account` has no ether proceeds to withdraw.
    error TitleExchangeNothingToWithdraw(address account);
    /// @notice The zero address cannot receive titles or ether.
    error TitleExchangeZeroAddress();
    /// @notice Titles may be sent here only by the registry on behalf of this exchange.
    error TitleExchangeUnexpectedTransfer(address token, address operator);
    /// @notice The signature is not `maker`'s signature of the order.
    error TitleExchangeInvalidSignature(address maker);
    /// @notice The signed order with nonce `nonce` of `maker` was filled, cancelled, or is below its
    /// cancellation floor.
    error TitleExchangeNonceUsed(address maker, uint256 nonce);
    /// @notice The signed order expired at `expiry`.
    error TitleExchangeOrderExpired(uint64 expiry, uint256 timestamp);
    /// @notice The signed order is reserved for `taker`; `caller` tried to fill it.
    error TitleExchangeWrongTaker(address caller, address taker);
    /// @notice Taking `amount` titles of a signed order exceeds the `remaining` ones.
    error TitleExchangeOrderOverfill(uint256 amount, uint256 remaining);
    /// @notice The signed order must be taken whole: `amount` must equal its `total` titles.
    error TitleExchangeOrderPartialFillNotAllowed(uint256 amount, uint256 total);
    /// @notice Orders below nonce `floor` are already cancelled: a new floor `nonce` must be above it.
    error TitleExchangeNonceFloorNotRaised(uint256 nonce, uint256 floor);
    /// @notice Raising the floor from `floor` to `nonce` spans too many bitmap words: raise it in steps.
    error TitleExchangeNonceRangeTooLarge(uint256 nonce, uint256 floor);
}
