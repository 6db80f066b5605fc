// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {TitleExchangeBase} from "./TitleExchangeBase.sol";

/**
 * @title TitleExchangeOrders
 * @notice Private negotiation, public settlement: a maker signs an {Order} off chain and hands it to the
 * other member however it likes (a file, a message); nothing of it is on chain until a taker submits
 * it with its payment in {fillOrder}, which moves the maker's titles and the taker's payment together.
 *
 * @dev Design decisions:
 *
 * - **Typed data.** Domain `TitleExchange`, version `2`, the chain id and this exchange's address
 *   (OpenZeppelin {EIP712}, published by `eip712Domain()`, ERC-5267): an order is void on another
 *   chain and on another exchange. Type:
 *   `Order(address maker,uint256 titleId,uint256 amount,address asset,uint256 price,address taker,uint64 expiry,uint256 nonce,bool partialFills)`;
 *   `asset` is an ERC-20 or zero for ether; `taker` zero lets any member take it.
 *
 * - **Signatures.** ECDSA for an EOA maker, as 65-byte `r ‖ s ‖ v` or its 64-byte ERC-2098 form
 *   `r ‖ vs` (the same signature, 32 bytes less calldata), checked with OpenZeppelin's ECDSA, which
 *   refuses malleable (high-s) signatures; for a contract maker whatever its ERC-1271
 *   `isValidSignature` accepts (tried only when the ECDSA check fails). A signature is never an
 *   identifier here: the nonce and the order hash are, so the two encodings of one signature cannot
 *   settle an order twice.
 *
 * - **Gas.** {fillOrder} asks the consortium once for both parties (`areMembers`), reads and writes the
 *   nonce word through one computed slot, hashes the order from its calldata words, and calls the
 *   registry with calldata encoded in place.
 *
 * - **Nonces.** Each order names a nonce of its maker's choice. A nonce serves one order: taking an
 *   order whole (or its last titles) and {cancelOrder} mark it used, in a bitmap of 256 nonces per
 *   storage slot (so a maker's later orders settle on a non-zero slot); {cancelOrdersBelow} voids
 *   every nonce below a floor at once by marking them in the bitmap, so a fill reads one word and no
 *   separate floor. Nonces are meant to be taken in sequence (the library takes the next unused one),
 *   which keeps that sweep short; it marks at most {MAX_CANCEL_WORDS} words per call. A used nonce is
 *   refused ({TitleExchangeNonceUsed}): no reuse after a fill, no replay.
 *
 * - **Partial fills.** An order with `partialFills` may be taken in parts; the titles taken so far are
 *   kept per order hash and each part pays by the same cumulative rounding as on-chain offers, so the
 *   parts sum to exactly `price`.
 *
 * - **Both legs atomic.** The titles come from the maker's own balance (the exchange is every holder's
 *   operator in the registry, see there) and the payment from the taker: ERC-20 straight to the maker,
 *   ether credited to the maker with any excess refunded. If the maker no longer holds the titles, or
 *   no longer is a member, or the payment fails, nothing moves.
 */
