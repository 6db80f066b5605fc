// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

import {JointVentureEscrow} from "../JointVentureEscrow.sol";
import {IJointVentureEscrow} from "../interfaces/IJointVentureEscrow.sol";

/**
 * @title EscrowLens
 * @notice TEST ONLY. Reads everything the escrow's state-machine test checks after a step in one
 * `eth_call` (eth-tester spends most of a call setting the call up, so one call instead of a dozen
 * lets the test run thousands of steps): a venture, its partners' positions and refunds, what it
 * owes, the reserve books and the escrow's balance of the asset.
 */
contract EscrowLens {
    struct Snapshot {
        IJointVentureEscrow.Venture venture;
        IJointVentureEscrow.State effectiveState;
        IJointVentureEscrow.Partner[] positions;
        uint256[] refundable;
        uint256 heldFor;
        uint256 reserved;
        uint256 balance;
    }

    /// @notice The snapshot of venture `ventureId` of `escrow` for `accounts` (its partners).
    function snapshot(JointVentureEscrow escrow, uint256 ventureId, address[] calldata accounts)
        external
        view
        returns (Snapshot memory s)
    {
        s.venture = escrow.venture(ventureId);
        s.effectiveState = escrow.ventureState(ventureId);
        s.positions = new IJointVentureEscrow.Partner[](accounts.length);
        s.refundable = new uint256[](accounts.length);
        for (uint256 k; k < accounts.length; ++k) {
            s.positions[k] = escrow.partner(ventureId, accounts[k]);
            s.refundable[k] = escrow.refundable(ventureId, accounts[k]);
        }
        s.heldFor = escrow.heldFor(ventureId);
        address asset = s.venture.asset;
        s.reserved = escrow.reserved(asset);
        s.balance = asset == address(0) ? address(escrow).balance : IERC20(asset).balanceOf(address(escrow));
    }
}
