// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {IConsortium} from "./interfaces/IConsortium.sol";
import {TitleExchangeBase} from "./TitleExchangeBase.sol";
import {TitleExchangeOrders} from "./TitleExchangeOrders.sol";

/**
 * @title TitleExchange
 * @notice Members trade titles of the {TitleRegistry} among themselves, delivery versus payment, with
 * no fee and no operator, in two ways:
 *
 * - **the public book**: a maker offers titles (class and amount) on chain against a payment in ether,
 *   in an ERC-20 token, or in titles of another class, to one named member or to any member, until an
 *   expiry; the titles are escrowed here until the offer is filled, cancelled or reclaimed; a taker
 *   fills it, whole or in part where the offer allows, in one transaction: both legs move or neither;
 * - **signed private orders** ({TitleExchangeOrders}): negotiated off chain, settled here in one
 *   transaction, only the executed trade on chain.
 *
 * @dev Design decisions (see also {TitleExchangeBase} for rounding, payments and slippage bounds):
 *
 * - **Deployment.** Deployed by the registry's constructor: {titles} is the deployer (the registry),
 *   {consortium} is given. No owner, no admin, no fee, nothing governed.
 *
 * - **Who may do what.** Makers and takers must be current consortium members; a taker must be the
 *   named counterparty if there is one. An offer whose maker has since been removed from the
 *   consortium cannot be filled ({TitleExchangeMakerNotMember}) and may be reclaimed at once. Only the
 *   maker moves escrowed titles to an address of its choice (itself or a member): {cancel} while the
 *   offer is live, {reclaim} once it expired or the maker was removed; anyone may {reclaim} such an
 *   offer to push its titles back to the maker itself. A filled, cancelled or reclaimed offer never
 *   fills again.
 *
 * - **Storage.** An offer is packed in four slots (maker and class; counterparty, expiry and flags;
 *   amount and price; filled and payment asset — zero for ether offers, so an ether offer writes
 *   three). Hence class ids and amounts fit 96 bits and prices 160 bits ({SafeCast} errors otherwise).
 *   Taking the last titles of an offer only marks it Filled ({offer} reports `filled == titleAmount`).
 *
 * - **Gas.** Every function touches only the offer it names and the accounts involved: no loop, so
 *   the cost does not depend on the number of open offers.
 */
