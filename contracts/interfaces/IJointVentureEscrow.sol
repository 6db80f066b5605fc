// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/**
 * @title IJointVentureEscrow
 * @notice The JointVentureEscrow's functions, types, errors and events, with the behaviour every
 * implementation must have (OpenZeppelin style: the implementation inherits this NatSpec).
 *
 * Joint ventures between consortium members: partners fund a venture together (ether or one
 * ERC-20) and release the money to its beneficiary milestone by milestone, each once `quorum` partners
 * approved it. Whoever can block a release can always get out, and every wei is refunded pro rata of
 * what was not released, exact to the wei. Every per-user action costs the same gas whatever the
 * number of ventures, partners or milestones.
 *
 * @dev Life cycle (states only move forward):
 *
 *     Funding --(every contribution paid; votes reset)--> Active --(last milestone released)--> Completed
 *        |                                                   |
 *        +--(deadline passed, or dissolution vote)--> Cancelled <--(dissolution vote, or long-stop passed)
 *
 * **An exit always exists.**
 * - The dissolution quorum is at most `partners - quorum + 1`: any coalition big enough to block a
 *   release (it withholds `partners - quorum + 1` approvals) is big enough to dissolve. In a 2-of-2
 *   either partner alone can dissolve.
 * - The funding deadline is at most {MAX_FUNDING_PERIOD} (365 days) after creation; past it a Funding
 *   venture *is* Cancelled ({ventureState}) and anyone may write it down ({cancelExpired}).
 * - The long-stop date is after the funding deadline and at most {MAX_LONG_STOP} (5 x 365 days) after
 *   creation; past it any partner may cancel an Active venture ({cancelAfterLongStop}). So no deposit
 *   can be held more than five years after its venture was created against the will of a partner.
 * - Votes are fresh: the votes cast while funding are cleared at activation (a voting round counter,
 *   no loop), and a partner can {withdrawVote}. Thresholds compare with `>=`.
 *
 * **The state machine cannot be re-entered.** Every state-changing function is `nonReentrant`
 * (transient storage, EIP-1153). {deposit} writes its effects before it pulls the tokens.
 *
 * **Money flow, push or pull.** {deposit} takes exactly the amount (a fee-on-transfer token is refused,
 * see {AssetTransfer}). {releaseMilestone} credits the beneficiary; the beneficiary pulls it to an
 * address of its choice ({withdraw}) or anyone pushes it to the recorded beneficiary ({pushWithdrawal}).
 * Once the venture is Cancelled or Completed each partner's refund is pulled ({refund}) or pushed by
 * anyone to the recorded partner ({pushRefund}). Refunds follow the cumulative-floor rule of
 * {CumulativeSplit}: partner `k`'s refund is `paid_k - part_k(released)`, weights the contributions in
 * the order given at creation; the refunds add up to exactly `deposited - released`. `released > 0`
 * only after activation, when every partner paid in full; a venture cancelled while funding returns
 * to each partner exactly what it paid.
 *
 * **Money held for someone is never surplus.** {reserved}`(asset)` is an upper bound of what all
 * ventures in `asset` may owe: a venture reserves its whole total at creation, and anyone may lower its
 * reserve to what it still owes once it stopped funding ({releaseReserve}). Forced ether and stray
 * tokens are surplus: only the consortium (an executed proposal) may sweep `balance - reserved`
 * ({sweepSurplus}), and the sweep reverts if afterwards any asset that a venture reserves has a lower
 * balance than the sweep allows — so a token with a second entry point cannot drain the deposits.
 *
 * Other rules: partners and the creator must be members at creation; a partner removed from the
 * consortium later keeps its rights. The beneficiary may be any address. Plain ether transfers are
 * refused (no `receive`). Amounts are at most 2**112 - 1 base units per venture.
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

    // ------------------------------------------------------------------------------- functions

    /**
     * @notice Creates a venture with `terms` and returns its id (1, 2, ...).
     * - `name`: at most {MAX_NAME_LENGTH} bytes; `asset`: an ERC-20 with code, or address(0) for ether;
     * - `beneficiary`: who the milestones pay (any non-zero address);
     * - `partners`: 1..{MAX_PARTNERS} current members, no duplicates, none zero; their order is the
     *   order of the split rule; `contributions`: what each owes, each > 0, total < 2**112;
     * - `milestones`: 1..{MAX_MILESTONES} amounts, each > 0, summing to at most the total;
     * - `fundingDeadline`: after now, at most now + {MAX_FUNDING_PERIOD};
     * - `longStop`: after `fundingDeadline`, at most now + {MAX_LONG_STOP};
     * - `quorum`: approvals to release a milestone, 1..partners;
     * - `dissolutionQuorum`: votes to dissolve, 1..(partners - quorum + 1).
     * Requirements: the caller is a consortium member; the terms are valid as above.
     */
    function createVenture(VentureTerms memory terms) external returns (uint256 ventureId);

    /**
     * @notice Pays `amount` towards the caller's contribution to venture `ventureId`: exactly `amount`
     * wei as `msg.value` for ether; for a token no ether, and this contract approved for `amount`
     * (exactly `amount` must arrive: fee-on-transfer tokens are refused). When the last contribution
     * is complete the venture becomes Active and the dissolution votes cast while funding are cleared.
     * Requirements: the venture is Funding and its deadline has not passed; the caller is a partner;
     * `0 < amount <= owed - paid`.
     */
    function deposit(uint256 ventureId, uint256 amount) external payable;

    /**
     * @notice Writes down the cancellation of a venture whose funding deadline passed before it was
     * fully funded (a refund does the same on its way). Anyone may call it.
     * Requirements: the venture is stored as Funding and `block.timestamp >= fundingDeadline`.
     */
    function cancelExpired(uint256 ventureId) external;

    /**
     * @notice A partner cancels an Active venture whose long-stop date has passed: no more releases,
     * every partner refunds its share of what was not released.
     * Requirements: the venture is Active; `block.timestamp >= longStop`; the caller is a partner.
     */
    function cancelAfterLongStop(uint256 ventureId) external;

    /**
     * @notice The caller approves milestone `index` of venture `ventureId`; at the quorum the
     * milestone becomes releasable.
     * Requirements: the venture is Active; the caller is a partner and has not approved this milestone;
     * the milestone exists and is not released.
     */
    function approveMilestone(uint256 ventureId, uint256 index) external;

    /**
     * @notice Releases milestone `index` of venture `ventureId`: credits its amount to the beneficiary,
     * to be withdrawn or pushed. Releasing the last milestone completes the venture. Anyone may call it.
     * Requirements: the venture is Active; the milestone exists, reached the quorum and is not released.
     */
    function releaseMilestone(uint256 ventureId, uint256 index) external;

    /**
     * @notice The beneficiary of venture `ventureId` withdraws everything released and not yet paid,
     * to `to`. Works in every state.
     * Requirements: the caller is the beneficiary; `to` is not zero; something is left; the payment succeeds.
     */
    function withdraw(uint256 ventureId, address to) external;

    /**
     * @notice Pays everything released and not yet paid to the recorded beneficiary of venture
     * `ventureId`. Anyone may call it (for a beneficiary contract that cannot call {withdraw}).
     * Requirements: the venture exists; something is left; the payment succeeds.
     */
    function pushWithdrawal(uint256 ventureId) external;

    /**
     * @notice The caller votes to dissolve venture `ventureId`; at the dissolution quorum it is
     * Cancelled: no more releases, partners refund. Votes cast while funding are cleared at activation.
     * Requirements: the venture is Funding (deadline not passed) or Active; the caller is a partner
     * without a standing vote.
     */
    function voteDissolution(uint256 ventureId) external;

    /**
     * @notice The caller withdraws its standing dissolution vote on venture `ventureId`.
     * Requirements: the venture is Funding (deadline not passed) or Active; the caller is a partner
     * with a vote standing in the current round.
     */
    function withdrawVote(uint256 ventureId) external;

    /**
     * @notice The caller takes its refund from venture `ventureId`, paid to `to`: what it paid minus
     * its part of what was released (the split rule above), once. A venture whose funding deadline
     * passed unfunded is cancelled on the way.
     * Requirements: the venture is Cancelled (or its deadline passed unfunded) or Completed; the caller
     * is a partner, not yet refunded, with a refund above zero; `to` is not zero; the payment succeeds.
     */
    function refund(uint256 ventureId, address to) external;

    /**
     * @notice Pays `account`'s refund from venture `ventureId` to `account` itself. Anyone may call it.
     * Requirements: as for {refund}, with `account` in place of the caller.
     */
    function pushRefund(uint256 ventureId, address account) external;

    /**
     * @notice Lowers venture `ventureId`'s reserve (its part of {reserved}) to what it still owes:
     * the beneficiary's unpaid credit plus every refund not yet taken. Anyone may call it; it loops over
     * the venture's partners (at most {MAX_PARTNERS}) and is on no path that moves a partner's money.
     * Requirements: the venture is no longer Funding (effective state) and reserves more than it owes.
     */
    function releaseReserve(uint256 ventureId) external;

    /**
     * @notice Sends `to` what this contract holds of `asset` (address(0): ether) beyond what ventures
     * reserve in it: forced ether, tokens sent directly. Afterwards every asset that a venture reserves
     * must still hold its balance from before (less the sweep itself), else everything reverts.
     * Requirements: called by the consortium (an executed proposal); `to` not zero; there is a surplus.
     */
    function sweepSurplus(address asset, address to) external;

    /// @notice How many ventures were created (ids run from 1 to this).
    function ventureCount() external view returns (uint256);

    /// @notice Venture `ventureId` (its `state` is the stored one; see {ventureState}).
    function venture(uint256 ventureId) external view returns (Venture memory out);

    /// @notice The name venture `ventureId` was created with.
    function ventureName(uint256 ventureId) external view returns (string memory);

    /// @notice The effective state: a Funding venture whose deadline passed is Cancelled.
    function ventureState(uint256 ventureId) external view returns (State);

    /// @notice The partners of venture `ventureId`, in creation order (the split order).
    function partners(uint256 ventureId) external view returns (address[] memory);

    /// @notice `account`'s position in venture `ventureId` (all zero if it is not a partner).
    function partner(uint256 ventureId, address account) external view returns (Partner memory);

    /// @notice Milestone `index` of venture `ventureId`.
    function milestone(uint256 ventureId, uint256 index) external view returns (Milestone memory);

    /// @notice Whether partner `account` approved milestone `index` of venture `ventureId`.
    function hasApproved(uint256 ventureId, uint256 index, address account) external view returns (bool);

    /// @notice What `account` would get from {refund} now (0 if not refundable now or already refunded).
    function refundable(uint256 ventureId, address account) external view returns (uint256);

    /// @notice What venture `ventureId` owes now: the beneficiary's unpaid credit plus every refund
    /// not yet taken (while funding: what the partners paid). Loops over the partners.
    function heldFor(uint256 ventureId) external view returns (uint256);

    /// @notice What ventures reserve in `asset` (address(0): ether): an upper bound of what they owe.
    function reserved(address asset) external view returns (uint256);

    /// @notice The dissolution votes venture `ventureId` needs to be cancelled, and how many stand.
    function dissolutionVotes(uint256 ventureId) external view returns (uint256 needed, uint256 standing);
}
