// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/**
 * @title TitlesRevertingReceiver
 * @notice TEST ONLY. A contract member of the consortium that acts through {execute} but, while
 * {rejecting} is set, refuses every ERC-1155 receipt and every ether payment with
 * {TitlesRevertingReceiverRejected}. Used to prove that one refusing party cannot block others.
 */
contract TitlesRevertingReceiver {
    bool public rejecting = true;

    /// @notice Raised on any receipt while {rejecting}.
    error TitlesRevertingReceiverRejected();
    /// @notice Raised by {execute} when the call fails without revert data.
    error TitlesRevertingReceiverCallFailed(address target);

    /// @notice Turns refusing on or off.
    function setRejecting(bool rejecting_) external {
        rejecting = rejecting_;
    }

    /// @notice Calls `target` with `data` and `value` wei as this contract; bubbles a revert.
    function execute(address target, bytes calldata data, uint256 value) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call{value: value}(data);
        if (!ok) {
            if (ret.length == 0) revert TitlesRevertingReceiverCallFailed(target);
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return ret;
    }

    function onERC1155Received(address, address, uint256, uint256, bytes calldata) external view returns (bytes4) {
        if (rejecting) revert TitlesRevertingReceiverRejected();
        return this.onERC1155Received.selector;
    }

    function onERC1155BatchReceived(address, address, uint256[] calldata, uint256[] calldata, bytes calldata)
        external
        view
        returns (bytes4)
    {
        if (rejecting) revert TitlesRevertingReceiverRejected();
        return this.onERC1155BatchReceived.selector;
    }

    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == 0x4e2312e0 || interfaceId == 0x01ffc9a7;
    }

    receive() external payable {
        if (rejecting) revert TitlesRevertingReceiverRejected();
    }
}