contract TitleExchange is TitleExchangeOrders {
    using SafeCast for uint256;

    struct StoredOffer {
        address maker;
        uint96 titleId;
        address counterparty;
        uint64 expiry;
        OfferStatus status;
        bool allowPartial;
        PaymentKind paymentKind;
        uint96 titleAmount;
        uint160 price;
        uint96 filled;
        /// The payment token (Token) or the payment class id (Title); zero for ether.
        uint160 paymentAsset;
    }

    uint256 private _offerCount;
    mapping(uint256 offerId => StoredOffer) private _offers;

    /**
     * @notice Binds the exchange to its deployer, the title registry, and to `consortium_`.
     * @param consortium_ The Consortium contract.
     */
    constructor(IConsortium consortium_) TitleExchangeBase(consortium_) {}

    // ------------------------------------------------------------------------------ offers

    /**
     * @notice Offers titles for a payment and escrows them here.
     * @dev Requirements: caller is a member holding the titles; `titleAmount > 0` and `price > 0`
     * (amount and class ids fit 96 bits, the price 160 bits); `expiry > block.timestamp`;
     * `counterparty` is zero or a member other than the caller; the payment fields fit `paymentKind`:
     * Ether — token and payment class zero; Token — a token contract, payment class zero; Title —
     * token zero, a payment class different from the offered one. The exchange needs no approval (it
     * is every holder's operator in the registry). Emits {OfferMade} (and the registry's TransferSingle).
     * @return offerId The new offer's id (ids start at 1).
     */
    function makeOffer(OfferTerms calldata terms) external nonReentrant onlyMember returns (uint256 offerId) {
        if (terms.titleAmount == 0 || terms.price == 0) revert TitleExchangeZeroAmount();
        if (terms.expiry <= block.timestamp) revert TitleExchangeInvalidExpiry(terms.expiry, block.timestamp);
        if (terms.counterparty != address(0)) {
            if (terms.counterparty == msg.sender) revert TitleExchangeSelfFill(0);
            _requireMember(terms.counterparty);
        }
        uint160 asset = _checkPayment(terms);

        offerId = ++_offerCount;
        StoredOffer storage o = _offers[offerId];
        o.maker = msg.sender;
        o.titleId = terms.titleId.toUint96();
        o.counterparty = terms.counterparty;
        o.expiry = terms.expiry;
        o.status = OfferStatus.Open;
        o.allowPartial = terms.allowPartial;
        o.paymentKind = terms.paymentKind;
        o.titleAmount = terms.titleAmount.toUint96();
        o.price = terms.price.toUint160();
        if (asset != 0) o.paymentAsset = asset;
        emit OfferMade(
            offerId, msg.sender, terms.counterparty, terms.titleId, terms.titleAmount, terms.paymentKind,
            terms.paymentToken, terms.paymentTitleId, terms.price, terms.expiry, terms.allowPartial
        );
        titles.safeTransferFrom(msg.sender, address(this), terms.titleId, terms.titleAmount, "");
    }

    /**
     * @notice Takes `amount` titles of offer `offerId` and pays for them, atomically.
     * @dev Requirements: the offer is open and `block.timestamp < expiry`; its maker is still a member;
     * caller is a member, not the maker, and the counterparty if one is named; `0 < amount <=
     * remaining`, and `amount == remaining` unless the offer allows partial fills; the payment
     * ({quote}; see the rounding rule) is at most `maxPayment`. Ether — `msg.value` at least the
     * payment, credited to the maker, the excess refunded to the caller; Token — `msg.value == 0`, the
     * caller approved the exchange and the maker receives the payment in full; Title — `msg.value ==
     * 0`, the caller holds the payment titles. Emits {OfferFilled} (and the transfers' events).
     * @return payment What the caller paid.
     */
    function fill(uint256 offerId, uint256 amount, uint256 maxPayment)
        external
        payable
        nonReentrant
        onlyMember
        returns (uint256 payment)
    {
        StoredOffer storage o = _openOffer(offerId);
        address maker = o.maker;
        if (block.timestamp >= o.expiry) revert TitleExchangeOfferExpired(offerId, o.expiry);
        if (msg.sender == maker) revert TitleExchangeSelfFill(offerId);
        address counterparty = o.counterparty;
        if (counterparty != address(0) && counterparty != msg.sender) {
            revert TitleExchangeWrongCounterparty(offerId, msg.sender, counterparty);
        }
        if (amount == 0) revert TitleExchangeZeroAmount();
        uint256 total = o.titleAmount;
        uint256 before = o.filled;
        uint256 remaining = total - before; // cannot underflow: filled never exceeds titleAmount
        if (amount > remaining) revert TitleExchangeOverfill(offerId, amount, remaining);
        if (!o.allowPartial && amount != remaining) {
            revert TitleExchangePartialFillNotAllowed(offerId, amount, remaining);
        }
        _requireMakerMember(maker);
        payment = _paymentBetween(o.price, total, before, before + amount);
        _checkMax(payment, maxPayment);

        // effects
        unchecked {
            remaining -= amount; // cannot underflow: amount <= remaining
        }
        if (remaining == 0) {
            o.status = OfferStatus.Filled;
        } else {
            o.filled = uint96(before + amount); // cannot truncate: < titleAmount < 2**96
        }
        PaymentKind kind = o.paymentKind;
        uint256 excess = 0;
        if (kind == PaymentKind.Ether) {
            excess = _takeEther(maker, payment);
        } else {
            _noEther();
        }
        emit OfferFilled(offerId, msg.sender, amount, payment, remaining);

        // interactions: payment leg, then delivery leg; either reverting undoes both
        if (kind == PaymentKind.Token) {
            _payToken(address(o.paymentAsset), maker, payment);
        } else if (kind == PaymentKind.Title) {
            titles.safeTransferFrom(msg.sender, maker, o.paymentAsset, payment, "");
        }
        titles.safeTransferFrom(address(this), msg.sender, o.titleId, amount, "");
        _refund(excess);
    }

    /**
     * @notice Cancels live offer `offerId` and sends its unfilled titles to `to`.
     * @dev Requirements: caller is the maker; the offer is open and not expired (use {reclaim} after
     * expiry); `to` is the maker or a current member. Emits {OfferCancelled}.
     */
    function cancel(uint256 offerId, address to) external nonReentrant {
        StoredOffer storage o = _openOffer(offerId);
        address maker = o.maker;
        if (msg.sender != maker) revert TitleExchangeNotMaker(offerId, msg.sender, maker);
        if (block.timestamp >= o.expiry) revert TitleExchangeOfferExpired(offerId, o.expiry);
        _checkPayee(maker, to);
        o.status = OfferStatus.Cancelled;
        emit OfferCancelled(offerId, _returnTitles(o, to), to);
    }

    /**
     * @notice Sends the unfilled titles of offer `offerId` to `to`, once the offer expired or its maker
     * is no longer a member.
     * @dev Requirements: the offer is open; `block.timestamp >= expiry` or the maker is not a member;
     * the caller is the maker and `to` the maker or a current member, or — anyone — `to` is the maker
     * (pushing the titles back to their owner). Emits {OfferReclaimed}.
     */
    function reclaim(uint256 offerId, address to) external nonReentrant {
        StoredOffer storage o = _openOffer(offerId);
        address maker = o.maker;
        if (block.timestamp < o.expiry && consortium.isMember(maker)) {
            revert TitleExchangeOfferNotExpired(offerId, o.expiry, block.timestamp);
        }
        if (msg.sender != maker && to != maker) revert TitleExchangeNotMaker(offerId, msg.sender, maker);
        _checkPayee(maker, to);
        o.status = OfferStatus.Reclaimed;
        emit OfferReclaimed(offerId, _returnTitles(o, to), to);
    }

    // ------------------------------------------------------------------------------- views

    /// @notice Number of offers ever made; their ids are 1..offerCount().
    function offerCount() external view returns (uint256) {
        return _offerCount;
    }

    /// @notice Offer `offerId` (its `status` does not say Expired; see {offerState}).
    function offer(uint256 offerId) external view returns (Offer memory out) {
        StoredOffer storage o = _known(offerId);
        uint160 asset = o.paymentAsset;
        out = Offer({
            maker: o.maker,
            expiry: o.expiry,
            allowPartial: o.allowPartial,
            status: o.status,
            counterparty: o.counterparty,
            titleId: o.titleId,
            paymentToken: o.paymentKind == PaymentKind.Token ? address(asset) : address(0),
            paymentTitleId: o.paymentKind == PaymentKind.Title ? uint96(asset) : 0,
            paymentKind: o.paymentKind,
            titleAmount: o.titleAmount,
            filled: o.status == OfferStatus.Filled ? o.titleAmount : o.filled,
            price: o.price
        });
    }

    /// @notice Status of `offerId` now: an open offer at or past its expiry is Expired.
    function offerState(uint256 offerId) external view returns (OfferStatus) {
        StoredOffer storage o = _known(offerId);
        if (o.status == OfferStatus.Open && block.timestamp >= o.expiry) return OfferStatus.Expired;
        return o.status;
    }

    /**
     * @notice What filling `amount` more titles of `offerId` costs now (the rounding rule).
     * @dev Requirements: the offer exists and `amount` does not exceed its remaining titles.
     */
    function quote(uint256 offerId, uint256 amount) external view returns (uint256) {
        StoredOffer storage o = _known(offerId);
        uint256 total = o.titleAmount;
        uint256 before = o.status == OfferStatus.Filled ? total : o.filled;
        uint256 remaining = total - before;
        if (amount > remaining) revert TitleExchangeOverfill(offerId, amount, remaining);
        return _paymentBetween(o.price, total, before, before + amount);
    }

    // ---------------------------------------------------------------------------- private

    function _known(uint256 offerId) private view returns (StoredOffer storage o) {
        if (offerId == 0 || offerId > _offerCount) revert TitleExchangeUnknownOffer(offerId);
        o = _offers[offerId];
    }

    function _openOffer(uint256 offerId) private view returns (StoredOffer storage o) {
        o = _known(offerId);
        if (o.status != OfferStatus.Open) revert TitleExchangeOfferNotOpen(offerId, o.status);
    }

    function _returnTitles(StoredOffer storage o, address to) private returns (uint256 returned) {
        returned = uint256(o.titleAmount) - o.filled; // cannot underflow: filled <= titleAmount
        if (returned != 0) titles.safeTransferFrom(address(this), to, o.titleId, returned, "");
    }

    /// The payment asset to store (token address or payment class id; zero for ether) once the payment
    /// fields are checked against the kind.
    function _checkPayment(OfferTerms calldata terms) private view returns (uint160) {
        PaymentKind kind = terms.paymentKind;
        if (kind == PaymentKind.Ether) {
            if (terms.paymentToken != address(0)) revert TitleExchangeUnexpectedPaymentToken(kind, terms.paymentToken);
            if (terms.paymentTitleId != 0) revert TitleExchangeUnexpectedPaymentClass(kind, terms.paymentTitleId);
            return 0;
        }
        if (kind == PaymentKind.Token) {
            if (terms.paymentTitleId != 0) revert TitleExchangeUnexpectedPaymentClass(kind, terms.paymentTitleId);
            if (terms.paymentToken.code.length == 0) revert TitleExchangeTokenNotContract(terms.paymentToken);
            return uint160(terms.paymentToken);
        }
        if (terms.paymentToken != address(0)) revert TitleExchangeUnexpectedPaymentToken(kind, terms.paymentToken);
        if (terms.paymentTitleId == 0 || terms.paymentTitleId == terms.titleId) {
            revert TitleExchangeInvalidPaymentClass(terms.paymentTitleId, terms.titleId);
        }
        return terms.paymentTitleId.toUint96();
    }
}
