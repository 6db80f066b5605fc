// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {ConsortiumGated} from "./ConsortiumGated.sol";
import {IConsortium} from "./interfaces/IConsortium.sol";
import {ICostSharing} from "./interfaces/ICostSharing.sol";
import {CostLedger} from "./libraries/CostLedger.sol";
import {CostSharingTerms} from "./libraries/CostSharingTerms.sol";
import {ShareVotes} from "./libraries/ShareVotes.sol";

/**
 * @title CostSharing
 * @notice Shared R&D cost pools between consortium members: competitors split the bills of a joint
 * programme without showing each other their books (only hashes of the evidence go on chain).
 *
 * - **Consent.** A pool is proposed with its {ICostSharing-Terms} and binds nobody until *every*
 *   participant accepted exactly those terms: on chain ({joinPool}) or by an EIP-712 signature of
 *   `Acceptance(uint256 poolId,address participant,bytes32 termsHash,uint256 deadline)` (domain
 *   "CostSharing", version "2", this chain and contract; ECDSA or ERC-1271) that anyone submits for
 *   all in one call ({submitAcceptances}). A participant may leave while nothing is booked; the pool
 *   is then void ({PoolStatus-Dissolved}): the others agreed to terms that included it.
 * - **Approval rule** ({ShareVotes}). An expense is booked once participants other than its payee,
 *   holding strictly more than `approvalBps` of those participants' shares and at least
 *   `min(quorum, their number)` of them (`quorum >= 2`), approved it. The payee never votes on its own
 *   expense. When a tally would decide, the votes of participants no longer consortium members are
 *   discarded (one call per voter, at most 50). The same rule rejects a pending expense (once
 *   approvals are out of reach), reverses a booked one within the dispute window, and closes the pool.
 * - **Settlement periods** ({CostLedger}). An expense belongs to the period of `settlementPeriod`
 *   seconds in which it was booked. Period `k` opens for payments and claims at
 *   `liveAt + (k+1)·settlementPeriod + disputeWindow`, when its bookings and reversals are final.
 *   **Reversed** therefore means: the booking is undone in its period's totals and its payee's
 *   credit (O(1)); nothing of that period was paid or collected yet, so no position is unwound; its
 *   evidence hash is free again.
 * - **Debts.** Participant `i` owes `CumulativeSplit.part(T_k, C_i, w_i, 10,000)` of period `k`'s
 *   total `T_k` (shares `w_i`, `C_i` the shares before it): the parts add up to `T_k` exactly, each
 *   within one unit of the exact share. Anyone may pay a participant's debt ({pay}).
 * - **A default is shared pro rata.** A payee credited `c` in period `k` is entitled to
 *   `floor(c · P_k / T_k)` of what the period's debtors paid in, `P_k`: it only grows, does not
 *   depend on who claims when, and the entitlements add up to at most `P_k` (at most one unit per
 *   payee, rounded off, stays unclaimed). A debtor who never pays keeps its debt on record (paying
 *   later raises every entitlement); the shortfall falls on the period's payees in proportion to
 *   their credit. The rule can close the pool ({voteClose}) so that nothing more is booked; booking
 *   also stops at `liveAt + duration` (the long-stop). A participant that is also a payee settles
 *   only the difference ({settle}).
 * - **Evidence.** An evidence hash is booked at most once across all pools. A pending expense
 *   reserves nothing (a throw-away submission squats nothing); a reversed one frees its hash. A
 *   booked hash is refused with {CostSharingEvidenceAlreadyBooked}, naming its pool and expense.
 * - **Money.** No loop on a path that moves funds; pay and claim read two storage slots. Tokens go
 *   through SafeERC20 and must deliver what is sent; ether not sent through {pay}/{settle} is never
 *   counted. Every function that calls out is non-reentrant. The deployer has no role.
 */