abstract contract TitleExchangeOrders is TitleExchangeBase, EIP712 {
    /// @notice EIP-712 type hash of a signed order.
    bytes32 public constant ORDER_TYPEHASH = keccak256(
        "Order(address maker,uint256 titleId,uint256 amount,address asset,uint256 price,address taker,uint64 expiry,uint256 nonce,bool partialFills)"
    );

    /// @notice Most bitmap words (of 256 nonces) one {cancelOrdersBelow} marks.
    uint256 public constant MAX_CANCEL_WORDS = 256;

    mapping(address maker => mapping(uint256 word => uint256 bits)) private _nonceBits;
    mapping(address maker => uint256) private _nonceFloor;
    mapping(bytes32 orderHash => uint256) private _orderFilled;

    constructor() EIP712("TitleExchange", "2") {}

    /**
     * @notice Takes `amount` titles of `order`, signed by its maker, and pays for them, atomically.
     * @dev Requirements: the caller is a member, not the maker, and the order's taker if it names one;
     * the maker is still a member and `signature` is its signature of `order`; `block.timestamp <
     * expiry`; the nonce is neither used nor below the maker's floor; `0 < amount <= remaining`, and
     * `amount == order.amount` unless `partialFills`; the payment ({quoteOrder}) is at most
     * `maxPayment`. Ether (`asset` zero): `msg.value` at least the payment, credited to the maker, the
     * excess refunded to the caller; ERC-20: `msg.value == 0`, the caller approved the exchange and the
     * maker receives the payment in full. The maker holds the titles. `signature` is 65 bytes, 64
     * (ERC-2098) or, for a contract maker, what its ERC-1271 check accepts. Emits {OrderFilled}.
     * @return payment What the caller paid.
     */
    function fillOrder(Order calldata order, bytes calldata signature, uint256 amount, uint256 maxPayment)
        external
        payable
        nonReentrant
        returns (uint256 payment)
    {
        (bytes32 orderHash, uint256 before, uint256 nonceSlot) = _admit(order, signature, amount);
        payment = _record(order, orderHash, before, nonceSlot, amount, maxPayment);
        address maker = order.maker;
        address asset = order.asset;
        // interactions: payment leg, then delivery leg; either reverting undoes both
        if (asset == address(0)) {
            uint256 excess = _takeEther(maker, payment);
            _deliver(maker, order.titleId, amount);
            _refund(excess);
        } else {
            _noEther();
            _payToken(asset, maker, payment);
            _deliver(maker, order.titleId, amount);
        }
    }

    /**
     * @notice Cancels the caller's signed order with nonce `nonce` (it can never be taken again).
     * @dev Requirements: the nonce is not used yet and not below the caller's floor. Anyone may cancel
     * its own nonces (also a removed member). Emits {OrderCancelled}.
     */
    function cancelOrder(uint256 nonce) external {
        if (nonceUsed(msg.sender, nonce)) revert TitleExchangeNonceUsed(msg.sender, nonce);
        _useNonce(msg.sender, nonce);
        emit OrderCancelled(msg.sender, nonce);
    }

    /**
     * @notice Cancels every signed order of the caller whose nonce is below `nonce`.
     * @dev Requirements: `nonce` is above the caller's current floor (the floor only rises) and the
     * nonces between the two span at most {MAX_CANCEL_WORDS} bitmap words (256 nonces each; raise the
     * floor in steps otherwise). Marks those nonces used, so a fill reads one bitmap word only. Emits
     * {OrdersCancelledBelow}.
     */
    function cancelOrdersBelow(uint256 nonce) external {
        uint256 floor = _nonceFloor[msg.sender];
        if (nonce <= floor) revert TitleExchangeNonceFloorNotRaised(nonce, floor);
        uint256 first = floor >> 8;
        uint256 last = (nonce - 1) >> 8;
        if (last - first >= MAX_CANCEL_WORDS) revert TitleExchangeNonceRangeTooLarge(nonce, floor);
        _nonceFloor[msg.sender] = nonce;
        mapping(uint256 => uint256) storage bits = _nonceBits[msg.sender];
        for (uint256 word = first; word <= last; ++word) {
            uint256 mask = type(uint256).max;
            if (word == first) mask &= type(uint256).max << (floor & 0xff);
            if (word == last) mask &= type(uint256).max >> (255 - ((nonce - 1) & 0xff));
            bits[word] |= mask;
        }
        emit OrdersCancelledBelow(msg.sender, nonce);
    }

    // ------------------------------------------------------------------------------- views

    /// @notice The EIP-712 struct hash of `order` (its id in {OrderFilled} and {orderFilled}).
    function hashOrder(Order calldata order) public pure returns (bytes32) {
        return keccak256(abi.encode(ORDER_TYPEHASH, order));
    }

    /// @notice The EIP-712 digest the maker signs for `order`.
    function orderDigest(Order calldata order) external view returns (bytes32) {
        return _hashTypedDataV4(hashOrder(order));
    }

    /// @notice The EIP-712 domain separator (name "TitleExchange", version "2", chain id, this address).
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    /// @notice Whether `maker`'s nonce `nonce` can no longer be used (filled, cancelled, or below the floor).
    function nonceUsed(address maker, uint256 nonce) public view returns (bool) {
        return _nonceBits[maker][nonce >> 8] & (1 << (nonce & 0xff)) != 0;
    }

    /// @notice `maker`'s floor: its orders with a lower nonce are cancelled (and their nonces marked used).
    function nonceFloor(address maker) external view returns (uint256) {
        return _nonceFloor[maker];
    }

    /// @notice Titles taken so far of the partially fillable order `orderHash` (0 for whole-only orders).
    function orderFilled(bytes32 orderHash) external view returns (uint256) {
        return _orderFilled[orderHash];
    }

    /**
     * @notice What taking `amount` more titles of `order` costs now, and the titles that remain (0 once
     * its nonce is used). Does not check the signature, the parties or the expiry.
     * @dev Requirements: `order.amount > 0` and `amount` does not exceed the remaining titles.
     */
    function quoteOrder(Order calldata order, uint256 amount) external view returns (uint256 payment, uint256 remaining) {
        uint256 total = order.amount;
        if (total == 0) revert TitleExchangeZeroAmount();
        uint256 before = order.partialFills ? _orderFilled[hashOrder(order)] : 0;
        remaining = nonceUsed(order.maker, order.nonce) ? 0 : total - before;
        if (amount > remaining) revert TitleExchangeOrderOverfill(amount, remaining);
        payment = _paymentBetween(order.price, total, before, before + amount);
    }

    // ---------------------------------------------------------------------------- private

    /// The checks of {fillOrder} before any effect; returns the order's hash, the titles taken before
    /// and the storage slot of the maker's bitmap word holding the order's nonce.
    function _admit(Order calldata order, bytes calldata signature, uint256 amount)
        private
        view
        returns (bytes32 orderHash, uint256 before, uint256 nonceSlot)
    {
        bool makerIsMember;
        (makerIsMember, nonceSlot) = _checkParties(order);
        uint256 total = order.amount;
        if (amount == 0 || order.price == 0) revert TitleExchangeZeroAmount();
        // {fillOrder} reads every field through the ABI decoder, which reverts on dirty bits, so hashing the
        // raw calldata words gives the canonical struct hash of any order that can settle
        orderHash = _hashOrderCalldata(order);
        if (order.partialFills) {
            before = _orderFilled[orderHash];
            uint256 remaining = total - before; // cannot underflow: the recorded fills never exceed total
            if (amount > remaining) revert TitleExchangeOrderOverfill(amount, remaining);
        } else if (amount != total) {
            revert TitleExchangeOrderPartialFillNotAllowed(amount, total);
        }
        address maker = order.maker;
        if (!makerIsMember) revert TitleExchangeMakerNotMember(maker);
        _checkSignature(maker, _hashTypedDataV4(orderHash), signature);
    }

    /// The caller is a member (one consortium call answers for the caller and the maker), not the maker,
    /// the order's taker if it names one; the order has not expired and its nonce is unused. Returns
    /// whether the maker is a member and the slot of its nonce's bitmap word.
    function _checkParties(Order calldata order) private view returns (bool makerIsMember, uint256 nonceSlot) {
        address maker = order.maker;
        bool takerIsMember;
        (takerIsMember, makerIsMember) = consortium.areMembers(msg.sender, maker);
        if (!takerIsMember) revert TitleExchangeNotMember(msg.sender);
        if (maker == msg.sender) revert TitleExchangeSelfFill(0);
        address taker = order.taker;
        if (taker != address(0) && taker != msg.sender) revert TitleExchangeWrongTaker(msg.sender, taker);
        uint64 expiry = order.expiry;
        if (block.timestamp >= expiry) revert TitleExchangeOrderExpired(expiry, block.timestamp);
        uint256 nonce = order.nonce;
        nonceSlot = _nonceSlot(maker, nonce);
        uint256 bits;
        assembly ("memory-safe") {
            bits := sload(nonceSlot)
        }
        if ((bits >> (nonce & 0xff)) & 1 != 0) revert TitleExchangeNonceUsed(maker, nonce);
    }

    /// `titles.safeTransferFrom(maker, msg.sender, titleId, amount, "")`, encoded in place; bubbles the
    /// registry's revert. The registry deployed this exchange, so it has code (no size check needed).
    function _deliver(address maker, uint256 titleId, uint256 amount) private {
        address registry = address(titles);
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, shl(224, 0xf242432a)) // safeTransferFrom(address,address,uint256,uint256,bytes)
            mstore(add(ptr, 0x04), and(maker, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(add(ptr, 0x24), caller())
            mstore(add(ptr, 0x44), titleId)
            mstore(add(ptr, 0x64), amount)
            mstore(add(ptr, 0x84), 0xa0)
            mstore(add(ptr, 0xa4), 0)
            if iszero(call(gas(), registry, 0, ptr, 0xc4, 0, 0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
        }
    }

    /// The effects of {fillOrder}: the payment (checked against `maxPayment`), the nonce used once the
    /// order is taken whole, the titles taken of a partially fillable order, and {OrderFilled}.
    function _record(
        Order calldata order,
        bytes32 orderHash,
        uint256 before,
        uint256 nonceSlot,
        uint256 amount,
        uint256 maxPayment
    ) private returns (uint256 payment) {
        uint256 total = order.amount;
        uint256 filled = before + amount;
        payment = _paymentBetween(order.price, total, before, filled);
        _checkMax(payment, maxPayment);
        uint256 nonce = order.nonce;
        if (filled == total) {
            uint256 bit = 1 << (nonce & 0xff);
            assembly ("memory-safe") {
                sstore(nonceSlot, or(sload(nonceSlot), bit))
            }
        }
        if (order.partialFills) _orderFilled[orderHash] = filled;
        emit OrderFilled(order.maker, nonce, msg.sender, orderHash, amount, payment, filled);
    }

    /// The struct hash of `order` ({hashOrder}) from its calldata words, without copying field by field.
    /// Sound because the transaction reads every non-`uint256` field through the ABI decoder too (which
    /// reverts on dirty bits): an order whose raw words differ from its decoded fields cannot settle.
    function _hashOrderCalldata(Order calldata order) private pure returns (bytes32 structHash) {
        bytes32 typeHash = ORDER_TYPEHASH;
        assembly ("memory-safe") {
            let ptr := mload(0x40)
            mstore(ptr, typeHash)
            calldatacopy(add(ptr, 0x20), order, 0x120)
            structHash := keccak256(ptr, 0x140)
        }
    }

    /// The storage slot of `_nonceBits[maker][nonce >> 8]`.
    function _nonceSlot(address maker, uint256 nonce) private pure returns (uint256 slot) {
        assembly ("memory-safe") {
            mstore(0x00, and(maker, 0xffffffffffffffffffffffffffffffffffffffff))
            mstore(0x20, _nonceBits.slot)
            mstore(0x20, keccak256(0x00, 0x40))
            mstore(0x00, shr(8, nonce))
            slot := keccak256(0x00, 0x40)
        }
    }

    function _useNonce(address maker, uint256 nonce) private {
        _nonceBits[maker][nonce >> 8] |= 1 << (nonce & 0xff);
    }

    /// Accepts `signature` of `digest` by `maker`: a 65-byte `r ‖ s ‖ v` or 64-byte ERC-2098 `r ‖ vs`
    /// ECDSA signature (OpenZeppelin's ECDSA, low s only), else whatever the maker's ERC-1271
    /// `isValidSignature` accepts.
    function _checkSignature(address maker, bytes32 digest, bytes calldata signature) private view {
        address recovered;
        ECDSA.RecoverError err;
        if (signature.length == 64) {
            bytes32 r;
            bytes32 vs;
            assembly ("memory-safe") {
                r := calldataload(signature.offset)
                vs := calldataload(add(signature.offset, 0x20))
            }
            (recovered, err,) = ECDSA.tryRecover(digest, r, vs);
        } else {
            (recovered, err,) = ECDSA.tryRecoverCalldata(digest, signature);
        }
        if (err != ECDSA.RecoverError.NoError || recovered != maker) {
            if (!SignatureChecker.isValidERC1271SignatureNowCalldata(maker, digest, signature)) {
                revert TitleExchangeInvalidSignature(maker);
            }
        }
    }
}
