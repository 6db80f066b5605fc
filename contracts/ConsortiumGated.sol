// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IConsortium} from "./interfaces/IConsortium.sol";

/**
 * @title ConsortiumGated
 * @notice What the consortium's satellite contracts (JointVentureEscrow, CostSharing, TitleRegistry,
 * TitleExchange) share: the consortium they are bound to, fixed at deployment, and the check that an
 * account is one of its current members. Each contract keeps its own custom errors (named with its
 * own prefix): it says how to revert by implementing {_revertNotMember}.
 */
abstract contract ConsortiumGated {
    /// @notice The consortium whose members may use this contract (and whose proposals govern it).
    IConsortium public immutable consortium;

    /// @param consortium_ the Consortium contract (see contracts/Consortium.sol). Checked by the child.
    constructor(IConsortium consortium_) {
        consortium = consortium_;
    }

    /// @dev Only current members of the consortium get through.
    modifier onlyMember() {
        _requireMember(msg.sender);
        _;
    }

    /// @dev Reverts (through {_revertNotMember}) unless `account` is a current member.
    function _requireMember(address account) internal view virtual {
        if (!consortium.isMember(account)) _revertNotMember(account);
    }

    /// @dev Reverts with the contract's own "not a member" error for `account`.
    function _revertNotMember(address account) internal pure virtual;
}
