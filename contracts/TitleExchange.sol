// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {ERC1155Holder} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Holder.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ConsortiumGated} from "./ConsortiumGated.sol";
import {IConsortium} from "./interfaces/IConsortium.sol";

/**
 * @title TitleExchange
 * @notice Members trade titles of the {TitleRegistry} among themselves, delivery versus payment, with
 * no fee and no operator. A maker offers titles (class and amount) against a payment in ether, in an
 * ERC-20 token, or in titles of another class, to one named member or to any member, until an expiry.
 * The offered titles are escrowed here until the offer is filled, cancelled or reclaimed. A taker fills
 * it — whole, or in part where the offer allows — in one transaction: both legs move or neither.
 *
 * @dev Design decisions:
 *
 * - **Deployment.** Deployed by the registry's constructor: {titles} is the deployer (the registry),
 *   {consortium} is given. No owner, no admin, no fee, nothing governed.
 *
 * - **Rounding of partial fills (exact proportional payment).** An offer of `titleAmount` titles for
 *   `price` (payment units: wei, token base units, or titles of the payment class) is settled on the
 *   cumulative amount filled. After fills totalling `f` titles the taker side has paid, in total,
 *   exactly `ceil(f * price / titleAmount)`. A fill moving the filled amount from `f0` to `f1` therefore
 *   pays `ceil(f1 * price / titleAmount) - ceil(f0 * price / titleAmount)` ({quote}). Consequences:
 *   the payments of all fills of an offer sum to exactly `price` (no dust, nothing lost); each fill pays
 *   its exact proportional share rounded so that the maker is never short, and the rounding never
 *   accumulates (the running total is always the exact share rounded up, off by less than one unit);
 *   when `amount * price` is a multiple of `titleAmount` the payment is exactly `amount * price /
 *   titleAmount`; a small fill may cost one unit more than its share, or nothing when earlier fills'
 *   rounding already paid for it (e.g. 3 titles for 10 wei filled one by one pay 4, 3, 3). The product
 *   is computed at 512 bits ({Math-mulDiv}), so it cannot overflow.
 *
 * - **Payments.** ERC-20 and title payments go straight from the taker to the maker in the fill (the
 *   exchange holds none). Ether payments are pulled: a fill credits the maker, who calls {withdraw}; so
 *   a maker that rejects ether cannot block fills. The exchange therefore holds only the titles of open
 *   offers and the ether owed to makers. An ERC-20 payment must arrive in full: a fee-on-transfer
 *   token that delivers less to the maker makes the fill revert ({TitleExchangePaymentShort}).
 *   Ether forced in without a call (selfdestruct) is not owed to anyone and stays unused.
 *
 * - **Who may do what.** Makers and takers must be current consortium members; a taker must be the
 *   named counterparty if there is one. Only the maker moves escrowed titles back: {cancel} while the
 *   offer is live, {reclaim} once it expired (also when the maker has since been removed from the
 *   consortium). A filled, cancelled or reclaimed offer never fills again.
 *
 * - **Gas.** Every function touches only the offer it names and the accounts involved: no loop, so
 *   the cost does not depend on the number of open offers.
 */