contract CostSharing is ICostSharing, ConsortiumGated, EIP712, ReentrancyGuardTransient, Multicall {
    using CostLedger for CostLedger.Pool;
    using CostLedger for CostLedger.State;

    /// @notice EIP-712 type a participant signs to accept a pool's terms.
    bytes32 public constant ACCEPTANCE_TYPEHASH =
        keccak256("Acceptance(uint256 poolId,address participant,bytes32 termsHash,uint256 deadline)");
    /// @notice Shares are in basis points of this total.
    uint256 public constant TOTAL_SHARES = 10_000;
    /// @notice Most participants in a pool (votes are bitmaps; signed acceptances loop over at most this).
    uint256 public constant MAX_PARTICIPANTS = CostSharingTerms.MAX_PARTICIPANTS;
    /// @notice Largest expense amount, in the asset's smallest unit.
    uint256 public constant MAX_AMOUNT = type(uint96).max;
    /// @notice Longest pool name and expense reference, in bytes.
    uint256 public constant MAX_TEXT_LENGTH = CostSharingTerms.MAX_TEXT_LENGTH;

    CostLedger.State private _s;

    /// @notice Binds the contract to `consortium_` (membership). The deployer gets no role.
    /// @dev Requirements: `consortium_` is a contract.
    constructor(IConsortium consortium_) ConsortiumGated(consortium_) EIP712("CostSharing", "2") {
        if (address(consortium_).code.length == 0) revert CostSharingInvalidConsortium(address(consortium_));
    }

    // ------------------------------------------------------------------------------ consent

    /**
     * @notice Proposes a pool with `terms`; it goes live once every participant accepted them. A
     * participating creator's seat is accepted by this call.
     * @dev Requirements: the caller and every participant are consortium members; the terms pass
     * {CostSharingTerms-check}; no zero or duplicate participant; shares non-zero summing to 10,000.
     * Loops over the participants (at most 50). Emits {PoolProposed}, {SeatOffered} per participant,
     * {TermsAccepted} for a participating creator.
     * @return poolId The new pool's id (ids start at 1).
     */
    function createPool(Terms calldata terms) external onlyMember nonReentrant returns (uint256 poolId) {
        CostSharingTerms.check(terms);
        uint256 n = terms.participants.length;
        poolId = ++_s.poolCount;
        CostLedger.Pool storage p = _s.pools[poolId];
        // n <= 50 and disputeWindow <= 90 days < 2**24 (checked): the narrowing casts are exact
        (p.asset, p.period, p.disputeWindow) = (terms.asset, terms.settlementPeriod, uint24(terms.disputeWindow));
        (p.participantCount, p.quorum, p.approvalBps) = (uint8(n), terms.quorum, terms.approvalBps);
        (p.duration, p.creator, p.termsHash) = (terms.duration, msg.sender, CostSharingTerms.hash(terms));
        emit PoolProposed(poolId, msg.sender, terms.asset, p.termsHash, terms.name);
        uint256 lower = 0;
        for (uint256 i = 0; i < n; ++i) {
            (address who, uint256 share) = (terms.participants[i], terms.sharesBps[i]);
            if (who == address(0)) revert CostSharingZeroAddress();
            if (share == 0) revert CostSharingZeroShare(who);
            if (_s.seats[poolId][who].seated) revert CostSharingDuplicateParticipant(who);
            _requireMember(who);
            if (lower + share > TOTAL_SHARES) revert CostSharingSharesNotTotal(_sum(terms.sharesBps));
            _s.seats[poolId][who] = CostLedger.Seat(uint16(share), uint16(lower), uint8(i), true); // <= 10,000
            _s.participants[poolId].push(who);
            lower += share;
            emit SeatOffered(poolId, who, share);
        }
        if (lower != TOTAL_SHARES) revert CostSharingSharesNotTotal(lower);
        if (_s.seats[poolId][msg.sender].seated) _accept(poolId, p, msg.sender, false);
    }

    /**
     * @notice Accepts (joins) proposed pool `poolId`, whose terms must hash to `termsHash`.
     * @dev Requirements: the pool is Proposed; the caller is a participant and a consortium member and
     * has not accepted yet. Emits {TermsAccepted}, and {PoolActivated} with the last acceptance.
     */
    function joinPool(uint256 poolId, bytes32 termsHash) external nonReentrant {
        CostLedger.Pool storage p = _withStatus(poolId, PoolStatus.Proposed);
        if (termsHash != p.termsHash) revert CostSharingTermsMismatch(poolId, p.termsHash, termsHash);
        if (p.accepted & _bit(_seat(poolId, msg.sender)) != 0) revert CostSharingAlreadyAccepted(poolId, msg.sender);
        _requireMember(msg.sender);
        _accept(poolId, p, msg.sender, false);
    }

    /**
     * @notice Records signed acceptances of proposed pool `poolId`; anyone may submit them, e.g. the
     * creator for all participants in one transaction. Entries of participants who already accepted
     * are skipped (an acceptance on chain in between cannot make the batch fail).
     * @dev Requirements: the pool is Proposed; at most {MAX_PARTICIPANTS} entries; each names a
     * participant who is a consortium member, has not passed its `deadline`, and whose signature of
     * {acceptanceDigest} is valid (ECDSA, or ERC-1271 for a contract). Emits {TermsAccepted} per new
     * acceptance, and {PoolActivated} with the last.
     */
    function submitAcceptances(uint256 poolId, SignedAcceptance[] calldata acceptances) external nonReentrant {
        CostLedger.Pool storage p = _withStatus(poolId, PoolStatus.Proposed);
        if (acceptances.length > MAX_PARTICIPANTS) {
            revert CostSharingTooManyAcceptances(acceptances.length, MAX_PARTICIPANTS);
        }
        for (uint256 i = 0; i < acceptances.length; ++i) {
            SignedAcceptance calldata a = acceptances[i];
            if (p.accepted & _bit(_seat(poolId, a.participant)) != 0) continue;
            if (block.timestamp > a.deadline) revert CostSharingAcceptanceExpired(poolId, a.participant, a.deadline);
            bytes32 digest = acceptanceDigest(poolId, a.participant, a.deadline);
            if (!SignatureChecker.isValidSignatureNowCalldata(a.participant, digest, a.signature)) {
                revert CostSharingInvalidAcceptance(poolId, a.participant);
            }
            _requireMember(a.participant);
            _accept(poolId, p, a.participant, true);
        }
    }

    /**
     * @notice Leaves pool `poolId` (or declines a proposed one); the pool is void afterwards.
     * @dev Requirements: the caller is a participant; the pool is not Dissolved and has nothing booked
     * (pending expenses lapse). Emits {ParticipantLeft} and {PoolDissolved}.
     */
    function leavePool(uint256 poolId) external {
        CostLedger.Pool storage p = _pool(poolId);
        _seat(poolId, msg.sender);
        if (p.status == PoolStatus.Dissolved) revert CostSharingWrongPoolStatus(poolId, p.status);
        if (p.booked != 0) revert CostSharingPoolHasBookings(poolId, p.booked);
        p.status = PoolStatus.Dissolved;
        emit ParticipantLeft(poolId, msg.sender);
        emit PoolDissolved(poolId);
    }

    /**
     * @notice Votes to close live pool `poolId`; when the rule is met over all participants nothing is
     * booked any more. Settlement, rejections and disputes go on.
     * @dev Requirements: the pool is Live; the caller is a participant and a consortium member and has
     * not voted to close it. Emits {CloseVoted}, {VoteDiscarded} per discarded vote, {PoolClosed} when met.
     */
    function voteClose(uint256 poolId) external nonReentrant {
        CostLedger.Pool storage p = _withStatus(poolId, PoolStatus.Live);
        (uint64 votes, uint256 weight, bool met) = _tally(poolId, 0, address(0), p.closeVotes, p.closeVotes, p.closeWeight, false);
        (p.closeVotes, p.closeWeight) = (votes, uint16(weight)); // weight <= 10,000
        emit CloseVoted(poolId, msg.sender, weight);
        if (met) {
            (p.status, p.closedAt) = (PoolStatus.Closed, uint40(block.timestamp));
            emit PoolClosed(poolId, block.timestamp);
        }
    }

    // ------------------------------------------------------------------------------ expenses

    /**
     * @notice Submits an expense to pool `poolId`. Only the first 20 bytes of keccak256(`ref`) are
     * stored; the reference itself is in the event.
     * @dev Requirements: the pool is Live and before its `endsAt`; the caller is a participant;
     * `0 < amount <= MAX_AMOUNT`; `payee` is not zero; `evidenceHash` is not zero and not booked in any
     * pool; `ref` is at most 64 bytes. Emits {ExpenseSubmitted}.
     * @param payee Who is owed the amount once booked (a participant who paid the supplier, or the supplier).
     * @param evidenceHash Hash of the evidence document (e.g. keccak256 or sha256 of the invoice file).
     * @return expenseId The new expense's id (ids start at 1, shared by all pools).
     */
    function submitExpense(uint256 poolId, uint256 amount, address payee, bytes32 evidenceHash, string calldata ref)
        external
        returns (uint256 expenseId)
    {
        _open(poolId);
        CostLedger.Seat memory seat = _seat(poolId, msg.sender);
        if (amount == 0) revert CostSharingZeroAmount();
        if (amount > MAX_AMOUNT) revert CostSharingAmountTooLarge(amount, MAX_AMOUNT);
        if (payee == address(0)) revert CostSharingZeroAddress();
        if (evidenceHash == bytes32(0)) revert CostSharingZeroEvidence();
        _s.requireEvidenceFree(evidenceHash);
        if (bytes(ref).length > MAX_TEXT_LENGTH) revert CostSharingInvalidText(bytes(ref).length, 0, MAX_TEXT_LENGTH);
        expenseId = ++_s.expenseCount;
        CostLedger.Expense storage e = _s.expenses[expenseId];
        (e.payee, e.amount, e.evidenceHash) = (payee, uint96(amount), evidenceHash);
        // poolId <= poolCount, which cannot reach 2**40
        (e.refDigest, e.poolId, e.submitter) = (bytes20(keccak256(bytes(ref))), uint40(poolId), seat.index);
        emit ExpenseSubmitted(expenseId, poolId, msg.sender, payee, amount, evidenceHash, ref);
    }

    /**
     * @notice Withdraws a pending expense; it can never be booked.
     * @dev Requirements: the expense is Pending; the caller submitted it. Emits {ExpenseWithdrawn}.
     */
    function withdrawExpense(uint256 expenseId) external {
        CostLedger.Expense storage e = _expenseWithStatus(expenseId, ExpenseStatus.Pending);
        address submitter = _s.participants[e.poolId][e.submitter];
        if (msg.sender != submitter) revert CostSharingNotSubmitter(expenseId, msg.sender, submitter);
        e.status = ExpenseStatus.Withdrawn;
        emit ExpenseWithdrawn(expenseId, e.poolId);
    }

    /**
     * @notice Approves a pending expense; the approval that meets the rule books it in the current period.
     * @dev Requirements: the expense is Pending; its pool is Live and before `endsAt`; the caller is a
     * participant, a consortium member, not the payee, and has not voted on it; at booking the evidence
     * hash is not booked elsewhere. Emits {ApprovalRecorded}, {VoteDiscarded} per discarded vote, and
     * {ExpenseBooked} when the rule is met.
     */
    function approveExpense(uint256 expenseId) external nonReentrant {
        CostLedger.Expense storage e = _expenseWithStatus(expenseId, ExpenseStatus.Pending);
        _open(e.poolId);
        (uint64 votes, uint256 weight, bool met) =
            _tally(e.poolId, expenseId, e.payee, e.approvals | e.objections, e.approvals, e.approvalWeight, false);
        (e.approvals, e.approvalWeight) = (votes, uint16(weight)); // weight <= 10,000
        emit ApprovalRecorded(expenseId, msg.sender, weight);
        if (met) _s.book(expenseId);
    }

    /**
     * @notice Votes against a pending expense; once approvals are out of reach it is rejected.
     * @dev Requirements: the expense is Pending; the caller is a participant, a consortium member, not
     * the payee, and has not voted on it. Emits {RejectionRecorded}, {VoteDiscarded} per discarded
     * vote, and {ExpenseRejected} when decided.
     */
    function rejectExpense(uint256 expenseId) external nonReentrant {
        CostLedger.Expense storage e = _expenseWithStatus(expenseId, ExpenseStatus.Pending);
        (uint64 votes, uint256 weight, bool met) =
            _tally(e.poolId, expenseId, e.payee, e.approvals | e.objections, e.objections, e.objectionWeight, true);
        (e.objections, e.objectionWeight) = (votes, uint16(weight));
        emit RejectionRecorded(expenseId, msg.sender, weight);
        if (met) {
            e.status = ExpenseStatus.Rejected;
            emit ExpenseRejected(expenseId, e.poolId);
        }
    }

    /**
     * @notice Disputes a booked expense within its dispute window; when disputes meet the rule it is
     * reversed (out of its period's totals and its payee's credit; its evidence hash freed).
     * @dev Requirements: the expense is Booked and `block.timestamp < bookedAt + disputeWindow`; the
     * caller is a participant, a consortium member, not the payee, and has not disputed it (approvers
     * may). Emits {ExpenseDisputed}, {VoteDiscarded} per discarded vote, and {ExpenseReversed} when met.
     * @param reason Hash of why (e.g. of a message or document); emitted, not stored.
     */
    function disputeExpense(uint256 expenseId, bytes32 reason) external nonReentrant {
        CostLedger.Expense storage e = _expenseWithStatus(expenseId, ExpenseStatus.Booked);
        uint256 closesAt = uint256(e.bookedAt) + _s.pools[e.poolId].disputeWindow;
        if (block.timestamp >= closesAt) revert CostSharingDisputeWindowClosed(expenseId, closesAt);
        (uint64 votes, uint256 weight, bool met) =
            _tally(e.poolId, expenseId, e.payee, e.objections, e.objections, e.objectionWeight, false);
        (e.objections, e.objectionWeight) = (votes, uint16(weight));
        emit ExpenseDisputed(expenseId, msg.sender, reason, weight, block.timestamp);
        if (met) _s.reverse(expenseId);
    }

    // ---------------------------------------------------------------------------- settlement

    /**
     * @notice Pays `amount` of `debtor`'s debt for period `period` of pool `poolId` (anyone may pay a
     * participant's debt). Constant gas.
     * @dev Requirements: `debtor` is a participant of a pool that went live; `period` is one of its
     * periods and has opened ({periodOpensAt}); `0 < amount <=` the debt; in an ETH pool
     * `msg.value == amount`, in a token pool `msg.value == 0` and this contract may pull exactly
     * `amount` from the caller. Not reentrant. Emits {PaidIn}.
     */
    function pay(uint256 poolId, uint256 period, address debtor, uint256 amount) external payable nonReentrant {
        _s.pay(poolId, period, debtor, amount, msg.value);
    }

    /**
     * @notice Withdraws `amount` of the caller's pro-rata part for period `period` of `poolId` to `to`.
     * @dev Requirements: `to` is not zero; the period has opened; `0 < amount <=` the caller's
     * collectable part ({position}). Constant gas; not reentrant; state updated before the transfer.
     * Emits {Claimed}.
     */
    function claim(uint256 poolId, uint256 period, uint256 amount, address payable to) external nonReentrant {
        if (to == address(0)) revert CostSharingZeroAddress();
        if (amount == 0) revert CostSharingZeroAmount();
        _s.collect(poolId, period, msg.sender, amount, to);
    }

    /**
     * @notice Sends `creditor` its whole collectable part for period `period` of `poolId` (anyone may
     * push a payment to the party it belongs to).
     * @dev Requirements: the period has opened and something is collectable. Not reentrant. Emits {Claimed}.
     */
    function push(uint256 poolId, uint256 period, address payable creditor) external nonReentrant {
        uint256 amount = _s.collectable(poolId, period, creditor);
        if (amount == 0) revert CostSharingZeroAmount();
        _s.collect(poolId, period, creditor, amount, creditor);
    }

    /**
     * @notice Nets the caller's positions in period `period` of `poolId`: pays its whole debt and
     * collects its whole pro-rata part (computed after that payment); only the difference moves.
     * @dev Requirements: the pool went live and the period has opened; the caller owes or may collect
     * something; `to` is not zero; a net payment comes as `msg.value` (exactly) in an ETH pool, is
     * pulled from the caller in a token pool; otherwise `msg.value == 0`. Not reentrant. Emits
     * {PaidIn} and/or {Claimed}.
     * @return paidIn What the caller sent. @return paidOut What was sent to `to`.
     */
    function settle(uint256 poolId, uint256 period, address payable to)
        external
        payable
        nonReentrant
        returns (uint256 paidIn, uint256 paidOut)
    {
        if (to == address(0)) revert CostSharingZeroAddress();
        return _s.settle(poolId, period, to, msg.value);
    }

    // ---------------------------------------------------------------------------------- views

    /// @notice Number of pools ever created; ids run from 1 to this number.
    function poolCount() external view returns (uint256) {
        return _s.poolCount;
    }

    /// @notice Number of expenses ever submitted (all pools); ids run from 1 to this number.
    function expenseCount() external view returns (uint256) {
        return _s.expenseCount;
    }

    /// @notice Pool `poolId` (a Live pool past its `endsAt` is shown Closed). Requirements: it exists.
    function poolInfo(uint256 poolId) external view returns (PoolView memory v) {
        CostLedger.Pool storage p = _pool(poolId);
        v.status = p.status == PoolStatus.Live && block.timestamp >= p.endsAt ? PoolStatus.Closed : p.status;
        (v.creator, v.asset, v.participantCount, v.approvalBps, v.quorum, v.disputeWindow) =
            (p.creator, p.asset, p.participantCount, p.approvalBps, p.quorum, p.disputeWindow);
        (v.settlementPeriod, v.duration, v.liveAt, v.endsAt, v.closedAt, v.accepted) =
            (p.period, p.duration, p.liveAt, p.endsAt, p.closedAt, p.accepted);
        (v.booked, v.closeVotes, v.closeWeight, v.termsHash) = (p.booked, p.closeVotes, p.closeWeight, p.termsHash);
    }

    /// @notice Participants of `poolId` in remainder order (index = bit in the vote bitmaps).
    function participantsOf(uint256 poolId) external view returns (address[] memory) {
        _pool(poolId);
        return _s.participants[poolId];
    }

    /// @notice The seat of `account` in `poolId`: whether it has one, its index, share, the shares
    /// before it (basis points), and whether it accepted the terms.
    function seatOf(uint256 poolId, address account)
        external
        view
        returns (bool seated, uint256 index, uint256 share, uint256 lower, bool accepted)
    {
        CostLedger.Seat memory s = _s.seats[poolId][account];
        return (s.seated, s.index, s.share, s.lower, s.seated && _s.pools[poolId].accepted & _bit(s) != 0);
    }

    /// @notice What the rule needs to book (or reverse) an expense of `poolId` paid to `payee`
    /// (`payee` zero: to close the pool): weight in basis points, and number of voters.
    function approvalThreshold(uint256 poolId, address payee) external view returns (uint256 weight, uint256 count) {
        ShareVotes.Rule memory r = _rule(poolId, _pool(poolId), payee);
        return (r.needWeight, r.needCount);
    }

    /// @notice The EIP-712 struct hash of `terms` ({CostSharingTerms-hash}).
    function hashTerms(Terms calldata terms) external pure returns (bytes32) {
        return CostSharingTerms.hash(terms);
    }

    /// @notice The EIP-712 digest `participant` signs to accept pool `poolId`'s terms until `deadline`.
    function acceptanceDigest(uint256 poolId, address participant, uint256 deadline) public view returns (bytes32) {
        bytes32 termsHash = _s.pools[poolId].termsHash;
        return _hashTypedDataV4(keccak256(abi.encode(ACCEPTANCE_TYPEHASH, poolId, participant, termsHash, deadline)));
    }

    /// @notice When period `period` of `poolId` opens for payments and claims. Requirements: the pool
    /// went live and has such a period (`ceil(duration / settlementPeriod)` of them, from 0).
    function periodOpensAt(uint256 poolId, uint256 period) external view returns (uint256) {
        return _s.pools[poolId].opensAt(poolId, period);
    }

    /// @notice Total booked in period `period` of `poolId`, and what its debtors paid in so far.
    function periodTotals(uint256 poolId, uint256 period) external view returns (uint256 booked, uint256 paid) {
        CostLedger.Totals memory t = _s.totals[poolId][period];
        return (t.booked, t.paid);
    }

    /// @notice Position of `account` (participant, payee, both or neither) in period `period` of `poolId`.
    function position(uint256 poolId, uint256 period, address account) external view returns (Position memory) {
        return _s.position(poolId, period, account);
    }

    /// @notice Expense `expenseId` (`period` is meaningful once booked). Requirements: it exists.
    function expense(uint256 expenseId) external view returns (ExpenseView memory v) {
        CostLedger.Expense storage e = _expense(expenseId);
        (v.poolId, v.payee, v.amount, v.evidenceHash, v.refDigest) = (e.poolId, e.payee, e.amount, e.evidenceHash, e.refDigest);
        (v.submitter, v.status, v.bookedAt) = (_s.participants[e.poolId][e.submitter], e.status, e.bookedAt);
        v.period = e.bookedAt == 0 ? 0 : _s.pools[e.poolId].periodAt(e.bookedAt);
        (v.approvals, v.approvalWeight, v.objections, v.objectionWeight) =
            (e.approvals, e.approvalWeight, e.objections, e.objectionWeight);
    }

    /// @notice The booked expense holding `evidenceHash` (all pools), or 0.
    function bookedEvidence(bytes32 evidenceHash) external view returns (uint256) {
        return _s.bookedEvidence[evidenceHash];
    }

    // ------------------------------------------------------------------------------ internals

    function _accept(uint256 poolId, CostLedger.Pool storage p, address who, bool signed) private {
        uint64 accepted = p.accepted | _bit(_s.seats[poolId][who]);
        p.accepted = accepted;
        emit TermsAccepted(poolId, who, signed);
        if (accepted == (uint64(1) << p.participantCount) - 1) {
            uint256 endsAt = block.timestamp + p.duration;
            (p.status, p.liveAt, p.endsAt) = (PoolStatus.Live, uint40(block.timestamp), uint40(endsAt));
            emit PoolActivated(poolId, block.timestamp, endsAt);
        }
    }

    /**
     * Adds the caller's vote (on expense `expenseId`, or on closing the pool when it is 0) to the
     * tally `votes`/`weight`. Returns the new tally and whether it decides: meets the rule, or
     * (`against`) puts it out of reach. A deciding tally is counted again without the votes of
     * participants who are no longer consortium members.
     */
    function _tally(uint256 poolId, uint256 expenseId, address payee, uint64 voted, uint64 votes, uint256 weight, bool against)
        private
        returns (uint64, uint256, bool)
    {
        CostLedger.Seat memory s = _voter(poolId, expenseId == 0 ? poolId : expenseId, payee, voted);
        return _decide(poolId, expenseId, payee, votes | _bit(s), weight + s.share, against);
    }

    /// The caller's seat, once it may vote on `subject`: seated, not `payee`, a member, not in `voted`.
    function _voter(uint256 poolId, uint256 subject, address payee, uint64 voted)
        private
        view
        returns (CostLedger.Seat memory s)
    {
        s = _seat(poolId, msg.sender);
        if (msg.sender == payee) revert CostSharingOwnClaim(subject, msg.sender);
        _requireMember(msg.sender);
        if (voted & _bit(s) != 0) revert CostSharingAlreadyVoted(subject, msg.sender);
    }

    function _decide(uint256 poolId, uint256 expenseId, address payee, uint64 votes, uint256 weight, bool against)
        private
        returns (uint64, uint256, bool)
    {
        ShareVotes.Rule memory r = _rule(poolId, _s.pools[poolId], payee);
        if (!_decides(r, weight, ShareVotes.count(votes), against)) return (votes, weight, false);
        uint256 voters;
        (votes, weight, voters) = _withoutExpelled(poolId, expenseId, votes, weight);
        return (votes, weight, _decides(r, weight, voters, against));
    }

    function _decides(ShareVotes.Rule memory r, uint256 weight, uint256 voters, bool against) private pure returns (bool) {
        return against ? ShareVotes.outOfReach(r, weight, voters) : ShareVotes.met(r, weight, voters);
    }

    /// Drops the votes of participants who are no longer consortium members (one call per voter, <= 50).
    function _withoutExpelled(uint256 poolId, uint256 expenseId, uint64 votes, uint256 weight)
        private
        returns (uint64, uint256, uint256 voters)
    {
        for (uint64 rest = votes; rest != 0; rest &= rest - 1) {
            uint256 i = ShareVotes.lowest(rest);
            address voter = _s.participants[poolId][i];
            if (consortium.isMember(voter)) {
                ++voters;
                continue;
            }
            (votes, weight) = (votes & ~(uint64(1) << uint64(i)), weight - _s.seats[poolId][voter].share);
            emit VoteDiscarded(poolId, expenseId, voter);
        }
        return (votes, weight, voters);
    }

    /// The rule for an expense of `poolId` paid to `payee`: only the other participants vote.
    function _rule(uint256 poolId, CostLedger.Pool storage p, address payee) private view returns (ShareVotes.Rule memory) {
        CostLedger.Seat memory s = _s.seats[poolId][payee];
        uint256 n = p.participantCount;
        (uint256 others, uint256 count) = s.seated ? (TOTAL_SHARES - s.share, n - 1) : (TOTAL_SHARES, n);
        return ShareVotes.rule(others, count, p.approvalBps, p.quorum);
    }

    function _pool(uint256 poolId) private view returns (CostLedger.Pool storage p) {
        p = _s.pools[poolId];
        if (p.participantCount == 0) revert CostSharingUnknownPool(poolId);
    }

    function _withStatus(uint256 poolId, PoolStatus status) private view returns (CostLedger.Pool storage p) {
        p = _pool(poolId);
        if (p.status != status) revert CostSharingWrongPoolStatus(poolId, p.status);
    }

    /// A pool that books expenses: Live and before its `endsAt`.
    function _open(uint256 poolId) private view {
        CostLedger.Pool storage p = _withStatus(poolId, PoolStatus.Live);
        if (block.timestamp >= p.endsAt) revert CostSharingPoolEnded(poolId, p.endsAt);
    }

    function _seat(uint256 poolId, address account) private view returns (CostLedger.Seat memory s) {
        s = _s.seats[poolId][account];
        if (!s.seated) revert CostSharingNotParticipant(poolId, account);
    }

    function _bit(CostLedger.Seat memory s) private pure returns (uint64) {
        return uint64(1) << s.index;
    }

    function _expense(uint256 expenseId) private view returns (CostLedger.Expense storage e) {
        e = _s.expenses[expenseId];
        if (e.poolId == 0) revert CostSharingUnknownExpense(expenseId);
    }

    function _expenseWithStatus(uint256 expenseId, ExpenseStatus status)
        private
        view
        returns (CostLedger.Expense storage e)
    {
        e = _expense(expenseId);
        if (e.status != status) revert CostSharingWrongExpenseStatus(expenseId, e.status);
    }

    function _sum(uint16[] calldata values) private pure returns (uint256 total) {
        for (uint256 i = 0; i < values.length; ++i) total += values[i];
    }

    function _revertNotMember(address account) internal pure override {
        revert CostSharingNotMember(account);
    }
}
