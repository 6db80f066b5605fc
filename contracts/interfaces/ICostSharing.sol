// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/**
 * @title ICostSharing
 * @notice The types, custom errors and events of CostSharing (see contracts/CostSharing.sol for the
 * behaviour). Every error is named with the contract's prefix and carries the values that explain
 * it; every event is in the past tense.
 */
interface ICostSharing {
    // ------------------------------------------------------------------------------------ types

    /// @notice Stored life cycle of a pool ({CostSharing-poolInfo} reports a Live pool past its
    /// `endsAt` as Closed).
    enum PoolStatus {
        /// Created; waiting for every participant to accept its terms. Nobody owes anything.
        Proposed,
        /// Every participant accepted: expenses are submitted, voted, booked and settled.
        Live,
        /// Closed by the approval rule: no expense is booked any more; settlement goes on.
        Closed,
        /// A participant left (or declined) while nothing was booked: the pool is void.
        Dissolved
    }

    /// @notice Life cycle of an expense.
    enum ExpenseStatus {
        /// Submitted, collecting approvals (and rejections).
        Pending,
        /// Approved by the rule: in its period's totals; disputable during the dispute window.
        Booked,
        /// Approvals can no longer reach the rule.
        Rejected,
        /// Withdrawn by its submitter before a decision.
        Withdrawn,
        /// Disputed by the rule within the dispute window: taken out of its period's totals again.
        Reversed
    }

    /// @notice What the participants of a pool agree to, fixed at creation. Its EIP-712 struct hash
    /// ({CostSharing-hashTerms}) is what each participant accepts (on chain or by signature).
    /// @param name Short name of the pool (the R&D programme), 1..64 bytes.
    /// @param asset ERC-20 token, or the zero address for ETH.
    /// @param participants Consortium members, 2..50, in remainder order (see the cumulative-floor rule).
    /// @param sharesBps Their shares in basis points, non-zero, summing to 10,000.
    /// @param approvalBps Approval rule: approvals must come from participants other than the payee
    /// holding strictly more than `approvalBps / 10,000` of those participants' shares (5,000: more
    /// than half). 1..9,999.
    /// @param quorum ...and from at least `min(quorum, number of those participants)` of them; 2..n.
    /// @param disputeWindow Seconds after booking during which the rule can reverse an expense.
    /// @param settlementPeriod Length of a settlement period in seconds: the expenses booked in one
    /// period are settled together once it has ended and its dispute window has passed.
    /// @param duration Seconds from going live until no expense can be booked any more (the long-stop).
    struct Terms {
        string name;
        address asset;
        address[] participants;
        uint16[] sharesBps;
        uint16 approvalBps;
        uint8 quorum;
        uint32 disputeWindow;
        uint32 settlementPeriod;
        uint32 duration;
    }

    /// @notice A participant's EIP-712 signature of `Acceptance(poolId, participant, termsHash, deadline)`
    /// (an ECDSA signature of an EOA, or anything its ERC-1271 wallet accepts).
    struct SignedAcceptance {
        address participant;
        uint256 deadline;
        bytes signature;
    }

    /// @notice A pool as {CostSharing-poolInfo} shows it. Bitmaps are over participant indices (the
    /// order of {CostSharing-participantsOf}). `endsAt` is 0 until the pool is live.
    struct PoolView {
        address creator;
        address asset;
        PoolStatus status;
        uint256 participantCount;
        uint256 approvalBps;
        uint256 quorum;
        uint256 disputeWindow;
        uint256 settlementPeriod;
        uint256 duration;
        uint256 liveAt;
        uint256 endsAt;
        uint256 closedAt;
        uint256 accepted;
        uint256 booked;
        uint256 closeVotes;
        uint256 closeWeight;
        bytes32 termsHash;
    }

    /// @notice An expense as {CostSharing-expense} shows it. `refDigest` is the first 20 bytes of
    /// keccak256 of the reference (the reference itself is in {ExpenseSubmitted}). `objections` are
    /// rejections while the expense is pending and dispute votes once it is booked (bitmaps over
    /// participant indices, weights in basis points).
    struct ExpenseView {
        uint256 poolId;
        address payee;
        uint256 amount;
        bytes32 evidenceHash;
        bytes20 refDigest;
        address submitter;
        ExpenseStatus status;
        uint256 bookedAt;
        uint256 period;
        uint256 approvals;
        uint256 approvalWeight;
        uint256 objections;
        uint256 objectionWeight;
    }

    /// @notice One account's position in one settlement period. A participant owes `owed` (its
    /// cumulative-floor share of the period's total) and has paid `paid` of it; `debt = owed - paid`.
    /// A payee was credited `credit`; its pro-rata part of what the period's debtors paid in is
    /// `entitlement = floor(credit * paidIn / booked)`, of which it withdrew `withdrawn`;
    /// `collectable = entitlement - withdrawn`.
    struct Position {
        uint256 owed;
        uint256 paid;
        uint256 debt;
        uint256 credit;
        uint256 entitlement;
        uint256 withdrawn;
        uint256 collectable;
    }