contract TitleExchange is ConsortiumGated, ERC1155Holder, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    /// @notice What the taker pays with.
    enum PaymentKind {
        /// Wei, sent with {fill}; credited to the maker, who withdraws.
        Ether,
        /// An ERC-20 token, transferred from the taker to the maker (the taker approves the exchange).
        Token,
        /// Titles of another class of the registry, transferred from the taker to the maker.
        Title
    }

    /// @notice Life cycle of an offer, as stored. An Open offer past its expiry is reported Expired by {offerState}.
    enum OfferStatus {
        None,
        Open,
        Filled,
        Cancelled,
        Reclaimed,
        Expired
    }

    /// @notice What a maker offers.
    struct OfferTerms {
        /// Class of the titles offered.
        uint256 titleId;
        /// Number of titles offered (escrowed when the offer is made).
        uint256 titleAmount;
        /// What the taker pays with.
        PaymentKind paymentKind;
        /// The ERC-20 token for {PaymentKind.Token}; zero otherwise.
        address paymentToken;
        /// The class paid with for {PaymentKind.Title}; zero otherwise.
        uint256 paymentTitleId;
        /// Payment for all `titleAmount` titles (wei, token base units, or titles).
        uint256 price;
        /// The only member who may fill; zero for any member.
        address counterparty;
        /// Unix timestamp from which the offer can no longer fill.
        uint64 expiry;
        /// Whether the offer may be filled in parts.
        bool allowPartial;
    }

    /// @notice An offer as stored and returned by {offer}.
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
        uint128 titleAmount;
        uint128 filled;
        uint256 price;
    }

    /// @notice The title registry (ERC-1155) whose titles trade here.
    IERC1155 public immutable titles;

    uint256 private _offerCount;
    mapping(uint256 offerId => Offer) private _offers;
    mapping(address maker => uint256) private _proceeds;
    uint256 private _totalProceeds;

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
    /// @notice The maker cancelled `offerId`; `returned` titles went back to it.
    event OfferCancelled(uint256 indexed offerId, uint256 returned);
    /// @notice The maker reclaimed the `returned` titles of expired offer `offerId`.
    event OfferReclaimed(uint256 indexed offerId, uint256 returned);
    /// @notice `maker` withdrew `amount` wei of ether proceeds.
    event ProceedsWithdrawn(address indexed maker, uint256 amount);

    /// @notice `account` is not a current member of the consortium.
    error TitleExchangeNotMember(address account);
    /// @notice No offer has id `offerId`.
    error TitleExchangeUnknownOffer(uint256 offerId);
    /// @notice Offer `offerId` is `status`, not open.
    error TitleExchangeOfferNotOpen(uint256 offerId, OfferStatus status);
    /// @notice Offer `offerId` expired at `expiry`.
    error TitleExchangeOfferExpired(uint256 offerId, uint64 expiry);
    /// @notice Offer `offerId` expires at `expiry`, after the current time `timestamp`: cancel it instead.
    error TitleExchangeOfferNotExpired(uint256 offerId, uint64 expiry, uint256 timestamp);
    /// @notice Only `maker` may do this to `offerId`; `caller` tried.
    error TitleExchangeNotMaker(uint256 offerId, address caller, address maker);
    /// @notice `offerId` is reserved for `counterparty`; `caller` tried to fill it.
    error TitleExchangeWrongCounterparty(uint256 offerId, address caller, address counterparty);
    /// @notice The maker cannot fill its own offer `offerId`.
    error TitleExchangeSelfFill(uint256 offerId);
    /// @notice Filling `amount` titles of `offerId` exceeds the `remaining` ones.
    error TitleExchangeOverfill(uint256 offerId, uint256 amount, uint256 remaining);
    /// @notice `offerId` does not allow partial fills: `amount` must equal the `remaining` titles.
    error TitleExchangePartialFillNotAllowed(uint256 offerId, uint256 amount, uint256 remaining);
    /// @notice A zero amount (titles, price, or fill) is refused.
    error TitleExchangeZeroAmount();
    /// @notice `expiry` is not after the current block's `timestamp`.
    error TitleExchangeInvalidExpiry(uint64 expiry, uint256 timestamp);
    /// @notice The payment fields do not fit `kind`: `reason` says which.
    error TitleExchangeInvalidPayment(PaymentKind kind, string reason);
    /// @notice The fill sent `sent` wei but must send exactly `expected`.
    error TitleExchangeWrongValue(uint256 expected, uint256 sent);
    /// @notice The maker received `received` of `token` instead of `expected` (e.g. a fee-on-transfer token).
    error TitleExchangePaymentShort(address token, uint256 expected, uint256 received);
    /// @notice `account` has no ether proceeds to withdraw.
    error TitleExchangeNothingToWithdraw(address account);
    /// @notice Titles may be sent here only by the registry on behalf of this exchange.
    error TitleExchangeUnexpectedTransfer(address token, address operator);

    /**
     * @notice Binds the exchange to its deployer, the title registry, and to `consortium_`.
     * @param consortium_ The Consortium contract.
     */
    constructor(IConsortium consortium_) ConsortiumGated(consortium_) {
        titles = IERC1155(msg.sender);
    }

    // ------------------------------------------------------------------------------ offers

    /**
     * @notice Offers titles for a payment and escrows them here.
     * @dev Requirements: caller is a member holding the titles; `titleAmount > 0` and `price > 0`
     * (both fit 128 bits, class ids 96 bits); `expiry > block.timestamp`; `counterparty` is zero or a
     * member other than the caller; the payment fields fit `paymentKind`: Ether — token and payment
     * class zero; Token — a token contract, payment class zero; Title — token zero, a payment class
     * different from the offered one. The exchange needs no approval (it is every holder's operator
     * in the registry). Emits {OfferMade} (and the registry's TransferSingle).
     * @return offerId The new offer's id (ids start at 1).
     */
    function makeOffer(OfferTerms calldata terms) external nonReentrant onlyMember returns (uint256 offerId) {
        if (terms.titleAmount == 0 || terms.price == 0) revert TitleExchangeZeroAmount();
        if (terms.expiry <= block.timestamp) revert TitleExchangeInvalidExpiry(terms.expiry, block.timestamp);
        if (terms.counterparty != address(0)) {
            if (terms.counterparty == msg.sender) revert TitleExchangeSelfFill(0);
            _requireMember(terms.counterparty);
        }
        _checkPayment(terms);

        offerId = ++_offerCount;
        _offers[offerId] = Offer({
            maker: msg.sender,
            expiry: terms.expiry,
            allowPartial: terms.allowPartial,
            status: OfferStatus.Open,
            counterparty: terms.counterparty,
            titleId: terms.titleId.toUint96(),
            paymentToken: terms.paymentToken,
            paymentTitleId: terms.paymentTitleId.toUint96(),
            paymentKind: terms.paymentKind,
            titleAmount: terms.titleAmount.toUint128(),
            filled: 0,
            price: terms.price
        });
        emit OfferMade(
            offerId, msg.sender, terms.counterparty, terms.titleId, terms.titleAmount, terms.paymentKind,
            terms.paymentToken, terms.paymentTitleId, terms.price, terms.expiry, terms.allowPartial
        );
        titles.safeTransferFrom(msg.sender, address(this), terms.titleId, terms.titleAmount, "");
    }

    /**
     * @notice Takes `amount` titles of offer `offerId` and pays for them, atomically.
     * @dev Requirements: the offer is open and `block.timestamp < expiry`; caller is a member, not the
     * maker, and the counterparty if one is named; `0 < amount <= remaining`, and `amount == remaining`
     * unless the offer allows partial fills. Payment ({quote}; see the rounding rule above): Ether —
     * `msg.value` exactly the payment, credited to the maker; Token — `msg.value == 0`, the caller
     * approved the exchange for the payment and the maker receives it in full; Title — `msg.value == 0`,
     * the caller holds the payment titles (the maker must still be a member to receive them).
     * Emits {OfferFilled} (and the transfers' events).
     * @return payment What the caller paid.
     */
    function fill(uint256 offerId, uint256 amount) external payable nonReentrant onlyMember returns (uint256 payment) {
        Offer storage o = _openOffer(offerId);
        address maker = o.maker;
        if (block.timestamp >= o.expiry) revert TitleExchangeOfferExpired(offerId, o.expiry);
        if (msg.sender == maker) revert TitleExchangeSelfFill(offerId);
        if (o.counterparty != address(0) && o.counterparty != msg.sender) {
            revert TitleExchangeWrongCounterparty(offerId, msg.sender, o.counterparty);
        }
        if (amount == 0) revert TitleExchangeZeroAmount();
        uint256 total = o.titleAmount;
        uint256 before = o.filled;
        uint256 remaining = total - before; // cannot underflow: filled never exceeds titleAmount
        if (amount > remaining) revert TitleExchangeOverfill(offerId, amount, remaining);
        if (!o.allowPartial && amount != remaining) {
            revert TitleExchangePartialFillNotAllowed(offerId, amount, remaining);
        }
        payment = _paymentBetween(o.price, total, before, before + amount);

        // effects
        unchecked {
            // cannot overflow: before + amount <= titleAmount < 2**128
            o.filled = uint128(before + amount);
            remaining -= amount; // cannot underflow: amount <= remaining
        }
        if (remaining == 0) o.status = OfferStatus.Filled;
        PaymentKind kind = o.paymentKind;
        if (kind == PaymentKind.Ether) {
            if (msg.value != payment) revert TitleExchangeWrongValue(payment, msg.value);
            _proceeds[maker] += payment;
            _totalProceeds += payment;
        } else if (msg.value != 0) {
            revert TitleExchangeWrongValue(0, msg.value);
        }
        emit OfferFilled(offerId, msg.sender, amount, payment, remaining);

        // interactions: payment leg, then delivery leg; either reverting undoes both
        if (kind == PaymentKind.Token) {
            IERC20 token = IERC20(o.paymentToken);
            uint256 balanceBefore = token.balanceOf(maker);
            token.safeTransferFrom(msg.sender, maker, payment);
            uint256 received = token.balanceOf(maker) - balanceBefore;
            if (received != payment) revert TitleExchangePaymentShort(address(token), payment, received);
        } else if (kind == PaymentKind.Title) {
            titles.safeTransferFrom(msg.sender, maker, o.paymentTitleId, payment, "");
        }
        titles.safeTransferFrom(address(this), msg.sender, o.titleId, amount, "");
    }

    /**
     * @notice Cancels live offer `offerId` and returns its unfilled titles to the maker.
     * @dev Requirements: caller is the maker; the offer is open and not expired (use {reclaim} after
     * expiry). Emits {OfferCancelled}.
     */
    function cancel(uint256 offerId) external nonReentrant {
        Offer storage o = _openOffer(offerId);
        if (msg.sender != o.maker) revert TitleExchangeNotMaker(offerId, msg.sender, o.maker);
        if (block.timestamp >= o.expiry) revert TitleExchangeOfferExpired(offerId, o.expiry);
        o.status = OfferStatus.Cancelled;
        uint256 returned = _returnTitles(o);
        emit OfferCancelled(offerId, returned);
    }

    /**
     * @notice Returns the unfilled titles of expired offer `offerId` to its maker.
     * @dev Requirements: caller is the maker; the offer is open and `block.timestamp >= expiry`.
     * Emits {OfferReclaimed}.
     */
    function reclaim(uint256 offerId) external nonReentrant {
        Offer storage o = _openOffer(offerId);
        if (msg.sender != o.maker) revert TitleExchangeNotMaker(offerId, msg.sender, o.maker);
        if (block.timestamp < o.expiry) revert TitleExchangeOfferNotExpired(offerId, o.expiry, block.timestamp);
        o.status = OfferStatus.Reclaimed;
        uint256 returned = _returnTitles(o);
        emit OfferReclaimed(offerId, returned);
    }

    /**
     * @notice Sends the caller all the ether its offers have earned (pull payment).
     * @dev Requirements: the caller has proceeds (membership not required: a removed member is still
     * paid). Emits {ProceedsWithdrawn}.
     * @return amount Wei sent.
     */
    function withdraw() external nonReentrant returns (uint256 amount) {
        amount = _proceeds[msg.sender];
        if (amount == 0) revert TitleExchangeNothingToWithdraw(msg.sender);
        _proceeds[msg.sender] = 0;
        _totalProceeds -= amount;
        emit ProceedsWithdrawn(msg.sender, amount);
        Address.sendValue(payable(msg.sender), amount);
    }

    // ------------------------------------------------------------------------------- views

    /// @notice Number of offers ever made; their ids are 1..offerCount().
    function offerCount() external view returns (uint256) {
        return _offerCount;
    }

    /// @notice Offer `offerId` as stored (its `status` does not say Expired; see {offerState}).
    function offer(uint256 offerId) external view returns (Offer memory) {
        if (offerId == 0 || offerId > _offerCount) revert TitleExchangeUnknownOffer(offerId);
        return _offers[offerId];
    }

    /// @notice Status of `offerId` now: an open offer at or past its expiry is Expired.
    function offerState(uint256 offerId) external view returns (OfferStatus) {
        if (offerId == 0 || offerId > _offerCount) revert TitleExchangeUnknownOffer(offerId);
        Offer storage o = _offers[offerId];
        if (o.status == OfferStatus.Open && block.timestamp >= o.expiry) return OfferStatus.Expired;
        return o.status;
    }

    /**
     * @notice What filling `amount` more titles of `offerId` costs now (the rounding rule above).
     * @dev Requirements: the offer exists and `amount` does not exceed its remaining titles.
     */
    function quote(uint256 offerId, uint256 amount) external view returns (uint256) {
        if (offerId == 0 || offerId > _offerCount) revert TitleExchangeUnknownOffer(offerId);
        Offer storage o = _offers[offerId];
        uint256 remaining = uint256(o.titleAmount) - o.filled;
        if (amount > remaining) revert TitleExchangeOverfill(offerId, amount, remaining);
        return _paymentBetween(o.price, o.titleAmount, o.filled, uint256(o.filled) + amount);
    }

    /// @notice Ether owed to `maker`, withdrawable with {withdraw}.
    function proceeds(address maker) external view returns (uint256) {
        return _proceeds[maker];
    }

    /// @notice Ether owed to all makers together (the exchange's balance is at least this).
    function totalProceeds() external view returns (uint256) {
        return _totalProceeds;
    }

    // ------------------------------------------------------------------ ERC-1155 receiving

    /// @notice Accepts titles only from the registry, moved by this exchange itself (escrow).
    function onERC1155Received(address operator, address, uint256, uint256, bytes memory)
        public
        view
        override
        returns (bytes4)
    {
        if (msg.sender != address(titles) || operator != address(this)) {
            revert TitleExchangeUnexpectedTransfer(msg.sender, operator);
        }
        return this.onERC1155Received.selector;
    }

    /// @notice Refuses batch transfers: the exchange escrows one class per offer.
    function onERC1155BatchReceived(address operator, address, uint256[] memory, uint256[] memory, bytes memory)
        public
        view
        override
        returns (bytes4)
    {
        revert TitleExchangeUnexpectedTransfer(msg.sender, operator);
    }

    // ---------------------------------------------------------------------------- private

    function _openOffer(uint256 offerId) private view returns (Offer storage o) {
        if (offerId == 0 || offerId > _offerCount) revert TitleExchangeUnknownOffer(offerId);
        o = _offers[offerId];
        if (o.status != OfferStatus.Open) revert TitleExchangeOfferNotOpen(offerId, o.status);
    }

    function _returnTitles(Offer storage o) private returns (uint256 returned) {
        returned = uint256(o.titleAmount) - o.filled; // cannot underflow: filled <= titleAmount
        if (returned != 0) titles.safeTransferFrom(address(this), o.maker, o.titleId, returned, "");
    }

    /// @dev `ceil(f1 * price / total) - ceil(f0 * price / total)` for `f0 <= f1 <= total`.
    function _paymentBetween(uint256 price, uint256 total, uint256 f0, uint256 f1) private pure returns (uint256) {
        return Math.mulDiv(f1, price, total, Math.Rounding.Ceil) - Math.mulDiv(f0, price, total, Math.Rounding.Ceil);
    }

    function _checkPayment(OfferTerms calldata terms) private view {
        PaymentKind kind = terms.paymentKind;
        if (kind == PaymentKind.Ether) {
            if (terms.paymentToken != address(0) || terms.paymentTitleId != 0) {
                revert TitleExchangeInvalidPayment(kind, "ether payment takes no token and no class");
            }
        } else if (kind == PaymentKind.Token) {
            if (terms.paymentToken.code.length == 0) {
                revert TitleExchangeInvalidPayment(kind, "payment token is not a contract");
            }
            if (terms.paymentTitleId != 0) revert TitleExchangeInvalidPayment(kind, "token payment takes no class");
        } else {
            if (terms.paymentToken != address(0)) revert TitleExchangeInvalidPayment(kind, "title payment takes no token");
            if (terms.paymentTitleId == 0 || terms.paymentTitleId == terms.titleId) {
                revert TitleExchangeInvalidPayment(kind, "payment class must be another class");
            }
        }
    }

    function _revertNotMember(address account) internal pure override {
        revert TitleExchangeNotMember(account);
    }
}
