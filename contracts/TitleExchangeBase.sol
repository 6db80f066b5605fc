// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC1155} from "@openzeppelin/contracts/token/ERC1155/IERC1155.sol";
import {ERC1155Holder} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Holder.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ConsortiumGated} from "./ConsortiumGated.sol";
import {IConsortium} from "./interfaces/IConsortium.sol";
import {ITitleExchange} from "./interfaces/ITitleExchange.sol";
import {CumulativeSplit} from "./libraries/CumulativeSplit.sol";

/**
 * @title TitleExchangeBase
 * @notice What the exchange's on-chain offers ({TitleExchange}) and signed orders
 * ({TitleExchangeOrders}) share: the registry and consortium it is bound to, the payment legs, the
 * exact rounding of partial fills, and the ether proceeds owed to makers (pull, or push by anyone).
 *
 * @dev Design decisions:
 *
 * - **Rounding of partial fills (exact proportional payment).** A sale of `total` titles for `price`
 *   is settled on the cumulative amount taken: after fills totalling `f` titles the takers have paid,
 *   in total, exactly `ceil(f * price / total)`. A fill from `f0` to `f1` taken titles pays
 *   `ceil(f1 * price / total) - ceil(f0 * price / total)`, which equals
 *   `floor((total - f0) * price / total) - floor((total - f1) * price / total)`, i.e. the suite's
 *   {CumulativeSplit-part} of `price` for weight `f1 - f0` after `total - f1`. So the fills of a sale sum
 *   to exactly `price`, each pays its share rounded so that the maker is never short, and the rounding
 *   never accumulates. Products are computed at 512 bits: no overflow.
 *
 * - **Slippage bound instead of an exact value.** A fill names `maxPayment`, the most it pays; an ether
 *   fill sends at least the payment and gets the excess back in the same transaction. A front-run
 *   that moves the rounding by a unit therefore cannot make an honest fill revert unless the payment
 *   passes the taker's own bound.
 *
 * - **Payments.** ERC-20 (and title) payments go straight from the taker to the maker; an ERC-20 must
 *   arrive in full ({TitleExchangePaymentShort}: fee-on-transfer tokens are refused). Ether is credited
 *   to the maker, who {withdraw}s it to an address of its choice, or anyone {pushProceeds} it to the
 *   maker; so a maker that rejects ether cannot block fills, and a maker contract without `receive`
 *   can still get its ether out. Ether forced in without a call (selfdestruct) is owed to nobody.
 */
