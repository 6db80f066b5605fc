// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {IConsortium} from "./interfaces/IConsortium.sol";

/**
 * @title JointVentureEscrow
 * @notice Joint ventures between consortium members: partners fund a venture together (ETH or one
 * ERC-20) and release the money to the venture's beneficiary milestone by milestone, each milestone
 * only once a quorum of partners approved it. A venture that misses its funding deadline, or that a
 * quorum of partners votes to dissolve, is cancelled and every partner takes back what it paid minus
 * its pro-rata part of what was already released, exact to the wei. Many ventures live in this one
 * contract; every action costs the same gas whatever the number of ventures, partners or milestones.
 *
 * @dev Life cycle (states only move forward):
 *
 *     Funding --(every contribution fully paid)--> Active --(last milestone released)--> Completed
 *        |                                            |
 *        +--(deadline passed unfunded, or dissolution vote at quorum)--> Cancelled <--(dissolution vote)
 *
 * A venture in Funding whose deadline has passed *is* cancelled ({ventureState} says so); the first
 * {refund} or a {cancelExpired} by anyone writes it down and emits {VentureCancelled}.
 *
 * Money flow (all payments out are pulled, never pushed):
 *
 * - {deposit}: a partner pays in, in one or several payments, never more than it owes. For an ERC-20
 *   the amount credited is what actually arrived (balance after minus balance before), so a
 *   fee-on-transfer token credits less than was sent; tokens returning no value are accepted and tokens
 *   returning `false` are refused (OpenZeppelin SafeERC20).
 * - {approveMilestone}: a partner approves a milestone (Active only). At the quorum it becomes releasable.
 * - {releaseMilestone}: anyone releases a releasable milestone (Active only): its amount is credited to
 *   the beneficiary, once. Releasing the last milestone completes the venture. Approval is a promise and
 *   release the payment: until a milestone is released, a dissolution vote can still stop it.
 * - {withdraw}: the beneficiary pulls everything released and not yet withdrawn (in any state).
 * - {refund}: once the venture is Cancelled or Completed, each partner pulls, once, its refund.
 *
 * **Pro-rata remainder rule (exact to the wei).** Let `T` be the venture's total of contributions,
 * `R` what was released to the beneficiary when the venture ended (no release happens afterwards), and
 * number the partners `1..n` in the order given to {createVenture}, partner `k` owing `o_k` and having
 * paid `p_k`, with `C_k = o_1 + ... + o_k` (`C_0 = 0`, `C_n = T`). Partner `k`'s refund is
 *
 *     refund_k = p_k - r_k,   r_k = floor(R * C_k / T) - floor(R * C_(k-1) / T)
 *
 * where `r_k` is partner `k`'s part of the released amount. Then:
 * - the parts add up exactly: `r_1 + ... + r_n = floor(R * T / T) = R` (the sum telescopes), so the
 *   refunds add up to exactly `deposited - R`: no wei is created and none is left behind;
 * - each part is the exact pro-rata share `R * o_k / T` rounded down or up, never off by a whole wei;
 *   the rounding lands on the partners whose cumulative sum crosses a multiple of `T / R`, which is
 *   deterministic and does not depend on who claims first;
 * - `0 <= r_k <= o_k`, so no refund is negative;
 * - `R > 0` only if the venture became Active, i.e. every partner paid exactly what it owed
 *   (`p_k = o_k`); a venture cancelled while funding has `R = 0`, so every partner gets back exactly
 *   what it paid (`refund_k = p_k`), whatever it paid;
 * - a Completed venture whose milestones sum to less than `T` returns the unallocated rest by the
 *   same rule (with `R` = the sum of the milestones).
 * `C_(k-1)` is stored per partner at creation, so a refund reads O(1) storage: no loop on any path that
 * moves funds.
 *
 * Other decisions:
 * - Partners, the creator and nobody else need to be members when the venture is created; a partner
 *   removed from the consortium later keeps its rights in the venture (its money is there). The
 *   beneficiary may be any address.
 * - The same quorum (1..number of partners) applies to milestone approvals and to the dissolution vote.
 *   Approvals and votes cannot be withdrawn.
 * - {withdraw} and {refund} take the address to pay (`to`), so a partner or beneficiary whose own
 *   address cannot receive (a reverting contract) can still get its money out; a failed payment
 *   reverts and changes nothing.
 * - Plain ETH transfers to this contract are refused (no `receive`). ETH forced in (self-destruct,
 *   coinbase) or tokens sent directly are never credited to anyone: the accounting never reads this
 *   contract's own balance except to measure an ERC-20 deposit. That surplus, `balance - totalHeld(asset)`,
 *   can only be swept by the consortium through a proposal ({sweepSurplus}).
 * - Amounts are stored as uint128: a venture's total is at most 2**128 - 1 base units.
 */
