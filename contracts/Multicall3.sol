// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IMulticall3} from "./interfaces/IMulticall3.sol";

/// @title Multicall3 (read subset): many calls in one `eth_call`
/// @notice Deployed on embedded and dev chains at the canonical Multicall3 address where the chain has
///         none; it holds no funds and no state, and only reads (static calls).
contract Multicall3 is IMulticall3 {
    /// @inheritdoc IMulticall3
    function aggregate3(Call3[] calldata calls) external view returns (Result[] memory returnData) {
        uint256 length = calls.length;
        returnData = new Result[](length);
        for (uint256 i = 0; i < length; ++i) {
            Call3 calldata item = calls[i];
            (bool success, bytes memory data) = item.target.staticcall(item.callData);
            if (!success && !item.allowFailure) revert Multicall3CallFailed(i);
            returnData[i] = Result(success, data);
        }
    }

    /// @inheritdoc IMulticall3
    function getCurrentBlockTimestamp() external view returns (uint256 timestamp) {
        timestamp = block.timestamp;
    }

    /// @inheritdoc IMulticall3
    function getBlockNumber() external view returns (uint256 blockNumber) {
        blockNumber = block.number;
    }
}
