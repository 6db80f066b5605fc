// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/**
 * @title IJointVentureEscrow
 * @notice The types, custom errors and events of the JointVentureEscrow (see contracts/JointVentureEscrow.sol
 * for the behaviour). Every error is named with the contract's prefix and carries the values that
 * explain it; every event is in the past tense.
 */
interface IJointVentureEscrow {
    // ------------------------------------------------------------------------------------ types

    /// @notice Stored life cycle of a venture (see {JointVentureEscrow-ventureState} for the effective one).
    enum State {
        /// Partners are paying in; the funding deadline has not passed.
        Funding,
        /// Every contribution is paid; milestones are approved and released.
        Active,
        /// Every milestone was released; partners refund what the milestones did not use.
        Completed,
        /// Deadline missed, dissolved by vote, or cancelled after the long-stop date; partners refund.
        Cancelled
    }

    /// @notice Why a venture was cancelled.
    enum CancelReason {
        /// The funding deadline passed before every contribution was paid.
        DeadlineMissed,
        /// Enough partners (the dissolution quorum) voted to dissolve it.
        Dissolved,
        /// A partner cancelled it after its long-stop date.
        LongStopPassed
    }

    /// @notice Life cycle of a milestone.
    enum MilestoneState {
        /// Approvals below the quorum.
        Pending,
        /// Quorum reached: anyone may release it.
        Releasable,
        /// Credited to the beneficiary (exactly once).
        Released
    }

    /// @notice What {JointVentureEscrow-createVenture} takes (see there for the rules).
    struct VentureTerms {
        string name;
        address asset;
        address beneficiary;
        address[] partners;
        uint256[] contributions;
        uint256[] milestones;
        uint64 fundingDeadline;
        uint64 longStop;
        uint32 quorum;
        uint32 dissolutionQuorum;
    }

    /// @notice A venture as {JointVentureEscrow-venture} shows it. `asset` is address(0) for ether;
    /// `state` is the stored one; `withdrawn = released - withdrawable`; `reserve` is what the venture
    /// still counts towards {JointVentureEscrow-reserved} (an upper bound of what it owes).
    struct Venture {
        address asset;
        address beneficiary;
        address creator;
        uint64 fundingDeadline;
        uint64 longStop;
        uint32 partnerCount;
        uint32 quorum;
        uint32 dissolutionQuorum;
        State state;
        uint32 fundedPartners;
        uint32 dissolutionVotes;
        uint32 milestoneCount;
        uint32 milestonesReleased;
        uint256 total;
        uint256 released;
        uint256 withdrawn;
        uint256 withdrawable;
        uint256 milestoneTotal;
        uint256 reserve;
    }

    /// @notice A partner's position. `index` is its place in the partner list (the split order),
    /// `owedBefore` the contributions of the partners before it (the `C_(k-1)` of the split rule),
    /// `votedDissolution` whether it has a dissolution vote standing in the current voting round.
    struct Partner {
        uint256 owed;
        uint256 paid;
        uint256 owedBefore;
        uint32 index;
        bool refunded;
        bool votedDissolution;
    }

    /// @notice A milestone: the amount it pays, the approvals it has, where it stands.
    struct Milestone {
        uint256 amount;
        uint32 approvals;
        MilestoneState state;
    }

    // ---------------------------------------------------------------------------------- errors

