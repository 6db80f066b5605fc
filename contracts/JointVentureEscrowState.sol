// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IJointVentureEscrow} from "./interfaces/IJointVentureEscrow.sol";
import {CumulativeSplit} from "./libraries/CumulativeSplit.sol";

/**
 * @title JointVentureEscrowState
 * @notice The JointVentureEscrow's bounds, storage layout and read side: every view of
 * {IJointVentureEscrow} and the internal reads the state-changing functions share (existence,
 * effective state, the cumulative-floor refund, what a venture owes). JointVentureEscrow adds the
 * state-changing functions; nothing else derives from it.
 * @dev Storage is packed so that each per-user action touches as few slots as it can: one slot per
 * partner, one per milestone, the venture header in slots that are read together.
 */
abstract contract JointVentureEscrowState is IJointVentureEscrow {
    /// @notice Most partners a venture may have.
    uint256 public constant MAX_PARTNERS = 100;
    /// @notice Most milestones a venture may have.
    uint256 public constant MAX_MILESTONES = 100;
    /// @notice Longest venture name, in bytes.
    uint256 public constant MAX_NAME_LENGTH = 64;
    /// @notice Latest funding deadline, counted from creation.
    uint256 public constant MAX_FUNDING_PERIOD = 365 days;
    /// @notice Latest long-stop date, counted from creation.
    uint256 public constant MAX_LONG_STOP = 5 * 365 days;

    /// @dev Each hot path touches as few slots as it can (see the comments): issue 11's gas ceilings.
    struct VentureData {
        // slot 0 — read by deposit, refund, vote, payouts
        address asset;
        uint40 fundingDeadline;
        uint40 longStop;
        uint8 partnerCount;
        uint8 quorum;
        // slot 1 — the state machine and the amounts a refund needs
        uint112 total;
        uint112 released;
        State state;
        uint8 fundedPartners;
        uint8 dissolutionVotes;
        uint8 voteRound;
        // slot 2 — `native` (asset is ether) here too, so that an ether payout skips slot 0
        address beneficiary;
        bool native;
        uint8 dissolutionQuorum;
        uint8 milestoneCount;
        uint8 milestonesReleased;
        // slot 3 — alone, so that a payout zeroes a whole slot
        uint112 withdrawable;
        // slot 4
        uint112 milestoneTotal;
        uint112 reserve;
        // slot 5
        address creator;
    }

    /// @dev One slot per partner. `votedRound` is the voting round + 1 of its standing vote (0: none).
    struct PartnerData {
        uint112 owed;
        uint112 paid;
        uint8 index;
        uint8 votedRound;
        bool refunded;
    }

    /// @dev One slot per milestone; `approvedBy` has bit k set when partner number k approved.
    struct MilestoneData {
        uint112 amount;
        uint8 approvals;
        MilestoneState state;
        uint128 approvedBy;
    }

    uint256 internal _ventureCount;
    mapping(uint256 ventureId => VentureData) internal _ventures;
    mapping(uint256 ventureId => string) internal _names;
    mapping(uint256 ventureId => address[]) internal _partnerLists;
    mapping(uint256 ventureId => mapping(address partner => PartnerData)) internal _partners;
    mapping(uint256 ventureId => mapping(address partner => uint256)) internal _owedBefore;
    mapping(uint256 ventureId => mapping(uint256 index => MilestoneData)) internal _milestones;
    mapping(address asset => uint256) internal _reserved;
    address[] internal _assets;
    mapping(address asset => bool) internal _assetListed;

    // ------------------------------------------------------------------------------------ views

    /// @inheritdoc IJointVentureEscrow
    function ventureCount() external view returns (uint256) {
        return _ventureCount;
    }

    /// @inheritdoc IJointVentureEscrow
    function venture(uint256 ventureId) external view returns (Venture memory out) {
        VentureData storage v = _existing(ventureId);
        (out.asset, out.beneficiary, out.creator) = (v.asset, v.beneficiary, v.creator);
        (out.fundingDeadline, out.longStop, out.partnerCount) = (v.fundingDeadline, v.longStop, v.partnerCount);
        (out.quorum, out.dissolutionQuorum, out.state) = (v.quorum, v.dissolutionQuorum, v.state);
        (out.fundedPartners, out.dissolutionVotes) = (v.fundedPartners, v.dissolutionVotes);
        (out.milestoneCount, out.milestonesReleased) = (v.milestoneCount, v.milestonesReleased);
        (out.total, out.released, out.withdrawable) = (v.total, v.released, v.withdrawable);
        (out.withdrawn, out.milestoneTotal, out.reserve) = (v.released - v.withdrawable, v.milestoneTotal, v.reserve);
    }

    /// @inheritdoc IJointVentureEscrow
    function ventureName(uint256 ventureId) external view returns (string memory) {
        _existing(ventureId);
        return _names[ventureId];
    }

    /// @inheritdoc IJointVentureEscrow
    function ventureState(uint256 ventureId) external view returns (State) {
        _existing(ventureId);
        return _effectiveState(ventureId);
    }

    /// @inheritdoc IJointVentureEscrow
    function partners(uint256 ventureId) external view returns (address[] memory) {
        _existing(ventureId);
        return _partnerLists[ventureId];
    }

    /// @inheritdoc IJointVentureEscrow
    function partner(uint256 ventureId, address account) external view returns (Partner memory) {
        VentureData storage v = _existing(ventureId);
        PartnerData storage p = _partners[ventureId][account];
        return Partner(
            p.owed, p.paid, _owedBefore[ventureId][account], p.index, p.refunded,
            p.owed != 0 && p.votedRound == v.voteRound + 1
        );
    }

    /// @inheritdoc IJointVentureEscrow
    function milestone(uint256 ventureId, uint256 index) external view returns (Milestone memory) {
        MilestoneData storage m = _milestone(_existing(ventureId), ventureId, index);
        return Milestone(m.amount, m.approvals, m.state);
    }

    /// @inheritdoc IJointVentureEscrow
    function hasApproved(uint256 ventureId, uint256 index, address account) external view returns (bool) {
        MilestoneData storage m = _milestone(_existing(ventureId), ventureId, index);
        PartnerData storage p = _partners[ventureId][account];
        return p.owed != 0 && m.approvedBy & (uint128(1) << p.index) != 0;
    }

    /// @inheritdoc IJointVentureEscrow
    function refundable(uint256 ventureId, address account) external view returns (uint256) {
        VentureData storage v = _existing(ventureId);
        State state = _effectiveState(ventureId);
        PartnerData storage p = _partners[ventureId][account];
        if ((state != State.Cancelled && state != State.Completed) || p.refunded) return 0;
        return _refundOf(v, ventureId, account, p);
    }

    /// @inheritdoc IJointVentureEscrow
    function heldFor(uint256 ventureId) external view returns (uint256) {
        return _owes(_existing(ventureId), ventureId, _effectiveState(ventureId));
    }

    /// @inheritdoc IJointVentureEscrow
    function reserved(address asset) external view returns (uint256) {
        return _reserved[asset];
    }

    /// @inheritdoc IJointVentureEscrow
    function dissolutionVotes(uint256 ventureId) external view returns (uint256 needed, uint256 standing) {
        VentureData storage v = _existing(ventureId);
        return (v.dissolutionQuorum, v.dissolutionVotes);
    }

    // --------------------------------------------------------------------------------- internal

    function _existing(uint256 ventureId) internal view returns (VentureData storage v) {
        v = _ventures[ventureId];
        if (v.partnerCount == 0) revert JointVentureEscrowUnknownVenture(ventureId);
    }

    function _partnerOf(uint256 ventureId, address account) internal view returns (PartnerData storage p) {
        p = _partners[ventureId][account];
        if (p.owed == 0) {
            _existing(ventureId);
            revert JointVentureEscrowNotPartner(ventureId, account);
        }
    }

    function _milestone(VentureData storage v, uint256 ventureId, uint256 index)
        internal
        view
        returns (MilestoneData storage)
    {
        if (index >= v.milestoneCount) {
            _existing(ventureId);
            revert JointVentureEscrowUnknownMilestone(ventureId, index, v.milestoneCount);
        }
        return _milestones[ventureId][index];
    }

    /// @dev Reverts for unknown ventures: an unknown venture reads as Funding with deadline 0.
    function _effectiveState(uint256 ventureId) internal view returns (State) {
        VentureData storage v = _existing(ventureId);
        State state = v.state;
        if (state == State.Funding && block.timestamp >= v.fundingDeadline) return State.Cancelled;
        return state;
    }

    function _votable(uint256 ventureId) internal view returns (VentureData storage v) {
        v = _ventures[ventureId];
        State state = _effectiveState(ventureId);
        if (state != State.Funding && state != State.Active) revert JointVentureEscrowInvalidState(ventureId, state);
    }

    /// @dev refund_k = paid_k - part_k(released): the cumulative-floor rule of {CumulativeSplit}.
    function _refundOf(VentureData storage v, uint256 ventureId, address account, PartnerData storage p)
        internal
        view
        returns (uint256)
    {
        uint256 released = v.released;
        if (released == 0) return p.paid;
        // released > 0 only after activation, so paid == owed >= part.
        return p.paid - CumulativeSplit.part(released, _owedBefore[ventureId][account], p.owed, v.total);
    }

    /// @dev What the venture owes in `state` (its effective state). Loops over the partners.
    function _owes(VentureData storage v, uint256 ventureId, State state) internal view returns (uint256 owes) {
        if (state == State.Active) return uint256(v.total) - (v.released - v.withdrawable);
        owes = v.withdrawable;
        address[] storage list = _partnerLists[ventureId];
        for (uint256 k; k < list.length; ++k) {
            PartnerData storage p = _partners[ventureId][list[k]];
            if (!p.refunded) owes += _refundOf(v, ventureId, list[k], p);
        }
    }
}