    // ----------------------------------------------------------------------------------- events

    /// @notice Pool `poolId` was proposed by `creator` with terms hashing to `termsHash`.
    event PoolProposed(
        uint256 indexed poolId, address indexed creator, address indexed asset, bytes32 termsHash, string name
    );
    /// @notice `participant` was offered a seat with `shareBps` in pool `poolId` (in remainder order).
    event SeatOffered(uint256 indexed poolId, address indexed participant, uint256 shareBps);
    /// @notice `participant` accepted the terms of `poolId`, on chain or (`signed`) by an EIP-712 signature.
    event TermsAccepted(uint256 indexed poolId, address indexed participant, bool signed);
    /// @notice Every participant accepted: `poolId` went live at `liveAt`; bookings end at `endsAt`.
    event PoolActivated(uint256 indexed poolId, uint256 liveAt, uint256 endsAt);
    /// @notice `participant` left `poolId`, which had nothing booked.
    event ParticipantLeft(uint256 indexed poolId, address indexed participant);
    /// @notice `poolId` was dissolved: nothing in it binds anyone.
    event PoolDissolved(uint256 indexed poolId);
    /// @notice `participant` voted to close `poolId`; `weight` (basis points) voted so far.
    event CloseVoted(uint256 indexed poolId, address indexed participant, uint256 weight);
    /// @notice `poolId` was closed by the rule at `closedAt`: no expense is booked any more.
    event PoolClosed(uint256 indexed poolId, uint256 closedAt);
    /// @notice The vote of `participant` (no longer a consortium member) on `expenseId` (0: on closing
    /// `poolId`) was discarded when the tally was checked.
    event VoteDiscarded(uint256 indexed poolId, uint256 indexed expenseId, address indexed participant);

    /// @notice Expense `expenseId` was submitted to pool `poolId`.
    event ExpenseSubmitted(
        uint256 indexed expenseId,
        uint256 indexed poolId,
        address indexed submitter,
        address payee,
        uint256 amount,
        bytes32 evidenceHash,
        string ref
    );
    /// @notice `participant` approved `expenseId`; `weight` (basis points) approved so far.
    event ApprovalRecorded(uint256 indexed expenseId, address indexed participant, uint256 weight);
    /// @notice `participant` voted against pending `expenseId`; `weight` rejected so far.
    event RejectionRecorded(uint256 indexed expenseId, address indexed participant, uint256 weight);
    /// @notice `expenseId` was booked in settlement period `period` of `poolId`: `payee` is credited
    /// `amount`, the participants owe their shares of the period's total.
    event ExpenseBooked(
        uint256 indexed expenseId, uint256 indexed poolId, address indexed payee, uint256 amount, uint256 period
    );
    /// @notice `expenseId` was rejected: approvals can no longer reach the rule.
    event ExpenseRejected(uint256 indexed expenseId, uint256 indexed poolId);
    /// @notice `expenseId` was withdrawn by its submitter.
    event ExpenseWithdrawn(uint256 indexed expenseId, uint256 indexed poolId);
    /// @notice `participant` disputed booked `expenseId` at `timestamp` for `reason` (hash of the
    /// reason, e.g. of a document); `weight` disputing so far.
    event ExpenseDisputed(
        uint256 indexed expenseId, address indexed participant, bytes32 reason, uint256 weight, uint256 timestamp
    );
    /// @notice `expenseId` was reversed by the rule: `amount` left period `period`'s totals and the
    /// payee's credit, and its evidence hash is free again.
    event ExpenseReversed(
        uint256 indexed expenseId, uint256 indexed poolId, address indexed payee, uint256 amount, uint256 period
    );

    /// @notice `payer` paid `amount` of `debtor`'s debt for settlement period `period` of `poolId`.
    event PaidIn(uint256 indexed poolId, address indexed debtor, uint256 period, address payer, uint256 amount);
    /// @notice `account` collected `amount` of its pro-rata part for period `period` of `poolId`, sent to `to`.
    event Claimed(uint256 indexed poolId, address indexed account, uint256 period, address to, uint256 amount);

    // ----------------------------------------------------------------------------------- errors

