// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {ConsortiumGated} from "./ConsortiumGated.sol";
import {IConsortium} from "./interfaces/IConsortium.sol";

/**
 * @title CostSharing
 * @notice Shared R&D cost splitting between consortium members. Many cost pools live in this one
 * contract. A pool has participating members with shares in basis points summing to exactly 10,000,
 * an asset (ETH or one ERC-20) and an approval quorum. A participant submits an expense (amount,
 * payee, hash of the evidence document — the document itself never goes on chain — and a short
 * reference); once `quorum` participants approve it the expense is *booked*: the payee is owed the
 * amount and every participant owes its share. Settlement nets positions: a participant with a net
 * debt pays it in (fully or partly), anyone with a net credit withdraws it (pull payment). A
 * participant who paid a supplier directly is the expense's payee and only settles the difference.
 *
 * @dev Design decisions:
 *
 * - **Running totals, never a loop over expenses or participants after creation.** A pool keeps the
 *   total booked `T`; every account keeps `credited` (amounts booked with it as payee), `paidIn` and
 *   `withdrawn`. A participant's `owed` is computed from `T` and its share in O(1). Booking, paying
 *   and claiming therefore cost the same gas whatever the number of expenses booked so far and
 *   whatever the number of participants.
 *
 * - **Position.** `balance = credited + paidIn − owed − withdrawn`. A negative balance is a *debt*
 *   (what {pay} accepts at most), a positive one a *credit* (what {claim} pays out at most). The sum of
 *   all balances of a pool equals what the pool holds, `totalPaidIn − totalWithdrawn`, so a credit is
 *   claimable as soon as, and as far as, the debtors have paid in (first come, first served).
 *
 * - **Remainder rule (cumulative floor).** Participants are ordered as given at creation; participant
 *   `i` owns the basis-point interval `[lower_i, upper_i)` with `lower_1 = 0`,
 *   `upper_i = lower_i + share_i` and `upper_n = 10,000`. After a total `T` has been booked, participant
 *   `i` owes `floor(T · upper_i / 10,000) − floor(T · lower_i / 10,000)`. These amounts telescope: their
 *   sum is `floor(T · 10,000 / 10,000) − 0 = T` *exactly*, and each lies strictly within 1 wei of the
 *   exact share `T · share_i / 10,000`. The share of one expense of amount `A` booked on top of `T` is
 *   `owed_i(T + A) − owed_i(T)` ({shareOfExpense}); summed over the participants it is exactly `A`. So
 *   the wei that do not divide go, for each expense, to the participants whose interval boundary
 *   `T · upper_i / 10,000` crosses a whole wei as the running total grows, and over the life of the
 *   pool nobody bears 1 wei or more beyond (or below) its exact share. For one expense a
 *   participant's part lies within `[floor(A · share_i / 10,000) − 1, floor(A · share_i / 10,000) + 2]`;
 *   so that it is never negative, an expense must be at least {minAmount} =
 *   `ceil(10,000 / smallest share)` base units (5 for 50/30/20; 10,000 when someone holds 1 basis
 *   point), i.e. large enough that every participant's exact part is at least one unit.
 *
 * - **Evidence hashes are single-use per pool.** Once an expense with a given evidence hash has been
 *   submitted to a pool — whether it was then booked, rejected or withdrawn — no expense with that hash
 *   can be submitted to that pool again: one document, at most one booking. A corrected document has a
 *   different hash.
 *
 * - **Votes.** Each participant votes once per expense: approve or reject. The expense is booked when
 *   approvals reach the quorum, and rejected as soon as rejections exceed `participants − quorum`
 *   (approvals could no longer reach the quorum). The submitter votes like any other participant; its
 *   submission is not an approval. Only the submitter may withdraw a pending expense.
 *
 * - **Tokens.** ERC-20 transfers use SafeERC20 (tokens returning nothing work; tokens returning
 *   `false` revert). A token that delivers less than the amount sent (fee on transfer) is refused with
 *   {CostSharingTransferShortfall}, so the accounting stays exact to the wei. Ether sent to this
 *   contract other than through {pay} (e.g. by `selfdestruct`) is never counted: accounting uses the
 *   running totals, never `balance`.
 *
 * - **Membership.** The consortium is consulted when a pool is created (creator and participants must
 *   be members) and when an expense is submitted (the submitter must be a member still). Approving,
 *   paying and claiming need only the pool role, so a company leaving the consortium can still settle.
 *   No function of this contract is privileged: the deployer has no role.
 *
 * - {multicall} (OpenZeppelin) batches calls in one transaction (e.g. approving several expenses) or
 *   many views in one `eth_call`. It is not payable, so ether cannot be paid in through it; each inner
 *   call keeps the caller and its own checks.
 */
