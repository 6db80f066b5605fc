// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ConsortiumGated} from "./ConsortiumGated.sol";
import {IConsortium} from "./interfaces/IConsortium.sol";
import {IJointVentureEscrow} from "./interfaces/IJointVentureEscrow.sol";
import {AssetTransfer} from "./libraries/AssetTransfer.sol";
import {CumulativeSplit} from "./libraries/CumulativeSplit.sol";

/**
 * @title JointVentureEscrow
 * @notice Joint ventures between consortium members: partners fund a venture together (ether or one
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
contract JointVentureEscrow is IJointVentureEscrow, ConsortiumGated, ReentrancyGuardTransient {
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

    /// @dev Storage layout: each hot path touches as few slots as it can (see the comments).
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

    uint256 private _ventureCount;
    mapping(uint256 ventureId => VentureData) private _ventures;
    mapping(uint256 ventureId => string) private _names;
    mapping(uint256 ventureId => address[]) private _partnerLists;
    mapping(uint256 ventureId => mapping(address partner => PartnerData)) private _partners;
    mapping(uint256 ventureId => mapping(address partner => uint256)) private _owedBefore;
    mapping(uint256 ventureId => mapping(uint256 index => MilestoneData)) private _milestones;
    mapping(address asset => uint256) private _reserved;
    address[] private _assets;
    mapping(address asset => bool) private _assetListed;

    /// @param consortium_ the Consortium contract; must have code.
    constructor(IConsortium consortium_) ConsortiumGated(consortium_) {
        if (address(consortium_).code.length == 0) revert JointVentureEscrowInvalidConsortium(address(consortium_));
    }

    // -------------------------------------------------------------------------------- creating

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
    function createVenture(VentureTerms calldata terms) external nonReentrant onlyMember returns (uint256 ventureId) {
        uint256 n = terms.partners.length;
        if (terms.beneficiary == address(0)) revert JointVentureEscrowZeroBeneficiary();
        if (terms.asset != address(0) && terms.asset.code.length == 0) revert JointVentureEscrowAssetNotContract(terms.asset);
        if (n != terms.contributions.length) revert JointVentureEscrowLengthMismatch(n, terms.contributions.length);
        if (n == 0 || n > MAX_PARTNERS) revert JointVentureEscrowInvalidPartnerCount(n, MAX_PARTNERS);
        uint256 mcount = terms.milestones.length;
        if (mcount == 0 || mcount > MAX_MILESTONES) revert JointVentureEscrowInvalidMilestoneCount(mcount, MAX_MILESTONES);
        if (terms.quorum == 0 || terms.quorum > n) revert JointVentureEscrowInvalidQuorum(terms.quorum, n);
        uint256 maxDissolution = n - terms.quorum + 1;
        if (terms.dissolutionQuorum == 0 || terms.dissolutionQuorum > maxDissolution) {
            revert JointVentureEscrowInvalidDissolutionQuorum(terms.dissolutionQuorum, maxDissolution);
        }
        _checkDates(terms.fundingDeadline, terms.longStop);
        if (bytes(terms.name).length > MAX_NAME_LENGTH) {
            revert JointVentureEscrowInvalidName(bytes(terms.name).length, MAX_NAME_LENGTH);
        }

        ventureId = ++_ventureCount;
        uint256 total = _addPartners(ventureId, terms.partners, terms.contributions);
        uint256 milestoneTotal = _addMilestones(ventureId, terms.milestones);
        if (milestoneTotal > total) revert JointVentureEscrowMilestonesExceedTotal(milestoneTotal, total);

        _record(ventureId, terms, total, milestoneTotal);
    }

    /// @dev Writes the venture header, reserves its total and emits {VentureCreated}.
    function _record(uint256 ventureId, VentureTerms calldata terms, uint256 total, uint256 milestoneTotal) private {
        _partnerLists[ventureId] = terms.partners;
        _names[ventureId] = terms.name;
        VentureData storage v = _ventures[ventureId];
        // Narrowing below is safe: partners, milestones <= 100; the dates are bounded by _checkDates
        // (< 2**40); quorums <= partners; total < 2**112 (checked by _addPartners); milestoneTotal <= total.
        (v.asset, v.fundingDeadline, v.longStop) = (terms.asset, uint40(terms.fundingDeadline), uint40(terms.longStop));
        (v.partnerCount, v.quorum, v.total) = (uint8(terms.partners.length), uint8(terms.quorum), uint112(total));
        (v.beneficiary, v.native, v.dissolutionQuorum, v.milestoneCount) =
            (terms.beneficiary, terms.asset == address(0), uint8(terms.dissolutionQuorum), uint8(terms.milestones.length));
        (v.milestoneTotal, v.reserve, v.creator) = (uint112(milestoneTotal), uint112(total), msg.sender);
        _reserved[terms.asset] += total;
        if (!_assetListed[terms.asset]) {
            _assetListed[terms.asset] = true;
            _assets.push(terms.asset);
        }
        emit VentureCreated(
            ventureId, msg.sender, terms.asset, terms.beneficiary, total, terms.fundingDeadline, terms.longStop,
            terms.quorum, terms.dissolutionQuorum, terms.name
        );
    }

    function _checkDates(uint256 deadline, uint256 longStop) private view {
        uint256 latest = block.timestamp + MAX_FUNDING_PERIOD;
        if (deadline <= block.timestamp || deadline > latest) {
            revert JointVentureEscrowInvalidFundingDeadline(deadline, block.timestamp, latest);
        }
        latest = block.timestamp + MAX_LONG_STOP;
        if (longStop <= deadline || longStop > latest) revert JointVentureEscrowInvalidLongStop(longStop, deadline, latest);
    }

    /// @dev Records the partners in order with their `C_(k-1)`; returns the total, < 2**112.
    function _addPartners(uint256 ventureId, address[] calldata list, uint256[] calldata contributions)
        private
        returns (uint256 total)
    {
        for (uint256 k; k < list.length; ++k) {
            address account = list[k];
            uint256 amount = contributions[k];
            if (account == address(0)) revert JointVentureEscrowZeroPartner(k);
            _requireMember(account);
            if (amount == 0) revert JointVentureEscrowZeroContribution(account);
            PartnerData storage p = _partners[ventureId][account];
            if (p.owed != 0) revert JointVentureEscrowDuplicatePartner(account);
            if (amount > type(uint112).max - total) revert JointVentureEscrowTotalTooLarge(total + amount, type(uint112).max);
            (p.owed, p.index) = (uint112(amount), uint8(k)); // amount < 2**112 - total; k < 100
            if (total != 0) _owedBefore[ventureId][account] = total;
            total += amount;
            emit ContributionSet(ventureId, account, k, amount);
        }
    }

    /// @dev Records the milestones; returns their sum (the caller checks it against the total).
    function _addMilestones(uint256 ventureId, uint256[] calldata milestones) private returns (uint256 sum) {
        for (uint256 i; i < milestones.length; ++i) {
            uint256 amount = milestones[i];
            if (amount == 0) revert JointVentureEscrowZeroMilestone(i);
            sum += amount;
            // Truncation impossible once the caller checked sum <= total < 2**112 (else it reverts).
            _milestones[ventureId][i].amount = uint112(amount);
            emit MilestoneSet(ventureId, i, amount);
        }
    }

    // --------------------------------------------------------------------------------- funding

    /**
     * @notice Pays `amount` towards the caller's contribution to venture `ventureId`: exactly `amount`
     * wei as `msg.value` for ether; for a token no ether, and this contract approved for `amount`
     * (exactly `amount` must arrive: fee-on-transfer tokens are refused). When the last contribution
     * is complete the venture becomes Active and the dissolution votes cast while funding are cleared.
     * Requirements: the venture is Funding and its deadline has not passed; the caller is a partner;
     * `0 < amount <= owed - paid`.
     */
    function deposit(uint256 ventureId, uint256 amount) external payable nonReentrant {
        VentureData storage v = _ventures[ventureId];
        if (v.state != State.Funding || block.timestamp >= v.fundingDeadline) {
            revert JointVentureEscrowInvalidState(ventureId, _effectiveState(ventureId));
        }
        PartnerData storage p = _partners[ventureId][msg.sender];
        uint256 owed = p.owed;
        if (owed == 0) revert JointVentureEscrowNotPartner(ventureId, msg.sender);
        if (amount == 0) revert JointVentureEscrowZeroDeposit(ventureId);
        uint256 paid = p.paid;
        // paid <= owed is an invariant of this function.
        uint256 remaining = owed - paid;
        if (amount > remaining) revert JointVentureEscrowDepositExceedsOwed(ventureId, msg.sender, amount, remaining);
        address asset = v.asset;
        if (msg.value != (asset == address(0) ? amount : 0)) {
            revert JointVentureEscrowWrongValue(ventureId, msg.value, amount);
        }
        // Cannot overflow: paid + amount <= owed < 2**112.
        unchecked {
            paid += amount;
        }
        p.paid = uint112(paid);
        emit Deposited(ventureId, msg.sender, amount, paid);
        if (paid >= owed) {
            // fundedPartners < partnerCount <= 100: each partner completes its contribution once.
            uint8 funded = v.fundedPartners + 1;
            v.fundedPartners = funded;
            if (funded >= v.partnerCount) {
                (v.state, v.voteRound, v.dissolutionVotes) = (State.Active, 1, 0);
                emit VentureActivated(ventureId);
            }
        }
        // Effects are written: a token hook re-entering finds the final state (and the guard).
        if (asset != address(0)) AssetTransfer.pullExact(asset, msg.sender, amount);
    }

    /**
     * @notice Writes down the cancellation of a venture whose funding deadline passed before it was
     * fully funded (a refund does the same on its way). Anyone may call it.
     * Requirements: the venture is stored as Funding and `block.timestamp >= fundingDeadline`.
     */
    function cancelExpired(uint256 ventureId) external nonReentrant {
        VentureData storage v = _existing(ventureId);
        if (v.state != State.Funding) revert JointVentureEscrowInvalidState(ventureId, v.state);
        if (block.timestamp < v.fundingDeadline) {
            revert JointVentureEscrowDeadlineNotPassed(ventureId, v.fundingDeadline, block.timestamp);
        }
        _cancel(v, ventureId, CancelReason.DeadlineMissed);
    }

    /**
     * @notice A partner cancels an Active venture whose long-stop date has passed: no more releases,
     * every partner refunds its share of what was not released.
     * Requirements: the venture is Active; `block.timestamp >= longStop`; the caller is a partner.
     */
    function cancelAfterLongStop(uint256 ventureId) external nonReentrant {
        VentureData storage v = _existing(ventureId);
        if (v.state != State.Active) revert JointVentureEscrowInvalidState(ventureId, _effectiveState(ventureId));
        if (block.timestamp < v.longStop) revert JointVentureEscrowLongStopNotPassed(ventureId, v.longStop, block.timestamp);
        _partnerOf(ventureId, msg.sender);
        _cancel(v, ventureId, CancelReason.LongStopPassed);
    }

    // ------------------------------------------------------------------------------ milestones

    /**
     * @notice The caller approves milestone `index` of venture `ventureId`; at the quorum the
     * milestone becomes releasable.
     * Requirements: the venture is Active; the caller is a partner and has not approved this milestone;
     * the milestone exists and is not released.
     */
    function approveMilestone(uint256 ventureId, uint256 index) external nonReentrant {
        VentureData storage v = _ventures[ventureId];
        if (v.state != State.Active) revert JointVentureEscrowInvalidState(ventureId, _effectiveState(ventureId));
        uint128 bit = uint128(1) << _partnerOf(ventureId, msg.sender).index; // index < 100
        MilestoneData storage m = _milestone(v, ventureId, index);
        if (m.state == MilestoneState.Released) revert JointVentureEscrowMilestoneAlreadyReleased(ventureId, index);
        if (m.approvedBy & bit != 0) revert JointVentureEscrowAlreadyApproved(ventureId, index, msg.sender);
        m.approvedBy |= bit;
        // approvals < partnerCount <= 100: one per partner.
        uint8 approvals = m.approvals + 1;
        m.approvals = approvals;
        emit MilestoneApproved(ventureId, index, msg.sender, approvals);
        if (approvals >= v.quorum && m.state == MilestoneState.Pending) {
            m.state = MilestoneState.Releasable;
            emit MilestoneReleasable(ventureId, index);
        }
    }

    /**
     * @notice Releases milestone `index` of venture `ventureId`: credits its amount to the beneficiary,
     * to be withdrawn or pushed. Releasing the last milestone completes the venture. Anyone may call it.
     * Requirements: the venture is Active; the milestone exists, reached the quorum and is not released.
     */
    function releaseMilestone(uint256 ventureId, uint256 index) external nonReentrant {
        VentureData storage v = _ventures[ventureId];
        if (v.state != State.Active) revert JointVentureEscrowInvalidState(ventureId, _effectiveState(ventureId));
        MilestoneData storage m = _milestone(v, ventureId, index);
        MilestoneState ms = m.state;
        if (ms == MilestoneState.Released) revert JointVentureEscrowMilestoneAlreadyReleased(ventureId, index);
        if (ms != MilestoneState.Releasable) revert JointVentureEscrowQuorumNotReached(ventureId, index, m.approvals, v.quorum);
        m.state = MilestoneState.Released;
        uint112 amount = m.amount;
        // Cannot overflow: released and withdrawable <= milestoneTotal <= total < 2**112;
        // milestonesReleased < milestoneCount <= 100.
        unchecked {
            v.released += amount;
            v.withdrawable += amount;
            ++v.milestonesReleased;
        }
        emit MilestoneReleased(ventureId, index, v.beneficiary, amount);
        if (v.milestonesReleased >= v.milestoneCount) {
            v.state = State.Completed;
            emit VentureCompleted(ventureId);
        }
    }

    /**
     * @notice The beneficiary of venture `ventureId` withdraws everything released and not yet paid,
     * to `to`. Works in every state.
     * Requirements: the caller is the beneficiary; `to` is not zero; something is left; the payment succeeds.
     */
    function withdraw(uint256 ventureId, address to) external nonReentrant {
        VentureData storage v = _ventures[ventureId];
        address beneficiary = v.beneficiary;
        if (msg.sender != beneficiary) {
            _existing(ventureId);
            revert JointVentureEscrowNotBeneficiary(ventureId, msg.sender, beneficiary);
        }
        if (to == address(0)) revert JointVentureEscrowZeroRecipient();
        _payBeneficiary(v, ventureId, beneficiary, to);
    }

    /**
     * @notice Pays everything released and not yet paid to the recorded beneficiary of venture
     * `ventureId`. Anyone may call it (for a beneficiary contract that cannot call {withdraw}).
     * Requirements: the venture exists; something is left; the payment succeeds.
     */
    function pushWithdrawal(uint256 ventureId) external nonReentrant {
        VentureData storage v = _ventures[ventureId];
        address beneficiary = v.beneficiary;
        if (beneficiary == address(0)) _existing(ventureId); // every venture has a beneficiary
        _payBeneficiary(v, ventureId, beneficiary, beneficiary);
    }

    // ------------------------------------------------------------------------------ dissolution

    /**
     * @notice The caller votes to dissolve venture `ventureId`; at the dissolution quorum it is
     * Cancelled: no more releases, partners refund. Votes cast while funding are cleared at activation.
     * Requirements: the venture is Funding (deadline not passed) or Active; the caller is a partner
     * without a standing vote.
     */
    function voteDissolution(uint256 ventureId) external nonReentrant {
        VentureData storage v = _votable(ventureId);
        PartnerData storage p = _partnerOf(ventureId, msg.sender);
        uint8 round = v.voteRound + 1; // voteRound <= 1
        if (p.votedRound == round) revert JointVentureEscrowAlreadyVoted(ventureId, msg.sender);
        p.votedRound = round;
        // votes < partnerCount <= 100: one standing vote per partner.
        uint8 votes = v.dissolutionVotes + 1;
        v.dissolutionVotes = votes;
        emit DissolutionVoted(ventureId, msg.sender, votes);
        if (votes >= v.dissolutionQuorum) _cancel(v, ventureId, CancelReason.Dissolved);
    }

    /**
     * @notice The caller withdraws its standing dissolution vote on venture `ventureId`.
     * Requirements: the venture is Funding (deadline not passed) or Active; the caller is a partner
     * with a vote standing in the current round.
     */
    function withdrawVote(uint256 ventureId) external nonReentrant {
        VentureData storage v = _votable(ventureId);
        PartnerData storage p = _partnerOf(ventureId, msg.sender);
        if (p.votedRound != v.voteRound + 1) revert JointVentureEscrowNotVoted(ventureId, msg.sender);
        p.votedRound = 0;
        // A standing vote of this round is counted in dissolutionVotes, so it is >= 1.
        uint8 votes = v.dissolutionVotes - 1;
        v.dissolutionVotes = votes;
        emit DissolutionVoteWithdrawn(ventureId, msg.sender, votes);
    }

    /**
     * @notice The caller takes its refund from venture `ventureId`, paid to `to`: what it paid minus
     * its part of what was released (the split rule above), once. A venture whose funding deadline
     * passed unfunded is cancelled on the way.
     * Requirements: the venture is Cancelled (or its deadline passed unfunded) or Completed; the caller
     * is a partner, not yet refunded, with a refund above zero; `to` is not zero; the payment succeeds.
     */
    function refund(uint256 ventureId, address to) external nonReentrant {
        if (to == address(0)) revert JointVentureEscrowZeroRecipient();
        _refund(ventureId, msg.sender, to);
    }

    /**
     * @notice Pays `account`'s refund from venture `ventureId` to `account` itself. Anyone may call it.
     * Requirements: as for {refund}, with `account` in place of the caller.
     */
    function pushRefund(uint256 ventureId, address account) external nonReentrant {
        _refund(ventureId, account, account);
    }

    // ------------------------------------------------------------------------------- governance

    /**
     * @notice Lowers venture `ventureId`'s reserve (its part of {reserved}) to what it still owes:
     * the beneficiary's unpaid credit plus every refund not yet taken. Anyone may call it; it loops over
     * the venture's partners (at most {MAX_PARTNERS}) and is on no path that moves a partner's money.
     * Requirements: the venture is no longer Funding (effective state) and reserves more than it owes.
     */
    function releaseReserve(uint256 ventureId) external nonReentrant {
        VentureData storage v = _existing(ventureId);
        State state = _effectiveState(ventureId);
        if (state == State.Funding) revert JointVentureEscrowInvalidState(ventureId, state);
        uint256 reserve = v.reserve;
        uint256 owes = _owes(v, ventureId, state);
        if (owes >= reserve) revert JointVentureEscrowNothingToRelease(ventureId, reserve);
        v.reserve = uint112(owes); // owes < reserve < 2**112
        // Cannot underflow: the venture's reserve is part of _reserved[asset].
        unchecked {
            _reserved[v.asset] -= reserve - owes;
        }
        emit ReserveReleased(ventureId, v.asset, reserve - owes, owes);
    }

    /**
     * @notice Sends `to` what this contract holds of `asset` (address(0): ether) beyond what ventures
     * reserve in it: forced ether, tokens sent directly. Afterwards every asset that a venture reserves
     * must still hold its balance from before (less the sweep itself), else everything reverts.
     * Requirements: called by the consortium (an executed proposal); `to` not zero; there is a surplus.
     */
    function sweepSurplus(address asset, address to) external nonReentrant {
        if (msg.sender != address(consortium)) revert JointVentureEscrowOnlyConsortium(msg.sender);
        if (to == address(0)) revert JointVentureEscrowZeroRecipient();
        address[] memory assets = _assets;
        uint256[] memory before = new uint256[](assets.length);
        for (uint256 i; i < assets.length; ++i) {
            if (_reserved[assets[i]] != 0) before[i] = AssetTransfer.balanceOf(assets[i], address(this));
        }
        uint256 balance = AssetTransfer.balanceOf(asset, address(this));
        uint256 reserved_ = _reserved[asset];
        if (balance <= reserved_) revert JointVentureEscrowNoSurplus(asset, balance, reserved_);
        uint256 amount = balance - reserved_;
        emit SurplusSwept(asset, to, amount);
        AssetTransfer.pay(asset, to, amount);
        for (uint256 i; i < assets.length; ++i) {
            if (_reserved[assets[i]] == 0) continue;
            uint256 expected = assets[i] == asset ? before[i] - amount : before[i];
            uint256 afterwards = AssetTransfer.balanceOf(assets[i], address(this));
            if (afterwards < expected) revert JointVentureEscrowSweepTouchedHeld(assets[i], afterwards, expected);
        }
    }

    // ------------------------------------------------------------------------------------ views

    /// @notice How many ventures were created (ids run from 1 to this).
    function ventureCount() external view returns (uint256) {
        return _ventureCount;
    }

    /// @notice Venture `ventureId` (its `state` is the stored one; see {ventureState}).
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

    /// @notice The name venture `ventureId` was created with.
    function ventureName(uint256 ventureId) external view returns (string memory) {
        _existing(ventureId);
        return _names[ventureId];
    }

    /// @notice The effective state: a Funding venture whose deadline passed is Cancelled.
    function ventureState(uint256 ventureId) external view returns (State) {
        _existing(ventureId);
        return _effectiveState(ventureId);
    }

    /// @notice The partners of venture `ventureId`, in creation order (the split order).
    function partners(uint256 ventureId) external view returns (address[] memory) {
        _existing(ventureId);
        return _partnerLists[ventureId];
    }

    /// @notice `account`'s position in venture `ventureId` (all zero if it is not a partner).
    function partner(uint256 ventureId, address account) external view returns (Partner memory) {
        VentureData storage v = _existing(ventureId);
        PartnerData storage p = _partners[ventureId][account];
        return Partner(
            p.owed, p.paid, _owedBefore[ventureId][account], p.index, p.refunded,
            p.owed != 0 && p.votedRound == v.voteRound + 1
        );
    }

    /// @notice Milestone `index` of venture `ventureId`.
    function milestone(uint256 ventureId, uint256 index) external view returns (Milestone memory) {
        MilestoneData storage m = _milestone(_existing(ventureId), ventureId, index);
        return Milestone(m.amount, m.approvals, m.state);
    }

    /// @notice Whether partner `account` approved milestone `index` of venture `ventureId`.
    function hasApproved(uint256 ventureId, uint256 index, address account) external view returns (bool) {
        MilestoneData storage m = _milestone(_existing(ventureId), ventureId, index);
        PartnerData storage p = _partners[ventureId][account];
        return p.owed != 0 && m.approvedBy & (uint128(1) << p.index) != 0;
    }

    /// @notice What `account` would get from {refund} now (0 if not refundable now or already refunded).
    function refundable(uint256 ventureId, address account) external view returns (uint256) {
        VentureData storage v = _existing(ventureId);
        State state = _effectiveState(ventureId);
        PartnerData storage p = _partners[ventureId][account];
        if ((state != State.Cancelled && state != State.Completed) || p.refunded) return 0;
        return _refundOf(v, ventureId, account, p);
    }

    /// @notice What the beneficiary of venture `ventureId` may withdraw now.
    function withdrawable(uint256 ventureId) external view returns (uint256) {
        return _existing(ventureId).withdrawable;
    }

    /// @notice What venture `ventureId` owes now: the beneficiary's unpaid credit plus every refund
    /// not yet taken (while funding: what the partners paid). Loops over the partners.
    function heldFor(uint256 ventureId) external view returns (uint256) {
        return _owes(_existing(ventureId), ventureId, _effectiveState(ventureId));
    }

    /// @notice What ventures reserve in `asset` (address(0): ether): an upper bound of what they owe.
    function reserved(address asset) external view returns (uint256) {
        return _reserved[asset];
    }

    /// @notice The dissolution votes venture `ventureId` needs to be cancelled, and how many stand.
    function dissolutionVotes(uint256 ventureId) external view returns (uint256 needed, uint256 standing) {
        VentureData storage v = _existing(ventureId);
        return (v.dissolutionQuorum, v.dissolutionVotes);
    }

    // --------------------------------------------------------------------------------- internal

    function _existing(uint256 ventureId) private view returns (VentureData storage v) {
        v = _ventures[ventureId];
        if (v.partnerCount == 0) revert JointVentureEscrowUnknownVenture(ventureId);
    }

    function _partnerOf(uint256 ventureId, address account) private view returns (PartnerData storage p) {
        p = _partners[ventureId][account];
        if (p.owed == 0) {
            _existing(ventureId);
            revert JointVentureEscrowNotPartner(ventureId, account);
        }
    }

    function _milestone(VentureData storage v, uint256 ventureId, uint256 index)
        private
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
    function _effectiveState(uint256 ventureId) private view returns (State) {
        VentureData storage v = _existing(ventureId);
        State state = v.state;
        if (state == State.Funding && block.timestamp >= v.fundingDeadline) return State.Cancelled;
        return state;
    }

    function _votable(uint256 ventureId) private view returns (VentureData storage v) {
        v = _ventures[ventureId];
        State state = _effectiveState(ventureId);
        if (state != State.Funding && state != State.Active) revert JointVentureEscrowInvalidState(ventureId, state);
    }

    function _cancel(VentureData storage v, uint256 ventureId, CancelReason reason) private {
        v.state = State.Cancelled;
        emit VentureCancelled(ventureId, reason);
    }

    function _payBeneficiary(VentureData storage v, uint256 ventureId, address beneficiary, address to) private {
        uint256 amount = v.withdrawable;
        if (amount == 0) revert JointVentureEscrowNothingToWithdraw(ventureId);
        v.withdrawable = 0;
        emit Withdrawn(ventureId, beneficiary, to, amount);
        AssetTransfer.pay(v.native ? address(0) : v.asset, to, amount);
    }

    function _refund(uint256 ventureId, address account, address to) private {
        VentureData storage v = _ventures[ventureId];
        State state = v.state;
        if (state == State.Funding) {
            state = _effectiveState(ventureId);
            if (state == State.Cancelled) _cancel(v, ventureId, CancelReason.DeadlineMissed);
        }
        if (state != State.Cancelled && state != State.Completed) revert JointVentureEscrowInvalidState(ventureId, state);
        PartnerData storage p = _partnerOf(ventureId, account);
        if (p.refunded) revert JointVentureEscrowAlreadyRefunded(ventureId, account);
        uint256 amount = _refundOf(v, ventureId, account, p);
        if (amount == 0) revert JointVentureEscrowNothingToRefund(ventureId, account);
        p.refunded = true;
        emit Refunded(ventureId, account, to, amount);
        AssetTransfer.pay(v.asset, to, amount);
    }

    /// @dev refund_k = paid_k - part_k(released): the cumulative-floor rule of {CumulativeSplit}.
    function _refundOf(VentureData storage v, uint256 ventureId, address account, PartnerData storage p)
        private
        view
        returns (uint256)
    {
        uint256 released = v.released;
        if (released == 0) return p.paid;
        // released > 0 only after activation, so paid == owed >= part.
        return p.paid - CumulativeSplit.part(released, _owedBefore[ventureId][account], p.owed, v.total);
    }

    /// @dev What the venture owes in `state` (its effective state). Loops over the partners.
    function _owes(VentureData storage v, uint256 ventureId, State state) private view returns (uint256 owes) {
        if (state == State.Active) return uint256(v.total) - (v.released - v.withdrawable);
        owes = v.withdrawable;
        address[] storage list = _partnerLists[ventureId];
        for (uint256 k; k < list.length; ++k) {
            PartnerData storage p = _partners[ventureId][list[k]];
            if (!p.refunded) owes += _refundOf(v, ventureId, list[k], p);
        }
    }

    function _revertNotMember(address account) internal pure override {
        revert JointVentureEscrowNotMember(account);
    }
}
