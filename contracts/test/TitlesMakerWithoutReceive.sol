// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC1155Holder} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Holder.sol";

/**
 * @title TitlesMakerWithoutReceive
 * @notice TEST ONLY. A contract member (say, a company's multisig without a `receive` function) that
 * acts through {execute}: it accepts ERC-1155 titles but no ether at all, so any ether pushed to it
 * reverts. Finding 4 of issue 14: with `withdraw(to)` it still gets its proceeds out.
 */
contract TitlesMakerWithoutReceive is ERC1155Holder {
    /// @notice Raised by {execute} when the call fails without revert data.
    error TitlesMakerWithoutReceiveCallFailed(address target);

    /// @notice Calls `target` with `data` as this contract; bubbles a revert.
    function execute(address target, bytes calldata data) external returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call(data);
        if (!ok) {
            if (ret.length == 0) revert TitlesMakerWithoutReceiveCallFailed(target);
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return ret;
    }
}
