// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title The read-batching subset of Multicall3 (https://github.com/mds1/multicall3)
/// @notice Same selectors and encoding as the canonical Multicall3 at
///         0xcA11bde05977b3631167028862bE2a173976CA11, so readers use either.
interface IMulticall3 {
    /// @notice One call of a batch.
    struct Call3 {
        address target;
        bool allowFailure;
        bytes callData;
    }

    /// @notice What one call of a batch returned.
    struct Result {
        bool success;
        bytes returnData;
    }

    /// @notice A call of the batch reverted while its `allowFailure` was false.
    /// @param index Position of the call in the batch.
    error Multicall3CallFailed(uint256 index);

    /// @notice Run `calls` in order, each as a static call, and return each result.
    /// @dev Requirements: every call with `allowFailure == false` succeeds. Unlike the canonical
    ///      deployment it is `view` (static calls, no ether accepted): nothing can change state or
    ///      leave funds through it; the selector and the encoding are the same.
    /// @param calls The calls to run.
    /// @return returnData One result per call, in order.
    function aggregate3(Call3[] calldata calls) external view returns (Result[] memory returnData);

    /// @notice The current block's timestamp.
    /// @return timestamp `block.timestamp`.
    function getCurrentBlockTimestamp() external view returns (uint256 timestamp);

    /// @notice The current block's number.
    /// @return blockNumber `block.number`.
    function getBlockNumber() external view returns (uint256 blockNumber);
}
