// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/**
 * @title IConsortium
 * @notice What the suite's other contracts read from the consortium, their root of trust: who is a
 * member, and how many approvals a proposal needs. Governed actions elsewhere are guarded by
 * `msg.sender == address(consortium)`, i.e. they run only inside an executed proposal.
 */
interface IConsortium {
    /// @notice Whether `account` is a current member.
    function isMember(address account) external view returns (bool);

    /// @notice Approvals from current members needed to execute a proposal.
    function quorum() external view returns (uint256);
}
