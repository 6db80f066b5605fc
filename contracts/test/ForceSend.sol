// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/**
 * @title ForceSend
 * @notice TEST ONLY. Deploying it with `value` wei forces that ETH into `target` without calling
 * it: no receive/fallback/code of `target` runs, so nothing can refuse it. Used to prove that a
 * contract's accounting never relies on its own balance.
 * @dev The constructor creates a throw-away child whose init code is `PUSH20 target; SELFDESTRUCT`
 * (`0x73 <target> 0xff`) with the whole value. Under Cancun (EIP-6780) a SELFDESTRUCT in the creating
 * transaction sends the balance and removes the child. The opcode is written as data rather than
 * Solidity's deprecated `selfdestruct` so that the project compiles without warnings.
 */
contract ForceSend {
    /// @notice Raised when the child could not be created (should not happen).
    error ForceSendFailed(address target, uint256 value);

    /// @notice Emitted once `value` wei were forced into `target`.
    event ForceSent(address indexed target, uint256 value);

    constructor(address payable target) payable {
        bytes memory initCode = abi.encodePacked(bytes1(0x73), target, bytes1(0xff));
        address child;
        assembly ("memory-safe") {
            child := create(callvalue(), add(initCode, 0x20), mload(initCode))
        }
        if (child == address(0)) revert ForceSendFailed(target, msg.value);
        emit ForceSent(target, msg.value);
    }
}