contract CostSharing is ConsortiumGated, ReentrancyGuardTransient, Multicall {
    using SafeERC20 for IERC20;

    /// @notice Life cycle of an expense.
    enum ExpenseStatus {
        /// Submitted, collecting votes.
        Pending,
        /// Approved by the quorum: shares are owed, the payee is credited.
        Booked,
        /// Rejected: approvals can no longer reach the quorum.
        Rejected,
        /// Withdrawn by its submitter before a decision.
        Withdrawn
    }

    /// @notice A participant's vote on an expense.
    enum Vote {
        None,
        Approved,
        Rejected
    }

    /// @notice A pool as stored, with its running totals.
    struct Pool {
        address asset;
        uint16 participantCount;
        uint16 quorum;
        uint16 minShare;
        uint48 createdAt;
        address creator;
        uint256 totalBooked;
        uint256 totalPaidIn;
        uint256 totalWithdrawn;
        string name;
    }

    /// @notice An expense as stored. `bookedBefore` is the pool's total booked just before this expense
    /// was booked (0 until booked); with it each participant's share of the expense is computed.
    struct Expense {
        address payee;
        uint64 poolId;
        ExpenseStatus status;
        uint16 approvals;
        address submitter;
        uint16 rejections;
        uint64 submittedAt;
        uint256 amount;
        bytes32 evidenceHash;
        uint256 bookedBefore;
        string ref;
    }

    /// @notice An account's position in a pool (participant or external payee), amounts in the asset's
    /// smallest unit. `debt` and `credit` are derived: at most one of them is non-zero.
    struct Position {
        uint256 owed;
        uint256 credited;
        uint256 paidIn;
        uint256 withdrawn;
        uint256 debt;
        uint256 credit;
    }

    struct Participant {
        uint16 share;
        uint16 lower;
    }

    struct Account {
        uint256 credited;
        uint256 paidIn;
        uint256 withdrawn;
    }

    /// @notice Shares are in basis points of this total.
    uint256 public constant TOTAL_SHARES = 10_000;
    /// @notice Most participants in one pool.
    uint256 public constant MAX_PARTICIPANTS = 200;
    /// @notice Longest pool name and expense reference, in bytes.
    uint256 public constant MAX_TEXT_LENGTH = 64;

    uint256 private _poolCount;
    uint256 private _expenseCount;
    mapping(uint256 poolId => Pool) private _pools;
    mapping(uint256 poolId => address[]) private _participants;
    mapping(uint256 poolId => mapping(address account => Participant)) private _shares;
    mapping(uint256 poolId => mapping(address account => Account)) private _accounts;
    mapping(uint256 expenseId => Expense) private _expenses;
    mapping(uint256 expenseId => mapping(address participant => Vote)) private _votes;
    mapping(uint256 poolId => mapping(bytes32 evidenceHash => uint256 expenseId)) private _evidence;

    // ---------------------------------------------------------------- events

    /// @notice Pool `poolId` was created by `creator` for `asset` (zero = ETH) with `quorum`.
    event PoolCreated(uint256 indexed poolId, address indexed creator, address indexed asset, uint256 quorum, string name);
    /// @notice `participant` joined pool `poolId` with `shareBps` basis points.
    event ParticipantJoined(uint256 indexed poolId, address indexed participant, uint256 shareBps);
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
    /// @notice `participant` approved `expenseId`; `approvals` counted afterwards.
    event ExpenseApproved(uint256 indexed expenseId, address indexed participant, uint256 approvals);
    /// @notice `participant` voted against `expenseId`; `rejections` counted afterwards.
    event RejectionRecorded(uint256 indexed expenseId, address indexed participant, uint256 rejections);
    /// @notice `expenseId` was rejected: approvals can no longer reach the quorum.
    event ExpenseRejected(uint256 indexed expenseId, uint256 indexed poolId);
    /// @notice `expenseId` was withdrawn by its submitter.
    event ExpenseWithdrawn(uint256 indexed expenseId, uint256 indexed poolId);
    /// @notice `expenseId` was booked in `poolId`: `payee` is credited `amount`, the participants owe
    /// their shares. `bookedBefore` is the pool's total booked just before it.
    event ExpenseBooked(
        uint256 indexed expenseId, uint256 indexed poolId, address indexed payee, uint256 amount, uint256 bookedBefore
    );
    /// @notice `account` paid `amount` into `poolId`; `debtAfter` is what it still owes.
    event PaidIn(uint256 indexed poolId, address indexed account, uint256 amount, uint256 debtAfter);
    /// @notice `account` withdrew `amount` of its credit in `poolId` to `to`; `creditAfter` is left.
    event Claimed(uint256 indexed poolId, address indexed account, address to, uint256 amount, uint256 creditAfter);

    // ---------------------------------------------------------------- errors

    /// @notice The consortium address given to the constructor has no code.
    error CostSharingInvalidConsortium(address consortium);
    /// @notice `account` is not a member of the consortium.
    error CostSharingNotMember(address account);
    /// @notice A pool needs 1 to {MAX_PARTICIPANTS} participants; `count` were given.
    error CostSharingInvalidParticipantCount(uint256 count, uint256 max);
    /// @notice `participants` addresses but `shares` shares were given.
    error CostSharingLengthMismatch(uint256 participants, uint256 shares);
    /// @notice The zero address is not a valid participant, payee or recipient.
    error CostSharingZeroAddress();
    /// @notice `participant` is listed twice.
    error CostSharingDuplicateParticipant(address participant);
    /// @notice `participant` was given a share of zero.
    error CostSharingZeroShare(address participant);
    /// @notice The shares add up to `total` basis points instead of {TOTAL_SHARES}.
    error CostSharingSharesNotTotal(uint256 total);
    /// @notice `quorum` is outside 1..`participants`.
    error CostSharingInvalidQuorum(uint256 quorum, uint256 participants);
    /// @notice A text is `length` bytes long; it must be `min`..`max`.
    error CostSharingInvalidText(uint256 length, uint256 min, uint256 max);
    /// @notice `asset` is neither zero (ETH) nor a contract.
    error CostSharingAssetNotContract(address asset);
    /// @notice No pool has id `poolId`.
    error CostSharingUnknownPool(uint256 poolId);
    /// @notice No expense has id `expenseId`.
    error CostSharingUnknownExpense(uint256 expenseId);
    /// @notice `account` is not a participant of pool `poolId`.
    error CostSharingNotParticipant(uint256 poolId, address account);
    /// @notice An amount of zero was given.
    error CostSharingZeroAmount();
    /// @notice Expense `amount` is below the pool's minimum `minimum` (see {minAmount}).
    error CostSharingAmountTooSmall(uint256 amount, uint256 minimum);
    /// @notice The evidence hash is zero.
    error CostSharingZeroEvidence();
    /// @notice `evidenceHash` was already submitted to pool `poolId` as expense `expenseId`.
    error CostSharingEvidenceAlreadyUsed(uint256 poolId, bytes32 evidenceHash, uint256 expenseId);
    /// @notice `expenseId` is `status`, not pending.
    error CostSharingExpenseNotPending(uint256 expenseId, ExpenseStatus status);
    /// @notice `participant` already voted on `expenseId`.
    error CostSharingAlreadyVoted(uint256 expenseId, address participant);
    /// @notice Only `submitter` may withdraw `expenseId`; `caller` tried.
    error CostSharingNotSubmitter(uint256 expenseId, address caller, address submitter);
    /// @notice `account` tried to pay `amount` into `poolId` but owes only `debt`.
    error CostSharingOverpayment(uint256 poolId, address account, uint256 amount, uint256 debt);
    /// @notice `account` tried to claim `amount` from `poolId` but its credit is only `credit`.
    error CostSharingClaimExceedsCredit(uint256 poolId, address account, uint256 amount, uint256 credit);
    /// @notice `amount` was claimed from `poolId`, which holds only `held` until debtors pay in.
    error CostSharingInsufficientPoolFunds(uint256 poolId, uint256 amount, uint256 held);
    /// @notice `sent` wei came with the call; `expected` were required (the amount in an ETH pool, else 0).
    error CostSharingWrongValue(uint256 sent, uint256 expected);
    /// @notice `token` delivered `received` instead of `expected` (fee-on-transfer tokens are refused).
    error CostSharingTransferShortfall(address token, uint256 expected, uint256 received);
    /// @notice Sending `amount` wei to `to` failed.
    error CostSharingEtherTransferFailed(address to, uint256 amount);

    // ---------------------------------------------------------------- construction

    /**
     * @notice Binds the contract to `consortium_`, consulted for membership. The deployer gets no role.
     * @dev Requirements: `consortium_` is a contract.
     */
    constructor(IConsortium consortium_) ConsortiumGated(consortium_) {
        if (address(consortium_).code.length == 0) revert CostSharingInvalidConsortium(address(consortium_));
    }

    // ---------------------------------------------------------------- pools

    /**
     * @notice Creates a cost pool.
     * @dev Requirements: the caller and every participant are consortium members; 1 to
     * {MAX_PARTICIPANTS} participants, no zero address, no duplicate; as many shares as participants,
     * each non-zero, summing to exactly {TOTAL_SHARES}; `1 <= quorum <= participants`; `name` 1..64 bytes;
     * `asset` is zero (ETH) or a contract. The order of `participants` fixes the remainder rule (see the
     * contract's NatSpec). Loops over the participants given (bounded by {MAX_PARTICIPANTS}); moves no funds.
     * Emits {PoolCreated} and one {ParticipantJoined} per participant.
     * @param name Short name of the pool (the R&D programme).
     * @param asset ERC-20 token, or the zero address for ETH.
     * @param participants Participating members, in remainder order.
     * @param sharesBps Their shares in basis points, in the same order.
     * @param quorum Approvals needed to book an expense.
     * @return poolId The new pool's id (ids start at 1).
     */
    function createPool(
        string calldata name,
        address asset,
        address[] calldata participants,
        uint16[] calldata sharesBps,
        uint16 quorum
    ) external returns (uint256 poolId) {
        _requireMember(msg.sender);
        uint256 n = participants.length;
        if (n == 0 || n > MAX_PARTICIPANTS) revert CostSharingInvalidParticipantCount(n, MAX_PARTICIPANTS);
        if (sharesBps.length != n) revert CostSharingLengthMismatch(n, sharesBps.length);
        if (quorum == 0 || quorum > n) revert CostSharingInvalidQuorum(quorum, n);
        _checkText(bytes(name).length, 1);
        if (asset != address(0) && asset.code.length == 0) revert CostSharingAssetNotContract(asset);

        poolId = ++_poolCount;
        Pool storage pool = _pools[poolId];
        pool.asset = asset;
        pool.participantCount = uint16(n); // n <= MAX_PARTICIPANTS < 2**16
        pool.quorum = quorum;
        pool.createdAt = uint48(block.timestamp); // a uint48 of seconds lasts ~8.9 million years
        pool.creator = msg.sender;
        pool.name = name;
        emit PoolCreated(poolId, msg.sender, asset, quorum, name);

        uint256 lower = 0;
        uint256 minShare = TOTAL_SHARES;
        for (uint256 i = 0; i < n; ++i) {
            address participant = participants[i];
            uint16 share = sharesBps[i];
            if (participant == address(0)) revert CostSharingZeroAddress();
            if (share == 0) revert CostSharingZeroShare(participant);
            if (_shares[poolId][participant].share != 0) revert CostSharingDuplicateParticipant(participant);
            _requireMember(participant);
            if (lower + share > TOTAL_SHARES) revert CostSharingSharesNotTotal(_sum(sharesBps));
            _shares[poolId][participant] = Participant({share: share, lower: uint16(lower)}); // lower < 10,000
            _participants[poolId].push(participant);
            lower += share;
            if (share < minShare) minShare = share;
            emit ParticipantJoined(poolId, participant, share);
        }
        if (lower != TOTAL_SHARES) revert CostSharingSharesNotTotal(lower);
        pool.minShare = uint16(minShare); // <= 10,000
    }

    // ---------------------------------------------------------------- expenses

    /**
     * @notice Submits an expense to pool `poolId` for approval.
     * @dev Requirements: the pool exists; the caller is one of its participants and still a consortium
     * member; `amount >= minAmount(poolId)` (see the remainder rule); `payee` is not zero (a participant who already paid the supplier, or the
     * supplier itself); `evidenceHash` is not zero and was never submitted to this pool; the reference `ref` is
     * at most 64 bytes. Emits {ExpenseSubmitted}.
     * @param poolId The pool.
     * @param amount Amount in the pool asset's smallest unit.
     * @param payee Who is owed the amount once booked.
     * @param evidenceHash Hash of the evidence document (e.g. keccak256 or sha256 of the invoice file).
     * @param ref Short reference (e.g. the invoice number), 0..64 bytes.
     * @return expenseId The new expense's id (ids start at 1, shared by all pools).
     */
    function submitExpense(
        uint256 poolId,
        uint256 amount,
        address payee,
        bytes32 evidenceHash,
        string calldata ref
    ) external returns (uint256 expenseId) {
        Pool storage pool = _poolOrRevert(poolId);
        _requireParticipant(poolId, msg.sender);
        _requireMember(msg.sender);
        uint256 minimum = _minAmount(pool.minShare);
        if (amount < minimum) revert CostSharingAmountTooSmall(amount, minimum);
        if (payee == address(0)) revert CostSharingZeroAddress();
        if (evidenceHash == bytes32(0)) revert CostSharingZeroEvidence();
        uint256 previous = _evidence[poolId][evidenceHash];
        if (previous != 0) revert CostSharingEvidenceAlreadyUsed(poolId, evidenceHash, previous);
        _checkText(bytes(ref).length, 0);

        expenseId = ++_expenseCount;
        _evidence[poolId][evidenceHash] = expenseId;
        Expense storage e = _expenses[expenseId];
        e.payee = payee;
        e.poolId = uint64(poolId); // poolId <= _poolCount, which cannot reach 2**64 in practice
        e.submitter = msg.sender;
        e.submittedAt = uint64(block.timestamp);
        e.amount = amount;
        e.evidenceHash = evidenceHash;
        e.ref = ref;
        emit ExpenseSubmitted(expenseId, poolId, msg.sender, payee, amount, evidenceHash, ref);
    }

    /**
     * @notice Withdraws a pending expense; it can never be booked, and its evidence hash stays used.
     * @dev Requirements: the expense exists and is pending; the caller submitted it.
     * Emits {ExpenseWithdrawn}.
     */
    function withdrawExpense(uint256 expenseId) external {
        Expense storage e = _pendingExpense(expenseId);
        if (msg.sender != e.submitter) revert CostSharingNotSubmitter(expenseId, msg.sender, e.submitter);
        e.status = ExpenseStatus.Withdrawn;
        emit ExpenseWithdrawn(expenseId, e.poolId);
    }

    /**
     * @notice Approves a pending expense. The approval that reaches the pool's quorum books it: the
     * payee is credited the amount and each participant owes its share (see the remainder rule in the
     * contract's NatSpec; the shares add up to the amount exactly). Constant gas: no loop.
     * @dev Requirements: the expense exists and is pending; the caller is a participant of its pool and
     * has not voted on it. Emits {ExpenseApproved}, and {ExpenseBooked} at the quorum.
     */
    function approveExpense(uint256 expenseId) external {
        Expense storage e = _pendingExpense(expenseId);
        uint256 poolId = e.poolId;
        _vote(expenseId, poolId, Vote.Approved);
        uint16 approvals = e.approvals + 1; // at most the participant count (one vote each) <= 200
        e.approvals = approvals;
        emit ExpenseApproved(expenseId, msg.sender, approvals);

        Pool storage pool = _pools[poolId];
        if (approvals >= pool.quorum) {
            uint256 amount = e.amount;
            address payee = e.payee;
            uint256 before = pool.totalBooked;
            e.status = ExpenseStatus.Booked;
            e.bookedBefore = before;
            pool.totalBooked = before + amount;
            _accounts[poolId][payee].credited += amount;
            emit ExpenseBooked(expenseId, poolId, payee, amount, before);
        }
    }

    /**
     * @notice Votes against a pending expense. Once rejections exceed `participants − quorum` the
     * approvals can no longer reach the quorum and the expense is rejected for good.
     * @dev Requirements: the expense exists and is pending; the caller is a participant of its pool and
     * has not voted on it. Emits {RejectionRecorded}, and {ExpenseRejected} when it decides.
     */
    function rejectExpense(uint256 expenseId) external {
        Expense storage e = _pendingExpense(expenseId);
        uint256 poolId = e.poolId;
        _vote(expenseId, poolId, Vote.Rejected);
        uint16 rejections = e.rejections + 1; // at most the participant count <= 200
        e.rejections = rejections;
        emit RejectionRecorded(expenseId, msg.sender, rejections);

        Pool storage pool = _pools[poolId];
        if (rejections > pool.participantCount - pool.quorum) {
            e.status = ExpenseStatus.Rejected;
            emit ExpenseRejected(expenseId, poolId);
        }
    }

    // ---------------------------------------------------------------- settlement

    /**
     * @notice Pays `amount` of the caller's net debt into pool `poolId` (fully or partly).
     * @dev Requirements: the pool exists; the caller is a participant; `0 < amount <= debt`; in an ETH
     * pool `msg.value == amount`, in a token pool `msg.value == 0` and this contract may transfer
     * `amount` from the caller (approve first) and receives exactly `amount`. Constant gas. Not reentrant.
     * Emits {PaidIn}.
     */
    function pay(uint256 poolId, uint256 amount) external payable nonReentrant {
        Pool storage pool = _poolOrRevert(poolId);
        Participant memory p = _requireParticipant(poolId, msg.sender);
        if (amount == 0) revert CostSharingZeroAmount();
        address asset = pool.asset;
        uint256 expectedValue = asset == address(0) ? amount : 0;
        if (msg.value != expectedValue) revert CostSharingWrongValue(msg.value, expectedValue);

        Account storage acct = _accounts[poolId][msg.sender];
        (uint256 debt,) = _netOf(acct, _owed(pool.totalBooked, p));
        if (amount > debt) revert CostSharingOverpayment(poolId, msg.sender, amount, debt);

        acct.paidIn += amount;
        pool.totalPaidIn += amount;
        // cannot underflow: amount <= debt
        emit PaidIn(poolId, msg.sender, amount, debt - amount);

        if (asset != address(0)) {
            IERC20 token = IERC20(asset);
            uint256 balanceBefore = token.balanceOf(address(this));
            token.safeTransferFrom(msg.sender, address(this), amount);
            uint256 received = token.balanceOf(address(this)) - balanceBefore;
            if (received != amount) revert CostSharingTransferShortfall(asset, amount, received);
        }
    }

    /**
     * @notice Withdraws `amount` of the caller's net credit in pool `poolId` to `to` (pull payment).
     * @dev Requirements: the pool exists; `to` is not zero; `0 < amount <= credit` (participants and
     * external payees alike); the pool holds at least `amount` (what debtors have paid in and nobody has
     * withdrawn yet). Constant gas. Not reentrant; state is updated before the transfer.
     * Emits {Claimed}.
     * @param poolId The pool.
     * @param amount Amount to withdraw.
     * @param to Recipient (usually the caller itself).
     */
    function claim(uint256 poolId, uint256 amount, address payable to) external nonReentrant {
        Pool storage pool = _poolOrRevert(poolId);
        if (to == address(0)) revert CostSharingZeroAddress();
        if (amount == 0) revert CostSharingZeroAmount();
        Account storage acct = _accounts[poolId][msg.sender];
        Participant memory p = _shares[poolId][msg.sender];
        (, uint256 credit) = _netOf(acct, _owed(pool.totalBooked, p));
        if (amount > credit) revert CostSharingClaimExceedsCredit(poolId, msg.sender, amount, credit);
        uint256 available = pool.totalPaidIn - pool.totalWithdrawn;
        if (amount > available) revert CostSharingInsufficientPoolFunds(poolId, amount, available);

        acct.withdrawn += amount;
        pool.totalWithdrawn += amount;
        // cannot underflow: amount <= credit
        emit Claimed(poolId, msg.sender, to, amount, credit - amount);

        address asset = pool.asset;
        if (asset == address(0)) {
            (bool ok,) = to.call{value: amount}("");
            if (!ok) revert CostSharingEtherTransferFailed(to, amount);
        } else {
            IERC20(asset).safeTransfer(to, amount);
        }
    }

    // ---------------------------------------------------------------- views

    /// @notice Number of pools ever created; ids run from 1 to this number.
    function poolCount() external view returns (uint256) {
        return _poolCount;
    }

    /// @notice Number of expenses ever submitted (all pools); ids run from 1 to this number.
    function expenseCount() external view returns (uint256) {
        return _expenseCount;
    }

    /// @notice Pool `poolId` with its running totals. Requirements: it exists.
    function poolInfo(uint256 poolId) external view returns (Pool memory) {
        return _poolOrRevert(poolId);
    }

    /// @notice Participants of `poolId` in remainder order (bounded by {MAX_PARTICIPANTS}).
    function participantsOf(uint256 poolId) external view returns (address[] memory) {
        _poolOrRevert(poolId);
        return _participants[poolId];
    }

    /// @notice Share of `account` in `poolId` in basis points; 0 if it is not a participant.
    function shareOf(uint256 poolId, address account) external view returns (uint256) {
        return _shares[poolId][account].share;
    }

    /// @notice Smallest expense `poolId` accepts: `ceil(10,000 / smallest share)` base units, so that every
    /// participant's part of every expense is at least 0 (see the remainder rule). Requirements: it exists.
    function minAmount(uint256 poolId) external view returns (uint256) {
        return _minAmount(_poolOrRevert(poolId).minShare);
    }

    /// @notice What `poolId` holds now: paid in minus withdrawn. Requirements: it exists.
    function held(uint256 poolId) external view returns (uint256) {
        Pool storage pool = _poolOrRevert(poolId);
        return pool.totalPaidIn - pool.totalWithdrawn;
    }

    /// @notice Position of `account` (participant, external payee, or neither) in `poolId`.
    function position(uint256 poolId, address account) external view returns (Position memory pos) {
        Pool storage pool = _poolOrRevert(poolId);
        Account storage acct = _accounts[poolId][account];
        pos.owed = _owed(pool.totalBooked, _shares[poolId][account]);
        pos.credited = acct.credited;
        pos.paidIn = acct.paidIn;
        pos.withdrawn = acct.withdrawn;
        (pos.debt, pos.credit) = _netOf(acct, pos.owed);
    }

    /// @notice Expense `expenseId` as stored. Requirements: it exists.
    function expense(uint256 expenseId) external view returns (Expense memory) {
        return _expenseOrRevert(expenseId);
    }

    /// @notice How `participant` voted on `expenseId`.
    function voteOf(uint256 expenseId, address participant) external view returns (Vote) {
        return _votes[expenseId][participant];
    }

    /// @notice The expense that used `evidenceHash` in `poolId`, or 0.
    function expenseByEvidence(uint256 poolId, bytes32 evidenceHash) external view returns (uint256) {
        return _evidence[poolId][evidenceHash];
    }

    /**
     * @notice What `account` owes for booked expense `expenseId` under the remainder rule:
     * `owed(bookedBefore + amount) − owed(bookedBefore)`. Over all participants these add up to the
     * expense's amount exactly. 0 for a non-participant or an expense that is not booked.
     */
    function shareOfExpense(uint256 expenseId, address account) external view returns (uint256) {
        Expense storage e = _expenseOrRevert(expenseId);
        if (e.status != ExpenseStatus.Booked) return 0;
        Participant memory p = _shares[e.poolId][account];
        return _owed(e.bookedBefore + e.amount, p) - _owed(e.bookedBefore, p);
    }

    // ---------------------------------------------------------------- internals

    /// owed_i(T) = floor(T·upper/10,000) − floor(T·lower/10,000); mulDiv keeps T·upper exact in 512 bits.
    function _owed(uint256 totalBooked, Participant memory p) private pure returns (uint256) {
        if (p.share == 0) return 0;
        return Math.mulDiv(totalBooked, uint256(p.lower) + p.share, TOTAL_SHARES)
            - Math.mulDiv(totalBooked, p.lower, TOTAL_SHARES); // upper >= lower, so no underflow
    }

    /// (debt, credit) of an account owing `owed`: the negative and positive part of
    /// credited + paidIn − owed − withdrawn.
    function _netOf(Account storage acct, uint256 owed) private view returns (uint256 debt, uint256 credit) {
        uint256 plus = acct.credited + acct.paidIn;
        uint256 minus = owed + acct.withdrawn;
        // each branch subtracts the smaller from the larger
        if (minus > plus) debt = minus - plus;
        else credit = plus - minus;
    }

    function _vote(uint256 expenseId, uint256 poolId, Vote vote) private {
        _requireParticipant(poolId, msg.sender);
        if (_votes[expenseId][msg.sender] != Vote.None) revert CostSharingAlreadyVoted(expenseId, msg.sender);
        _votes[expenseId][msg.sender] = vote;
    }

    function _poolOrRevert(uint256 poolId) private view returns (Pool storage pool) {
        pool = _pools[poolId];
        // every created pool has a non-zero creator (a member)
        if (pool.creator == address(0)) revert CostSharingUnknownPool(poolId);
    }

    function _expenseOrRevert(uint256 expenseId) private view returns (Expense storage e) {
        e = _expenses[expenseId];
        if (e.submitter == address(0)) revert CostSharingUnknownExpense(expenseId);
    }

    function _pendingExpense(uint256 expenseId) private view returns (Expense storage e) {
        e = _expenseOrRevert(expenseId);
        if (e.status != ExpenseStatus.Pending) revert CostSharingExpenseNotPending(expenseId, e.status);
    }

    function _requireParticipant(uint256 poolId, address account) private view returns (Participant memory p) {
        p = _shares[poolId][account];
        if (p.share == 0) revert CostSharingNotParticipant(poolId, account);
    }

    function _minAmount(uint256 minShare) private pure returns (uint256) {
        return Math.ceilDiv(TOTAL_SHARES, minShare); // minShare >= 1 for every created pool
    }

    function _checkText(uint256 length, uint256 min) private pure {
        if (length < min || length > MAX_TEXT_LENGTH) revert CostSharingInvalidText(length, min, MAX_TEXT_LENGTH);
    }

    function _sum(uint16[] calldata values) private pure returns (uint256 total) {
        for (uint256 i = 0; i < values.length; ++i) {
            total += values[i];
        }
    }

    function _revertNotMember(address account) internal pure override {
        revert CostSharingNotMember(account);
    }
}