    /// @notice `account` is not a current member of the consortium.
    error JointVentureEscrowNotMember(address account);
    /// @notice Only the consortium (an executed proposal) may call this; `caller` is not it.
    error JointVentureEscrowOnlyConsortium(address caller);
    /// @notice The consortium address given to the constructor has no code.
    error JointVentureEscrowInvalidConsortium(address consortium);
    /// @notice The beneficiary is the zero address.
    error JointVentureEscrowZeroBeneficiary();
    /// @notice Partner number `index` (from 0) is the zero address.
    error JointVentureEscrowZeroPartner(uint256 index);
    /// @notice The address to pay (`to`) is the zero address.
    error JointVentureEscrowZeroRecipient();
    /// @notice The venture's token `asset` has no code.
    error JointVentureEscrowAssetNotContract(address asset);
    /// @notice No venture has id `ventureId`.
    error JointVentureEscrowUnknownVenture(uint256 ventureId);
    /// @notice The venture name is `length` bytes long, more than `max`.
    error JointVentureEscrowInvalidName(uint256 length, uint256 max);
    /// @notice `partners` and `contributions` differ in length.
    error JointVentureEscrowLengthMismatch(uint256 partners, uint256 contributions);
    /// @notice The number of partners `count` is not within 1..`max`.
    error JointVentureEscrowInvalidPartnerCount(uint256 count, uint256 max);
    /// @notice `partner` is listed twice.
    error JointVentureEscrowDuplicatePartner(address partner);
    /// @notice `partner` would owe nothing.
    error JointVentureEscrowZeroContribution(address partner);
    /// @notice The contributions add up to `total`, more than `max`.
    error JointVentureEscrowTotalTooLarge(uint256 total, uint256 max);
    /// @notice The number of milestones `count` is not within 1..`max`.
    error JointVentureEscrowInvalidMilestoneCount(uint256 count, uint256 max);
    /// @notice Milestone `index` has amount zero.
    error JointVentureEscrowZeroMilestone(uint256 index);
    /// @notice The milestones add up to `milestoneTotal`, more than the contributions' `total`.
    error JointVentureEscrowMilestonesExceedTotal(uint256 milestoneTotal, uint256 total);
    /// @notice The release quorum `quorum` is not within 1..`partnerCount`.
    error JointVentureEscrowInvalidQuorum(uint256 quorum, uint256 partnerCount);
    /// @notice The dissolution quorum `dissolutionQuorum` is not within 1..`max` (= partners - quorum + 1).
    error JointVentureEscrowInvalidDissolutionQuorum(uint256 dissolutionQuorum, uint256 max);
    /// @notice The funding deadline `deadline` is not after `timestamp` or is after `latest`.
    error JointVentureEscrowInvalidFundingDeadline(uint256 deadline, uint256 timestamp, uint256 latest);
    /// @notice The long-stop date `longStop` is not after the funding deadline `fundingDeadline` or is after `latest`.
    error JointVentureEscrowInvalidLongStop(uint256 longStop, uint256 fundingDeadline, uint256 latest);
    /// @notice `account` is not a partner of venture `ventureId`.
    error JointVentureEscrowNotPartner(uint256 ventureId, address account);
    /// @notice Venture `ventureId` is in state `state` (effective), which does not allow this.
    error JointVentureEscrowInvalidState(uint256 ventureId, State state);
    /// @notice Venture `ventureId`'s funding deadline `deadline` has not passed yet (now `timestamp`).
    error JointVentureEscrowDeadlineNotPassed(uint256 ventureId, uint256 deadline, uint256 timestamp);
    /// @notice Venture `ventureId`'s long-stop date `longStop` has not passed yet (now `timestamp`).
    error JointVentureEscrowLongStopNotPassed(uint256 ventureId, uint256 longStop, uint256 timestamp);
    /// @notice A deposit of zero into venture `ventureId`.
    error JointVentureEscrowZeroDeposit(uint256 ventureId);
    /// @notice `msg.value` (`value`) does not fit the asset: for ether it must equal `amount`, for a token be zero.
    error JointVentureEscrowWrongValue(uint256 ventureId, uint256 value, uint256 amount);
    /// @notice Depositing `amount` would exceed what `partner` still owes (`remaining`).
    error JointVentureEscrowDepositExceedsOwed(uint256 ventureId, address partner, uint256 amount, uint256 remaining);
    /// @notice Venture `ventureId` has no milestone `index` (it has `count`).
    error JointVentureEscrowUnknownMilestone(uint256 ventureId, uint256 index, uint256 count);
    /// @notice `partner` already approved milestone `index`.
    error JointVentureEscrowAlreadyApproved(uint256 ventureId, uint256 index, address partner);
    /// @notice Milestone `index` was already released.
    error JointVentureEscrowMilestoneAlreadyReleased(uint256 ventureId, uint256 index);
    /// @notice Milestone `index` has `approvals` approvals, below the `quorum`.
    error JointVentureEscrowQuorumNotReached(uint256 ventureId, uint256 index, uint256 approvals, uint256 quorum);
    /// @notice `partner` already has a dissolution vote standing in venture `ventureId`.
    error JointVentureEscrowAlreadyVoted(uint256 ventureId, address partner);
    /// @notice `partner` has no dissolution vote standing in venture `ventureId` to withdraw.
    error JointVentureEscrowNotVoted(uint256 ventureId, address partner);
    /// @notice `caller` is not the beneficiary `beneficiary` of venture `ventureId`.
    error JointVentureEscrowNotBeneficiary(uint256 ventureId, address caller, address beneficiary);
    /// @notice Nothing released to the beneficiary of `ventureId` is left to withdraw.
    error JointVentureEscrowNothingToWithdraw(uint256 ventureId);
    /// @notice `partner` already took its refund from venture `ventureId`.
    error JointVentureEscrowAlreadyRefunded(uint256 ventureId, address partner);
    /// @notice `partner` has nothing to refund from venture `ventureId`.
    error JointVentureEscrowNothingToRefund(uint256 ventureId, address partner);
    /// @notice Venture `ventureId` reserves `reserve`, no more than it owes: nothing to release.
    error JointVentureEscrowNothingToRelease(uint256 ventureId, uint256 reserve);
    /// @notice This contract holds `balance` of `asset`, no more than it reserves for ventures (`reserved`).
    error JointVentureEscrowNoSurplus(address asset, uint256 balance, uint256 reserved);
    /// @notice A sweep moved `asset` that ventures hold: its balance fell to `balance`, below `expected`.
    error JointVentureEscrowSweepTouchedHeld(address asset, uint256 balance, uint256 expected);