abstract contract TitleExchangeBase is ITitleExchange, ConsortiumGated, ERC1155Holder, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @notice The title registry (ERC-1155) whose titles trade here: the deployer.
    IERC1155 public immutable titles;

    mapping(address maker => uint256) private _proceeds;
    uint256 private _totalProceeds;

    /// @param consortium_ The Consortium contract.
    constructor(IConsortium consortium_) ConsortiumGated(consortium_) {
        titles = IERC1155(msg.sender);
    }

    /**
     * @notice Sends all the ether the caller's sales have earned to `to` (pull payment).
     * @dev Requirements: the caller has proceeds (membership not required: a removed member is still
     * paid); `to` is not zero and accepts ether. Emits {ProceedsWithdrawn}.
     * @return amount Wei sent.
     */
    function withdraw(address to) external nonReentrant returns (uint256 amount) {
        if (to == address(0)) revert TitleExchangeZeroAddress();
        amount = _payOut(msg.sender, to);
    }

    /**
     * @notice Sends `maker`'s ether proceeds to `maker` itself; anyone may call it.
     * @dev Requirements: `maker` has proceeds and accepts ether. Emits {ProceedsWithdrawn}.
     * @return amount Wei sent.
     */
    function pushProceeds(address maker) external nonReentrant returns (uint256 amount) {
        amount = _payOut(maker, maker);
    }

    /// @notice Ether owed to `maker`, withdrawable with {withdraw}.
    function proceeds(address maker) external view returns (uint256) {
        return _proceeds[maker];
    }

    /// @notice Ether owed to all makers together (the exchange's balance is at least this).
    function totalProceeds() external view returns (uint256) {
        return _totalProceeds;
    }

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

    // ---------------------------------------------------------------------------- internal

    /// @dev The payment of a fill taking a sale of `total` titles for `price` from `f0` to `f1` taken
    /// titles (`f0 <= f1 <= total`): the cumulative ceiling rule above.
    function _paymentBetween(uint256 price, uint256 total, uint256 f0, uint256 f1) internal pure returns (uint256) {
        if (f0 == 0 && f1 == total) return price; // a whole fill: the rule gives exactly the price
        return CumulativeSplit.part(price, total - f1, f1 - f0, total);
    }

    /// @dev Reverts unless `maker` is still a member (an expelled member's sales stop filling).
    function _requireMakerMember(address maker) internal view {
        if (!consortium.isMember(maker)) revert TitleExchangeMakerNotMember(maker);
    }

    /// @dev Reverts unless `payment <= maxPayment`.
    function _checkMax(uint256 payment, uint256 maxPayment) internal pure {
        if (payment > maxPayment) revert TitleExchangePaymentAboveMax(payment, maxPayment);
    }

    /// @dev Takes `payment` wei of `msg.value` for `maker` (credited); returns the excess to refund.
    function _takeEther(address maker, uint256 payment) internal returns (uint256 excess) {
        if (msg.value < payment) revert TitleExchangeWrongValue(payment, msg.value);
        _proceeds[maker] += payment;
        _totalProceeds += payment;
        unchecked {
            excess = msg.value - payment; // cannot underflow: checked above
        }
    }

    /// @dev Reverts if ether was sent with a fill that is not paid in ether.
    function _noEther() internal view {
        if (msg.value != 0) revert TitleExchangeWrongValue(0, msg.value);
    }

    /// @dev Moves `payment` of ERC-20 `token` from the caller to `maker`, in full or not at all: the
    /// maker's balance must rise by exactly `payment` (a fee-on-transfer token is refused).
    function _payToken(address token, address maker, uint256 payment) internal {
        uint256 balanceBefore = _balanceOf(token, maker);
        IERC20(token).safeTransferFrom(msg.sender, maker, payment);
        uint256 received;
        unchecked {
            // wraps only if the balance fell, and then cannot equal `payment` unless the token is a liar
            // that could report any balance anyway
            received = _balanceOf(token, maker) - balanceBefore;
        }
        if (received != payment) revert TitleExchangePaymentShort(token, payment, received);
    }

    /// @dev `token.balanceOf(account)` through scratch memory; bubbles a revert, and reverts with
    /// {TitleExchangeTokenNotContract} when the answer is not a word (no code, or not an ERC-20).
    function _balanceOf(address token, address account) private view returns (uint256 amount) {
        bool answered;
        assembly ("memory-safe") {
            mstore(0x00, 0x70a08231) // balanceOf(address)
            mstore(0x20, and(account, 0xffffffffffffffffffffffffffffffffffffffff))
            let ok := staticcall(gas(), token, 0x1c, 0x24, 0x00, 0x20)
            if iszero(ok) {
                let ptr := mload(0x40)
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            answered := gt(returndatasize(), 0x1f)
            amount := mload(0x00)
        }
        if (!answered) revert TitleExchangeTokenNotContract(token);
    }

    /// @dev Returns excess ether to the caller (last, after both legs).
    function _refund(uint256 excess) internal {
        if (excess != 0) Address.sendValue(payable(msg.sender), excess);
    }

    /// @dev Reverts unless `to` may receive titles returned to `maker`: the maker itself (also when no
    /// longer a member: the titles are its own) or a current member.
    function _checkPayee(address maker, address to) internal view {
        if (to == address(0)) revert TitleExchangeZeroAddress();
        if (to != maker) _requireMember(to);
    }

    function _revertNotMember(address account) internal pure override {
        revert TitleExchangeNotMember(account);
    }

    function _payOut(address maker, address to) private returns (uint256 amount) {
        amount = _proceeds[maker];
        if (amount == 0) revert TitleExchangeNothingToWithdraw(maker);
        _proceeds[maker] = 0;
        _totalProceeds -= amount;
        emit ProceedsWithdrawn(maker, amount, to);
        Address.sendValue(payable(to), amount);
    }
}
