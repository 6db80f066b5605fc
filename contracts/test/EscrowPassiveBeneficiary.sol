// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/**
 * @title EscrowPassiveBeneficiary
 * @notice TEST ONLY. Finding 5 of issue 11: a beneficiary that is a contract with no way to call the
 * escrow's `withdraw` — a vesting wallet, a payment splitter, an exchange deposit address. It only
 * receives ether. With pull-only payouts its milestones stayed in the escrow for good; v2 lets anyone
 * push them to it.
 */
contract EscrowPassiveBeneficiary {
    /// @notice Emitted on every ether payment received.
    event Received(address indexed from, uint256 amount);

    receive() external payable {
        emit Received(msg.sender, msg.value);
    }
}