    // ---------------------------------------------------------------------------------- events

    /// @notice Venture `ventureId` was created by `creator`; its partners follow as {ContributionSet}
    /// and its milestones as {MilestoneSet}.
    event VentureCreated(
        uint256 indexed ventureId,
        address indexed creator,
        address indexed asset,
        address beneficiary,
        uint256 total,
        uint64 fundingDeadline,
        uint64 longStop,
        uint32 quorum,
        uint32 dissolutionQuorum,
        string name
    );
    /// @notice `partner` (number `index` from 0) owes `amount` to venture `ventureId`.
    event ContributionSet(uint256 indexed ventureId, address indexed partner, uint256 index, uint256 amount);
    /// @notice Milestone `index` of venture `ventureId` pays `amount`.
    event MilestoneSet(uint256 indexed ventureId, uint256 indexed index, uint256 amount);
    /// @notice `partner` deposited `amount`; `paid` is its total so far.
    event Deposited(uint256 indexed ventureId, address indexed partner, uint256 amount, uint256 paid);
    /// @notice Every contribution of venture `ventureId` was paid: it became Active, and the dissolution
    /// votes cast while funding were cleared (a new voting round began).
    event VentureActivated(uint256 indexed ventureId);
    /// @notice `partner` approved milestone `index`; it now has `approvals` approvals.
    event MilestoneApproved(uint256 indexed ventureId, uint256 indexed index, address indexed partner, uint256 approvals);
    /// @notice Milestone `index` reached the quorum and became releasable.
    event MilestoneReleasable(uint256 indexed ventureId, uint256 indexed index);
    /// @notice Milestone `index` was released: `amount` was credited to `beneficiary`.
    event MilestoneReleased(uint256 indexed ventureId, uint256 indexed index, address indexed beneficiary, uint256 amount);
    /// @notice The last milestone of venture `ventureId` was released.
    event VentureCompleted(uint256 indexed ventureId);
    /// @notice `amount` released to `beneficiary` was paid to `to`.
    event Withdrawn(uint256 indexed ventureId, address indexed beneficiary, address to, uint256 amount);
    /// @notice `partner` voted to dissolve venture `ventureId`; `votes` now stand.
    event DissolutionVoted(uint256 indexed ventureId, address indexed partner, uint256 votes);
    /// @notice `partner` withdrew its dissolution vote; `votes` now stand.
    event DissolutionVoteWithdrawn(uint256 indexed ventureId, address indexed partner, uint256 votes);
    /// @notice Venture `ventureId` was cancelled for `reason`.
    event VentureCancelled(uint256 indexed ventureId, CancelReason reason);
    /// @notice `partner`'s refund of `amount` was paid to `to`.
    event Refunded(uint256 indexed ventureId, address indexed partner, address to, uint256 amount);
    /// @notice Venture `ventureId` stopped reserving `amount` of `asset`; it now reserves `reserve`.
    event ReserveReleased(uint256 indexed ventureId, address indexed asset, uint256 amount, uint256 reserve);
    /// @notice The consortium swept `amount` of `asset` that no venture reserved to `to`.
    event SurplusSwept(address indexed asset, address indexed to, uint256 amount);
}
