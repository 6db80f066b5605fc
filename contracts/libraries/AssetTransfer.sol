// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Address} from "@openzeppelin/contracts/utils/Address.sol";

/**
 * @title AssetTransfer
 * @notice Moving one asset of the suite: native ether (`asset == address(0)`) or an ERC-20.
 *
 * - **One fee-on-transfer policy: refuse.** {pullExact} takes exactly `amount` of a token or reverts:
 *   the contract's balance must grow by exactly `amount` (a token that charges a fee, or that credits
 *   less than it says, is refused with {AssetTransferAmountMismatch}), so every amount a contract
 *   records is what it really holds.
 * - **One payout path.** {pay} sends ether with OpenZeppelin's `Address.sendValue` (all gas
 *   forwarded, the receiver's revert bubbled up) and tokens with `SafeERC20.safeTransfer` (tokens
 *   returning no value accepted, tokens returning `false` refused).
 * - {balanceOf} reads a balance of either kind.
 */
library AssetTransfer {
    using SafeERC20 for IERC20;

    /// @notice Pulling `expected` of `token` made the balance grow by `received` instead.
    error AssetTransferAmountMismatch(address token, uint256 expected, uint256 received);

    /// @notice Pays `amount` of `asset` (address(0): ether) to `to`; reverts if the payment fails.
    function pay(address asset, address to, uint256 amount) internal {
        if (asset == address(0)) {
            Address.sendValue(payable(to), amount);
        } else {
            IERC20(asset).safeTransfer(to, amount);
        }
    }

    /**
     * @notice Takes exactly `amount` of `token` from the caller of the current call (`msg.sender`, who
     * approved this contract). Only the payer itself can make a contract pull its tokens.
     * @dev Reverts with {AssetTransferAmountMismatch} unless this contract's balance grew by exactly
     * `amount` (fee-on-transfer, rebasing-down or lying tokens are refused).
     */
    function pullExact(address token, uint256 amount) internal {
        IERC20 erc20 = IERC20(token);
        uint256 before = erc20.balanceOf(address(this));
        erc20.safeTransferFrom(msg.sender, address(this), amount);
        uint256 afterwards = erc20.balanceOf(address(this));
        uint256 received = afterwards > before ? afterwards - before : 0;
        if (received != amount) revert AssetTransferAmountMismatch(token, amount, received);
    }

    /// @notice `account`'s balance of `asset` (address(0): ether).
    function balanceOf(address asset, address account) internal view returns (uint256) {
        return asset == address(0) ? account.balance : IERC20(asset).balanceOf(account);
    }
}