    /// @notice The consortium address given to the constructor has no code.
    error CostSharingInvalidConsortium(address consortium);
    /// @notice `account` is not a member of the consortium.
    error CostSharingNotMember(address account);
    /// @notice A pool needs `min`..`max` participants; `count` were given.
    error CostSharingInvalidParticipantCount(uint256 count, uint256 min, uint256 max);
    /// @notice `participants` addresses but `shares` shares were given.
    error CostSharingLengthMismatch(uint256 participants, uint256 shares);
    /// @notice The zero address is not a valid participant, payee or recipient.
    error CostSharingZeroAddress();
    /// @notice `participant` is listed twice.
    error CostSharingDuplicateParticipant(address participant);
    /// @notice `participant` was given a share of zero.
    error CostSharingZeroShare(address participant);
    /// @notice The shares add up to `total` basis points instead of 10,000.
    error CostSharingSharesNotTotal(uint256 total);
    /// @notice `approvalBps` is outside 1..9,999.
    error CostSharingInvalidApprovalBps(uint256 approvalBps);
    /// @notice `quorum` is outside 2..`participants` (one approval alone never binds the others).
    error CostSharingInvalidQuorum(uint256 quorum, uint256 participants);
    /// @notice A duration of the terms (0: dispute window, 1: settlement period, 2: duration) is
    /// `value` seconds; it must be `min`..`max`.
    error CostSharingInvalidTiming(uint256 which, uint256 value, uint256 min, uint256 max);
    /// @notice A text is `length` bytes long; it must be `min`..`max`.
    error CostSharingInvalidText(uint256 length, uint256 min, uint256 max);
    /// @notice `asset` is neither zero (ETH) nor a contract.
    error CostSharingAssetNotContract(address asset);
    /// @notice No pool has id `poolId`.
    error CostSharingUnknownPool(uint256 poolId);
    /// @notice Pool `poolId` is `status`, which does not allow this.
    error CostSharingWrongPoolStatus(uint256 poolId, PoolStatus status);
    /// @notice Pool `poolId` stopped booking expenses at `endsAt`.
    error CostSharingPoolEnded(uint256 poolId, uint256 endsAt);
    /// @notice `account` is not a participant of pool `poolId`.
    error CostSharingNotParticipant(uint256 poolId, address account);
    /// @notice The terms of `poolId` hash to `expected`, not `given`.
    error CostSharingTermsMismatch(uint256 poolId, bytes32 expected, bytes32 given);
    /// @notice `participant` already accepted the terms of `poolId`.
    error CostSharingAlreadyAccepted(uint256 poolId, address participant);
    /// @notice The acceptance signed by `participant` for `poolId` expired at `deadline`.
    error CostSharingAcceptanceExpired(uint256 poolId, address participant, uint256 deadline);
    /// @notice The acceptance for `poolId` is not validly signed by `participant`.
    error CostSharingInvalidAcceptance(uint256 poolId, address participant);
    /// @notice `count` acceptances were submitted; a pool has at most `max` participants.
    error CostSharingTooManyAcceptances(uint256 count, uint256 max);
    /// @notice Pool `poolId` has `booked` expenses booked: nobody can leave it.
    error CostSharingPoolHasBookings(uint256 poolId, uint256 booked);
    /// @notice No expense has id `expenseId`.
    error CostSharingUnknownExpense(uint256 expenseId);
    /// @notice An amount of zero was given.
    error CostSharingZeroAmount();
    /// @notice `amount` exceeds the largest amount this slot can hold, `max`.
    error CostSharingAmountTooLarge(uint256 amount, uint256 max);
    /// @notice The evidence hash is zero.
    error CostSharingZeroEvidence();
    /// @notice `evidenceHash` is already booked, as expense `expenseId` of pool `poolId`.
    error CostSharingEvidenceAlreadyBooked(bytes32 evidenceHash, uint256 poolId, uint256 expenseId);
    /// @notice `expenseId` is `status`, which does not allow this.
    error CostSharingWrongExpenseStatus(uint256 expenseId, ExpenseStatus status);
    /// @notice `participant` already voted on this (expense `subject`, or closing pool `subject`).
    error CostSharingAlreadyVoted(uint256 subject, address participant);
    /// @notice `participant` is the payee of `expenseId`: it never votes on its own claim.
    error CostSharingOwnClaim(uint256 expenseId, address participant);
    /// @notice Only `submitter` may withdraw `expenseId`; `caller` tried.
    error CostSharingNotSubmitter(uint256 expenseId, address caller, address submitter);
    /// @notice The dispute window of `expenseId` closed at `closedAt`.
    error CostSharingDisputeWindowClosed(uint256 expenseId, uint256 closedAt);
    /// @notice Pool `poolId` has `count` settlement periods; `period` is not one of them.
    error CostSharingInvalidPeriod(uint256 poolId, uint256 period, uint256 count);
    /// @notice Settlement period `period` of `poolId` opens for payments and claims at `opensAt`.
    error CostSharingPeriodNotFinal(uint256 poolId, uint256 period, uint256 opensAt);
    /// @notice `amount` was paid for `debtor` in period `period` of `poolId`, which owes only `debt`.
    error CostSharingOverpayment(uint256 poolId, uint256 period, address debtor, uint256 amount, uint256 debt);
    /// @notice `account` claimed `amount` in period `period` of `poolId`; only `collectable` is.
    error CostSharingClaimExceedsCollectable(
        uint256 poolId, uint256 period, address account, uint256 amount, uint256 collectable
    );
    /// @notice `sent` wei came with the call; `expected` were required.
    error CostSharingWrongValue(uint256 sent, uint256 expected);
    /// @notice `token` delivered `received` instead of `expected` (fee-on-transfer tokens are refused).
    error CostSharingTransferShortfall(address token, uint256 expected, uint256 received);
    /// @notice Sending `amount` wei to `to` failed.
    error CostSharingEtherTransferFailed(address to, uint256 amount);
}