contract JointVentureEscrow is ReentrancyGuardTransient {
    using SafeERC20 for IERC20;
    using SafeCast for uint256;

    // ------------------------------------------------------------------------------------ types

    /// @notice Stored life cycle of a venture (see {ventureState} for the effective one).
    enum State {
        /// Partners are paying in; the funding deadline has not passed.
        Funding,
        /// Every contribution is paid; milestones are approved and released.
        Active,
        /// Every milestone was released; partners refund what the milestones did not use.
        Completed,
        /// Deadline missed or dissolved by vote; partners refund, no more releases.
        Cancelled
    }

    /// @notice Why a venture was cancelled.
    enum CancelReason {
        /// The funding deadline passed before every contribution was paid.
        DeadlineMissed,
        /// A quorum of partners voted to dissolve it.
        Dissolved
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

    /// @notice A venture as stored. `asset` is address(0) for ETH.
    struct Venture {
        address asset;
        uint64 fundingDeadline;
        uint32 partnerCount;
        address beneficiary;
        uint32 quorum;
        uint32 milestoneCount;
        uint32 milestonesReleased;
        State state;
        address creator;
        uint32 fundedPartners;
        uint32 dissolutionVotes;
        uint32 refundedPartners;
        uint128 total;
        uint128 deposited;
        uint128 released;
        uint128 withdrawn;
        uint128 refunded;
        uint128 milestoneTotal;
    }

    /// @notice What {createVenture} takes (see there).
    struct VentureTerms {
        string name;
        address asset;
        address beneficiary;
        address[] partners;
        uint256[] contributions;
        uint256[] milestones;
        uint64 fundingDeadline;
        uint32 quorum;
    }

    /// @notice A partner's position in a venture. `owedBefore` is the sum of the contributions of the
    /// partners listed before it (the `C_(k-1)` of the remainder rule).
    struct Partner {
        uint128 owed;
        uint128 paid;
        uint128 owedBefore;
        bool refunded;
        bool votedDissolution;
    }

    /// @notice A milestone: the amount it pays, the approvals it has, where it stands.
    struct Milestone {
        uint128 amount;
        uint32 approvals;
        MilestoneState state;
    }

    // ---------------------------------------------------------------------------------- errors

    /// @notice The caller is not a member of the consortium.
    error JointVentureEscrowNotMember(address account);
    /// @notice Only the consortium (an executed proposal) may call this.
    error JointVentureEscrowOnlyConsortium(address caller);
    /// @notice An address that must be set is zero (`what`: 0 consortium, 1 beneficiary, 2 partner, 3 recipient).
    error JointVentureEscrowZeroAddress(uint8 what);
    /// @notice No venture has id `ventureId`.
    error JointVentureEscrowUnknownVenture(uint256 ventureId);
    /// @notice The venture name is `length` bytes long, more than `max`.
    error JointVentureEscrowInvalidName(uint256 length, uint256 max);
    /// @notice `partners` and `contributions` differ in length.
    error JointVentureEscrowLengthMismatch(uint256 partners, uint256 contributions);
    /// @notice The number of partners is not within 1..`max`.
    error JointVentureEscrowInvalidPartnerCount(uint256 count, uint256 max);
    /// @notice `partner` is listed twice.
    error JointVentureEscrowDuplicatePartner(address partner);
    /// @notice `partner` would owe nothing.
    error JointVentureEscrowZeroContribution(address partner);
    /// @notice The number of milestones is not within 1..`max`.
    error JointVentureEscrowInvalidMilestoneCount(uint256 count, uint256 max);
    /// @notice Milestone `index` has amount zero.
    error JointVentureEscrowZeroMilestone(uint256 index);
    /// @notice The milestones add up to `milestoneTotal`, more than the contributions' `total`.
    error JointVentureEscrowMilestonesExceedTotal(uint256 milestoneTotal, uint256 total);
    /// @notice The quorum is not within 1..`partnerCount`.
    error JointVentureEscrowInvalidQuorum(uint256 quorum, uint256 partnerCount);
    /// @notice The funding deadline `deadline` is not after the current block's `timestamp`.
    error JointVentureEscrowInvalidDeadline(uint256 deadline, uint256 timestamp);
    /// @notice `account` is not a partner of venture `ventureId`.
    error JointVentureEscrowNotPartner(uint256 ventureId, address account);
    /// @notice Venture `ventureId` is in state `state` (effective), which does not allow this.
    error JointVentureEscrowInvalidState(uint256 ventureId, State state);
    /// @notice Venture `ventureId`'s funding deadline `deadline` has not passed yet (now `timestamp`).
    error JointVentureEscrowDeadlineNotPassed(uint256 ventureId, uint256 deadline, uint256 timestamp);
    /// @notice A deposit of zero, or one of which nothing arrived.
    error JointVentureEscrowZeroDeposit(uint256 ventureId);
    /// @notice `msg.value` does not fit the asset: for ETH it must equal `amount`, for a token be zero.
    error JointVentureEscrowWrongValue(uint256 ventureId, uint256 value, uint256 amount);
    /// @notice Crediting `credited` would exceed what `partner` still owes (`remaining`).
    error JointVentureEscrowDepositExceedsOwed(uint256 ventureId, address partner, uint256 credited, uint256 remaining);
    /// @notice Venture `ventureId` has no milestone `index` (it has `count`).
    error JointVentureEscrowUnknownMilestone(uint256 ventureId, uint256 index, uint256 count);
    /// @notice `partner` already approved milestone `index`.
    error JointVentureEscrowAlreadyApproved(uint256 ventureId, uint256 index, address partner);
    /// @notice Milestone `index` was already released.
    error JointVentureEscrowMilestoneAlreadyReleased(uint256 ventureId, uint256 index);
    /// @notice Milestone `index` has `approvals` approvals, below the `quorum`.
    error JointVentureEscrowQuorumNotReached(uint256 ventureId, uint256 index, uint256 approvals, uint256 quorum);
    /// @notice `partner` already voted to dissolve venture `ventureId`.
    error JointVentureEscrowAlreadyVoted(uint256 ventureId, address partner);
    /// @notice `caller` is not the beneficiary `beneficiary` of venture `ventureId`.
    error JointVentureEscrowNotBeneficiary(uint256 ventureId, address caller, address beneficiary);
    /// @notice Nothing released to the beneficiary of `ventureId` is left to withdraw.
    error JointVentureEscrowNothingToWithdraw(uint256 ventureId);
    /// @notice `partner` already took its refund from venture `ventureId`.
    error JointVentureEscrowAlreadyRefunded(uint256 ventureId, address partner);
    /// @notice `partner` has nothing to refund from venture `ventureId`.
    error JointVentureEscrowNothingToRefund(uint256 ventureId, address partner);
    /// @notice Sending `amount` wei to `to` failed (the receiver reverted); nothing changed.
    error JointVentureEscrowEtherTransferFailed(address to, uint256 amount);
    /// @notice This contract holds no more of `asset` than it owes (`balance` <= `held`).
    error JointVentureEscrowNoSurplus(address asset, uint256 balance, uint256 held);

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
        uint32 quorum,
        string name
    );
    /// @notice `partner` (number `index` from 0) owes `amount` to venture `ventureId`.
    event ContributionSet(uint256 indexed ventureId, address indexed partner, uint256 index, uint256 amount);
    /// @notice Milestone `index` of venture `ventureId` pays `amount`.
    event MilestoneSet(uint256 indexed ventureId, uint256 indexed index, uint256 amount);
    /// @notice `partner` deposited; `credited` is what arrived, `paid` its total so far.
    event Deposited(uint256 indexed ventureId, address indexed partner, uint256 credited, uint256 paid);
    /// @notice Every contribution of venture `ventureId` was paid: it became Active.
    event VentureActivated(uint256 indexed ventureId);
    /// @notice `partner` approved milestone `index`; it now has `approvals` approvals.
    event MilestoneApproved(uint256 indexed ventureId, uint256 indexed index, address indexed partner, uint256 approvals);
    /// @notice Milestone `index` reached the quorum and became releasable.
    event MilestoneReleasable(uint256 indexed ventureId, uint256 indexed index);
    /// @notice Milestone `index` was released: `amount` was credited to `beneficiary`.
    event MilestoneReleased(uint256 indexed ventureId, uint256 indexed index, address indexed beneficiary, uint256 amount);
    /// @notice The last milestone of venture `ventureId` was released.
    event VentureCompleted(uint256 indexed ventureId);
    /// @notice The beneficiary withdrew `amount` to `to`.
    event Withdrawn(uint256 indexed ventureId, address indexed beneficiary, address to, uint256 amount);
    /// @notice `partner` voted to dissolve venture `ventureId`; the vote now has `votes`.
    event DissolutionVoted(uint256 indexed ventureId, address indexed partner, uint256 votes);
    /// @notice Venture `ventureId` was cancelled for `reason`.
    event VentureCancelled(uint256 indexed ventureId, CancelReason reason);
    /// @notice `partner` took its refund of `amount`, paid to `to`.
    event Refunded(uint256 indexed ventureId, address indexed partner, address to, uint256 amount);
    /// @notice The consortium swept `amount` of `asset` that nobody was owed to `to`.
    event SurplusSwept(address indexed asset, address indexed to, uint256 amount);

    // ------------------------------------------------------------------------------- constants

    /// @notice Most partners a venture may have.
    uint256 public constant MAX_PARTNERS = 100;
    /// @notice Most milestones a venture may have.
    uint256 public constant MAX_MILESTONES = 100;
    /// @notice Longest venture name, in bytes.
    uint256 public constant MAX_NAME_LENGTH = 64;

    // --------------------------------------------------------------------------------- storage

    /// @notice The consortium whose members may create ventures and which alone may sweep surplus.
    IConsortium public immutable consortium;

    uint256 private _ventureCount;
    mapping(uint256 ventureId => Venture) private _ventures;
    mapping(uint256 ventureId => string) private _names;
    mapping(uint256 ventureId => address[]) private _partnerLists;
    mapping(uint256 ventureId => mapping(address partner => Partner)) private _partners;
    mapping(uint256 ventureId => mapping(uint256 index => Milestone)) private _milestones;
    mapping(uint256 ventureId => mapping(uint256 index => mapping(address partner => bool))) private _approved;
    mapping(address asset => uint256) private _totalHeld;

    /// @param consortium_ the Consortium contract (see contracts/Consortium.sol).
    constructor(IConsortium consortium_) {
        if (address(consortium_) == address(0)) revert JointVentureEscrowZeroAddress(0);
        consortium = consortium_;
    }

    // -------------------------------------------------------------------------------- creating

    /**
     * @notice Creates a venture with `terms` and returns its id (1, 2, ...). The fields of `terms`:
     * - `name`: a short name, at most {MAX_NAME_LENGTH} bytes (stored, not interpreted);
     * - `asset`: the ERC-20 the venture is funded in, or address(0) for ETH;
     * - `beneficiary`: who the milestones pay (any non-zero address);
     * - `partners`: the partners, each a current consortium member, no duplicates, 1..{MAX_PARTNERS};
     *   their order fixes the remainder rule (see the contract's documentation);
     * - `contributions`: what each partner owes, in the asset's base units, each > 0, total < 2**128;
     * - `milestones`: the milestone amounts, each > 0, 1..{MAX_MILESTONES} of them, summing to at most the total;
     * - `fundingDeadline`: unix time by which every contribution must be paid; must be in the future;
     * - `quorum`: partner approvals needed to release a milestone or to dissolve, 1..number of partners.
     * Requirements: the caller is a consortium member; the terms are valid as above.
     */
    function createVenture(VentureTerms calldata terms) external returns (uint256 ventureId) {
        IConsortium members = consortium;
        if (!members.isMember(msg.sender)) revert JointVentureEscrowNotMember(msg.sender);
        if (terms.beneficiary == address(0)) revert JointVentureEscrowZeroAddress(1);
        uint256 n = terms.partners.length;
        if (n != terms.contributions.length) revert JointVentureEscrowLengthMismatch(n, terms.contributions.length);
        if (n == 0 || n > MAX_PARTNERS) revert JointVentureEscrowInvalidPartnerCount(n, MAX_PARTNERS);
        uint256 mcount = terms.milestones.length;
        if (mcount == 0 || mcount > MAX_MILESTONES) revert JointVentureEscrowInvalidMilestoneCount(mcount, MAX_MILESTONES);
        if (terms.quorum == 0 || terms.quorum > n) revert JointVentureEscrowInvalidQuorum(terms.quorum, n);
        if (terms.fundingDeadline <= block.timestamp) {
            revert JointVentureEscrowInvalidDeadline(terms.fundingDeadline, block.timestamp);
        }
        if (bytes(terms.name).length > MAX_NAME_LENGTH) {
            revert JointVentureEscrowInvalidName(bytes(terms.name).length, MAX_NAME_LENGTH);
        }

        ventureId = ++_ventureCount;
        uint256 total = _addPartners(members, ventureId, terms.partners, terms.contributions);
        uint256 milestoneTotal = _addMilestones(ventureId, terms.milestones);
        if (milestoneTotal > total) revert JointVentureEscrowMilestonesExceedTotal(milestoneTotal, total);

        _partnerLists[ventureId] = terms.partners;
        _names[ventureId] = terms.name;
        Venture storage v = _ventures[ventureId];
        v.asset = terms.asset;
        v.fundingDeadline = terms.fundingDeadline;
        v.partnerCount = uint32(n); // n <= MAX_PARTNERS
        v.beneficiary = terms.beneficiary;
        v.quorum = terms.quorum;
        v.milestoneCount = uint32(mcount); // <= MAX_MILESTONES
        v.creator = msg.sender;
        v.total = uint128(total); // < 2**128: checked by _addPartners
        v.milestoneTotal = uint128(milestoneTotal); // <= total, checked above
        emit VentureCreated(
            ventureId, msg.sender, terms.asset, terms.beneficiary, total, terms.fundingDeadline, terms.quorum, terms.name
        );
    }

    /// @dev Records the partners in order with their `owedBefore` (C_(k-1)); returns the total, < 2**128.
    function _addPartners(
        IConsortium members,
        uint256 ventureId,
        address[] calldata partners_,
        uint256[] calldata contributions
    ) private returns (uint256 total) {
        for (uint256 k; k < partners_.length; ++k) {
            address account = partners_[k];
            uint256 amount = contributions[k];
            if (account == address(0)) revert JointVentureEscrowZeroAddress(2);
            if (!members.isMember(account)) revert JointVentureEscrowNotMember(account);
            if (amount == 0) revert JointVentureEscrowZeroContribution(account);
            Partner storage p = _partners[ventureId][account];
            if (p.owed != 0) revert JointVentureEscrowDuplicatePartner(account);
            p.owed = amount.toUint128();
            p.owedBefore = uint128(total); // < 2**128: checked at the previous iteration
            total += amount;
            // Keep the total (and so every C_k) below 2**128, as the refund arithmetic requires.
            if (total > type(uint128).max) revert SafeCast.SafeCastOverflowedUintDowncast(128, total);
            emit ContributionSet(ventureId, account, k, amount);
        }
    }

    /// @dev Records the milestones; returns their sum (the caller checks it against the total).
    function _addMilestones(uint256 ventureId, uint256[] calldata milestones) private returns (uint256 sum) {
        for (uint256 i; i < milestones.length; ++i) {
            uint256 amount = milestones[i];
            if (amount == 0) revert JointVentureEscrowZeroMilestone(i);
            sum += amount;
            // Truncation impossible once the caller checked sum <= total < 2**128 (else it reverts).
            _milestones[ventureId][i].amount = uint128(amount);
            emit MilestoneSet(ventureId, i, amount);
        }
    }

    // --------------------------------------------------------------------------------- funding

    /**
     * @notice Pays `amount` towards the caller's contribution to venture `ventureId`.
     * For an ETH venture send exactly `amount` wei as `msg.value`; for an ERC-20 venture send no ETH
     * and approve this contract for `amount` first. The amount credited is what actually arrived.
     * When the last contribution is complete the venture becomes Active.
     * Requirements: the venture is Funding and its deadline has not passed; the caller is a partner;
     * something arrives; the caller's credited total stays at most what it owes.
     */
    function deposit(uint256 ventureId, uint256 amount) external payable nonReentrant {
        Venture storage v = _existing(ventureId);
        if (v.state != State.Funding || block.timestamp >= v.fundingDeadline) {
            revert JointVentureEscrowInvalidState(ventureId, _effectiveState(v));
        }
        Partner storage p = _partners[ventureId][msg.sender];
        uint256 owed = p.owed;
        if (owed == 0) revert JointVentureEscrowNotPartner(ventureId, msg.sender);
        if (amount == 0) revert JointVentureEscrowZeroDeposit(ventureId);
        address asset = v.asset;
        uint256 credited;
        if (asset == address(0)) {
            if (msg.value != amount) revert JointVentureEscrowWrongValue(ventureId, msg.value, amount);
            credited = amount;
        } else {
            if (msg.value != 0) revert JointVentureEscrowWrongValue(ventureId, msg.value, amount);
            IERC20 token = IERC20(asset);
            uint256 before = token.balanceOf(address(this));
            token.safeTransferFrom(msg.sender, address(this), amount);
            uint256 afterwards = token.balanceOf(address(this));
            // A token whose balance shrinks on an incoming transfer credits nothing.
            credited = afterwards > before ? afterwards - before : 0;
            if (credited == 0) revert JointVentureEscrowZeroDeposit(ventureId);
        }
        uint256 paid = p.paid;
        // paid <= owed is an invariant of this function.
        uint256 remaining = owed - paid;
        if (credited > remaining) revert JointVentureEscrowDepositExceedsOwed(ventureId, msg.sender, credited, remaining);
        // Cannot overflow: paid + credited <= owed < 2**128, and deposited <= total < 2**128.
        unchecked {
            paid += credited;
            p.paid = uint128(paid);
            v.deposited += uint128(credited);
        }
        _totalHeld[asset] += credited;
        emit Deposited(ventureId, msg.sender, credited, paid);
        if (paid == owed) {
            // fundedPartners < partnerCount <= MAX_PARTNERS: a partner completes its contribution once.
            uint32 funded = ++v.fundedPartners;
            if (funded == v.partnerCount) {
                v.state = State.Active;
                emit VentureActivated(ventureId);
            }
        }
    }

    /**
     * @notice Writes down the cancellation of a venture whose funding deadline passed before it was
     * fully funded (a {refund} does the same on its way). Anyone may call it.
     * Requirements: the venture is stored as Funding and `block.timestamp >= fundingDeadline`.
     */
    function cancelExpired(uint256 ventureId) external {
        Venture storage v = _existing(ventureId);
        if (v.state != State.Funding) revert JointVentureEscrowInvalidState(ventureId, v.state);
        if (block.timestamp < v.fundingDeadline) {
            revert JointVentureEscrowDeadlineNotPassed(ventureId, v.fundingDeadline, block.timestamp);
        }
        v.state = State.Cancelled;
        emit VentureCancelled(ventureId, CancelReason.DeadlineMissed);
    }

    // ------------------------------------------------------------------------------ milestones

    /**
     * @notice The caller approves milestone `index` of venture `ventureId`; at the quorum the
     * milestone becomes releasable.
     * Requirements: the venture is Active; the caller is a partner and has not approved this milestone;
     * the milestone exists and is not released.
     */
    function approveMilestone(uint256 ventureId, uint256 index) external {
        Venture storage v = _existing(ventureId);
        if (v.state != State.Active) revert JointVentureEscrowInvalidState(ventureId, _effectiveState(v));
        if (_partners[ventureId][msg.sender].owed == 0) revert JointVentureEscrowNotPartner(ventureId, msg.sender);
        Milestone storage m = _milestone(v, ventureId, index);
        if (m.state == MilestoneState.Released) revert JointVentureEscrowMilestoneAlreadyReleased(ventureId, index);
        mapping(address => bool) storage approved = _approved[ventureId][index];
        if (approved[msg.sender]) revert JointVentureEscrowAlreadyApproved(ventureId, index, msg.sender);
        approved[msg.sender] = true;
        // approvals <= partnerCount <= MAX_PARTNERS: one per partner.
        uint32 approvals = ++m.approvals;
        emit MilestoneApproved(ventureId, index, msg.sender, approvals);
        if (approvals == v.quorum) {
            m.state = MilestoneState.Releasable;
            emit MilestoneReleasable(ventureId, index);
        }
    }

    /**
     * @notice Releases milestone `index` of venture `ventureId`: credits its amount to the beneficiary,
     * who then {withdraw}s it. Releasing the last milestone completes the venture. Anyone may call it.
     * Requirements: the venture is Active; the milestone exists, reached the quorum and is not released.
     */
    function releaseMilestone(uint256 ventureId, uint256 index) external {
        Venture storage v = _existing(ventureId);
        if (v.state != State.Active) revert JointVentureEscrowInvalidState(ventureId, _effectiveState(v));
        Milestone storage m = _milestone(v, ventureId, index);
        MilestoneState ms = m.state;
        if (ms == MilestoneState.Released) revert JointVentureEscrowMilestoneAlreadyReleased(ventureId, index);
        if (ms != MilestoneState.Releasable) {
            revert JointVentureEscrowQuorumNotReached(ventureId, index, m.approvals, v.quorum);
        }
        m.state = MilestoneState.Released;
        uint128 amount = m.amount;
        // Cannot overflow: released <= milestoneTotal <= total < 2**128; milestonesReleased <= milestoneCount.
        unchecked {
            v.released += amount;
            ++v.milestonesReleased;
        }
        emit MilestoneReleased(ventureId, index, v.beneficiary, amount);
        if (v.milestonesReleased == v.milestoneCount) {
            v.state = State.Completed;
            emit VentureCompleted(ventureId);
        }
    }

    /**
     * @notice The beneficiary of venture `ventureId` withdraws everything released and not yet
     * withdrawn, paid to `to` (in ETH or the venture's token). Works in every state.
     * Requirements: the caller is the beneficiary; `to` is not zero; something is left to withdraw;
     * the payment succeeds (otherwise nothing changes).
     */
    function withdraw(uint256 ventureId, address to) external nonReentrant {
        Venture storage v = _existing(ventureId);
        if (msg.sender != v.beneficiary) revert JointVentureEscrowNotBeneficiary(ventureId, msg.sender, v.beneficiary);
        if (to == address(0)) revert JointVentureEscrowZeroAddress(3);
        uint128 amount = v.released - v.withdrawn;
        if (amount == 0) revert JointVentureEscrowNothingToWithdraw(ventureId);
        v.withdrawn += amount;
        address asset = v.asset;
        _totalHeld[asset] -= amount;
        emit Withdrawn(ventureId, msg.sender, to, amount);
        _pay(asset, to, amount);
    }

    // ------------------------------------------------------------------------------ dissolution

    /**
     * @notice The caller votes to dissolve venture `ventureId`; at the quorum it is Cancelled: no more
     * releases, and partners {refund}.
     * Requirements: the venture is Funding (deadline not passed) or Active; the caller is a partner
     * and has not voted.
     */
    function voteDissolution(uint256 ventureId) external {
        Venture storage v = _existing(ventureId);
        State state = _effectiveState(v);
        if (state != State.Funding && state != State.Active) revert JointVentureEscrowInvalidState(ventureId, state);
        Partner storage p = _partners[ventureId][msg.sender];
        if (p.owed == 0) revert JointVentureEscrowNotPartner(ventureId, msg.sender);
        if (p.votedDissolution) revert JointVentureEscrowAlreadyVoted(ventureId, msg.sender);
        p.votedDissolution = true;
        // votes <= partnerCount <= MAX_PARTNERS: one per partner.
        uint32 votes = ++v.dissolutionVotes;
        emit DissolutionVoted(ventureId, msg.sender, votes);
        if (votes == v.quorum) {
            v.state = State.Cancelled;
            emit VentureCancelled(ventureId, CancelReason.Dissolved);
        }
    }

    /**
     * @notice The caller takes its refund from venture `ventureId`, paid to `to`: what it paid minus
     * its part of what was released (the remainder rule in the contract's documentation), once.
     * A venture whose funding deadline passed unfunded is cancelled on the way.
     * Requirements: the venture is Cancelled (or its deadline passed unfunded) or Completed; the caller
     * is a partner, has not been refunded, and its refund is not zero; the payment succeeds.
     */
    function refund(uint256 ventureId, address to) external nonReentrant {
        Venture storage v = _existing(ventureId);
        State state = v.state;
        if (state == State.Funding && block.timestamp >= v.fundingDeadline) {
            state = State.Cancelled;
            v.state = State.Cancelled;
            emit VentureCancelled(ventureId, CancelReason.DeadlineMissed);
        }
        if (state != State.Cancelled && state != State.Completed) revert JointVentureEscrowInvalidState(ventureId, state);
        if (to == address(0)) revert JointVentureEscrowZeroAddress(3);
        Partner storage p = _partners[ventureId][msg.sender];
        if (p.owed == 0) revert JointVentureEscrowNotPartner(ventureId, msg.sender);
        if (p.refunded) revert JointVentureEscrowAlreadyRefunded(ventureId, msg.sender);
        uint256 amount = _refundOf(v, p);
        if (amount == 0) revert JointVentureEscrowNothingToRefund(ventureId, msg.sender);
        p.refunded = true;
        // Cannot overflow: refunds add up to at most deposited < 2**128; refundedPartners <= partnerCount.
        unchecked {
            v.refunded += uint128(amount);
            ++v.refundedPartners;
        }
        address asset = v.asset;
        _totalHeld[asset] -= amount;
        emit Refunded(ventureId, msg.sender, to, amount);
        _pay(asset, to, amount);
    }

    // ------------------------------------------------------------------------------- governance

    /**
     * @notice Sends `to` whatever of `asset` (address(0) for ETH) this contract holds beyond what it
     * owes to ventures: ETH forced in, tokens sent directly, rounding gifts of odd tokens.
     * Requirements: called by the consortium (an executed proposal); `to` not zero; there is a surplus.
     */
    function sweepSurplus(address asset, address to) external nonReentrant {
        if (msg.sender != address(consortium)) revert JointVentureEscrowOnlyConsortium(msg.sender);
        if (to == address(0)) revert JointVentureEscrowZeroAddress(3);
        uint256 balance = asset == address(0) ? address(this).balance : IERC20(asset).balanceOf(address(this));
        uint256 held = _totalHeld[asset];
        if (balance <= held) revert JointVentureEscrowNoSurplus(asset, balance, held);
        uint256 amount = balance - held;
        emit SurplusSwept(asset, to, amount);
        _pay(asset, to, amount);
    }

    // ------------------------------------------------------------------------------------ views

    /// @notice How many ventures were created (ids run from 1 to this).
    function ventureCount() external view returns (uint256) {
        return _ventureCount;
    }

    /// @notice Venture `ventureId` as stored (its `state` is the stored one; see {ventureState}).
    function venture(uint256 ventureId) external view returns (Venture memory) {
        return _existing(ventureId);
    }

    /// @notice The name venture `ventureId` was created with.
    function ventureName(uint256 ventureId) external view returns (string memory) {
        _existing(ventureId);
        return _names[ventureId];
    }

    /// @notice The effective state: a Funding venture whose deadline passed is Cancelled.
    function ventureState(uint256 ventureId) external view returns (State) {
        return _effectiveState(_existing(ventureId));
    }

    /// @notice The partners of venture `ventureId`, in creation order (the remainder rule's order).
    function partners(uint256 ventureId) external view returns (address[] memory) {
        _existing(ventureId);
        return _partnerLists[ventureId];
    }

    /// @notice `account`'s position in venture `ventureId` (all zero if it is not a partner).
    function partner(uint256 ventureId, address account) external view returns (Partner memory) {
        _existing(ventureId);
        return _partners[ventureId][account];
    }

    /// @notice Milestone `index` of venture `ventureId`.
    function milestone(uint256 ventureId, uint256 index) external view returns (Milestone memory) {
        return _milestone(_existing(ventureId), ventureId, index);
    }

    /// @notice Whether partner `account` approved milestone `index` of venture `ventureId`.
    function hasApproved(uint256 ventureId, uint256 index, address account) external view returns (bool) {
        _milestone(_existing(ventureId), ventureId, index);
        return _approved[ventureId][index][account];
    }

    /// @notice What `account` would get from {refund} now (0 if not refundable now or already refunded).
    function refundable(uint256 ventureId, address account) external view returns (uint256) {
        Venture storage v = _existing(ventureId);
        State state = _effectiveState(v);
        Partner storage p = _partners[ventureId][account];
        if ((state != State.Cancelled && state != State.Completed) || p.refunded) return 0;
        return _refundOf(v, p);
    }

    /// @notice What the beneficiary of venture `ventureId` may {withdraw} now.
    function withdrawable(uint256 ventureId) external view returns (uint256) {
        Venture storage v = _existing(ventureId);
        return v.released - v.withdrawn;
    }

    /// @notice What this contract holds for venture `ventureId`: deposited - withdrawn - refunded.
    function heldFor(uint256 ventureId) external view returns (uint256) {
        Venture storage v = _existing(ventureId);
        return uint256(v.deposited) - v.withdrawn - v.refunded;
    }

    /// @notice What this contract owes, over all ventures, in `asset` (address(0) for ETH).
    function totalHeld(address asset) external view returns (uint256) {
        return _totalHeld[asset];
    }

    // --------------------------------------------------------------------------------- internal

    function _existing(uint256 ventureId) private view returns (Venture storage v) {
        if (ventureId == 0 || ventureId > _ventureCount) revert JointVentureEscrowUnknownVenture(ventureId);
        return _ventures[ventureId];
    }

    function _milestone(Venture storage v, uint256 ventureId, uint256 index) private view returns (Milestone storage) {
        if (index >= v.milestoneCount) revert JointVentureEscrowUnknownMilestone(ventureId, index, v.milestoneCount);
        return _milestones[ventureId][index];
    }

    function _effectiveState(Venture storage v) private view returns (State) {
        State state = v.state;
        if (state == State.Funding && block.timestamp >= v.fundingDeadline) return State.Cancelled;
        return state;
    }

    /// @dev refund_k = p_k - (floor(R*C_k/T) - floor(R*C_(k-1)/T)); see the remainder rule above.
    function _refundOf(Venture storage v, Partner storage p) private view returns (uint256) {
        uint256 released = v.released;
        uint256 paid = p.paid;
        if (released == 0) return paid;
        uint256 total = v.total;
        uint256 before = p.owedBefore;
        uint256 through = before + p.owed;
        // No overflow: released, before and through are all <= total < 2**128, so each product < 2**256.
        uint256 part = (released * through) / total - (released * before) / total;
        // released > 0 only after the venture was fully funded, so paid == owed >= part.
        return paid - part;
    }

    function _pay(address asset, address to, uint256 amount) private {
        if (asset == address(0)) {
            (bool ok,) = to.call{value: amount}("");
            if (!ok) revert JointVentureEscrowEtherTransferFailed(to, amount);
        } else {
            IERC20(asset).safeTransfer(to, amount);
        }
    }
}
