// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC1155Receiver} from "@openzeppelin/contracts/token/ERC1155/IERC1155Receiver.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

/**
 * @title TitlesReentrantReceiver
 * @notice TEST ONLY. A contract member of the consortium that acts through {execute} and, when it
 * receives ERC-1155 titles, calls {reentryTarget} with {reentryData} (e.g. the exchange's `fill` or
 * `cancel` again). With {bubble} set, a failing re-entry makes the receipt revert with the re-entry's
 * revert data; otherwise the failure is recorded in {reentryFailed} and {reentryError} and the receipt
 * is accepted. Also accepts ether.
 */
contract TitlesReentrantReceiver is IERC1155Receiver {
    address public reentryTarget;
    bytes public reentryData;
    uint256 public reentryValue;
    bool public bubble;
    bool public armed;
    uint256 public reentryAttempts;
    bool public reentryFailed;
    bytes public reentryError;

    /// @notice Raised by {execute} when the call fails without revert data.
    error TitlesReentrantReceiverCallFailed(address target);

    /// @notice Arms the re-entry: on the next receipt, call `target` with `data` and `value` wei.
    function arm(address target, bytes calldata data, uint256 value, bool bubble_) external {
        reentryTarget = target;
        reentryData = data;
        reentryValue = value;
        bubble = bubble_;
        armed = true;
    }

    /// @notice Calls `target` with `data` and `value` wei as this contract; bubbles a revert.
    function execute(address target, bytes calldata data, uint256 value) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call{value: value}(data);
        if (!ok) {
            if (ret.length == 0) revert TitlesReentrantReceiverCallFailed(target);
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return ret;
    }

    function onERC1155Received(address, address, uint256, uint256, bytes calldata) external returns (bytes4) {
        _reenter();
        return this.onERC1155Received.selector;
    }

    function onERC1155BatchReceived(address, address, uint256[] calldata, uint256[] calldata, bytes calldata)
        external
        returns (bytes4)
    {
        _reenter();
        return this.onERC1155BatchReceived.selector;
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IERC1155Receiver).interfaceId || interfaceId == type(IERC165).interfaceId;
    }

    receive() external payable {}

    function _reenter() private {
        if (!armed) return;
        armed = false;
        reentryAttempts += 1;
        (bool ok, bytes memory ret) = reentryTarget.call{value: reentryValue}(reentryData);
        if (!ok) {
            if (bubble) {
                assembly ("memory-safe") {
                    revert(add(ret, 0x20), mload(ret))
                }
            }
            reentryFailed = true;
            reentryError = ret;
        }
    }
}
