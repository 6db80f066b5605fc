// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/**
 * @title IJointVentureEscrowRounds
 * @notice Sealed negotiation rounds of the JointVentureEscrow (issue 17): competitors settle what each
 * brings to a venture without showing their hand while they negotiate. The JointVentureEscrow
 * implements it (see {JointVentureEscrowRounds}); a settled round creates the venture through the same
 * internal path as {IJointVentureEscrow-createVenture}, with the round's opener as its creator.
 *
 * @dev Life cycle (effective state by time, like {IJointVentureEscrow-ventureState}):
 *
 *     Commit (t <= commitDeadline) --> Reveal (commitDeadline < t <= revealDeadline)
 *        --> Settled | Failed (t > revealDeadline: what {settleRound} gives; it writes it down)
 *
 * 1. A member opens a round ({openRound}): the venture's name, asset, beneficiary, milestones, dates
 *    and quorum, its budget, a bond, and 2..20 invited partners (current members).
 *    The largest bond exposure (`bond * partners`) is reserved at once in {IJointVentureEscrow-reserved}.
 * 2. Each invited partner commits once ({commitPledge}) the hash of its pledge, a secret salt, its
 *    address, the round, this contract and the chain (see {commitPledge}), paying the bond. Nothing of
 *    a pledge is stored or emitted before its reveal; pledges themselves are never paid into the round.
 *    There is deliberately no view that computes the hash: calling one on a node would show the pledge
 *    to the node's operator before its reveal. Compute it locally.
 * 3. After the commit deadline, until the reveal deadline included, each committed partner reveals
 *    ({revealPledge}); the contract checks the hash. A pledge above 2**112 - 1 (more than any budget)
 *    counts as 2**112 - 1.
 * 4. After the reveal deadline anyone settles ({settleRound}); settling earlier is refused even if every
 *    committed partner revealed (one rule, no race with a late reveal). The settler passes the round's
 *    name, partners and milestones back ({roundLists}); the contract checks them against the hash it
 *    recorded at open, so they cannot be changed.
 *
 * **Allocation rule** (fixed for every round). The kept partners are the revealers with a pledge above
 * zero that are still consortium members at settle (an expelled revealer is left out, so that it cannot
 * block the round), in invitation order. If the kept pledges add up to less than the budget, or the
 * venture's funding deadline has passed at settle, the round Fails. Otherwise each kept partner's
 * contribution is its cumulative-floor share ({CumulativeSplit-part}) of the budget weighted by its
 * pledge over the kept partners: the contributions add up to exactly the budget and none exceeds its
 * pledge. A partner whose share rounds to zero is left out too and the split is computed again over
 * the partners kept (at most 20 passes; the kept pledges still cover the budget).
 * The venture is created in Funding with these contributions, the round's milestones, beneficiary,
 * funding deadline and long-stop; release quorum `min(quorum, n)` and dissolution quorum
 * `n - quorum' + 1` (the easiest exit the escrow allows), `n` the kept partners. Partners then deposit
 * as in any venture.
 *
 * **Bonds.** Every revealer gets its bond back, whatever the outcome. The bonds of committed partners
 * that did not reveal are forfeited to the revealers in equal parts (cumulative floor by reveal order,
 * exact to the wei); if nobody revealed, every committed partner gets its own bond back. Bonds are
 * paid out only by pull ({withdrawBond}) or push ({pushBond}) after the reveal deadline (no settle
 * needed, no payment loop). Bonds always count in {IJointVentureEscrow-reserved}, so that
 * {IJointVentureEscrow-sweepSurplus} can never take them.
 *
 * Every state-changing function that calls out is `nonReentrant`; transfers are exact (fee-on-transfer refused).
 */
interface IJointVentureEscrowRounds {
    // ------------------------------------------------------------------------------------ types

    /// @notice Effective state of a round (by time; see the life cycle above).
    enum RoundState {
        /// Commitments accepted (block.timestamp <= commitDeadline).
        Commit,
        /// Reveals accepted (commitDeadline < block.timestamp <= revealDeadline).
        Reveal,
        /// After the reveal deadline, the kept pledges cover the budget: a venture is (or will be) created.
        Settled,
        /// After the reveal deadline, the round failed (pledges short, or funding deadline passed).
        Failed
    }

    /// @notice What {openRound} takes.
    struct RoundTerms {
        /// At most {IJointVentureEscrow-MAX_NAME_LENGTH} bytes; becomes the venture's name.
        string name;
        /// address(0) = ether; budget, bond and venture in this asset.
        address asset;
        /// Total the venture needs (0 < budget < 2**112).
        uint256 budget;
        /// Refundable bond per committing partner (0 = no bond; at most 2**96 - 1).
        uint256 bond;
        /// Who the venture's milestones pay (not zero).
        address beneficiary;
        /// Invited members, 2..20, no duplicates; their order is the split order.
        address[] partners;
        /// The venture's milestones (1..{IJointVentureEscrow-MAX_MILESTONES}, each > 0), sum <= budget.
        uint256[] milestones;
        /// Commits accepted while block.timestamp <= commitDeadline.
        uint64 commitDeadline;
        /// Reveals accepted while commitDeadline < block.timestamp <= revealDeadline.
        uint64 revealDeadline;
        /// The venture's funding deadline (> revealDeadline).
        uint64 fundingDeadline;
        /// The venture's long-stop date.
        uint64 longStop;
        /// Venture release quorum (>= 1), capped at settle to the number of venture partners.
        uint32 quorum;
    }

    /// @notice A round as {round} shows it. `state` is the effective one; `finalized` whether
    /// {settleRound} ran; `revealedTotal` the sum of the revealed pledges (0 while nobody revealed);
    /// `ventureId` the venture created (0 until settled, and for a failed round).
    struct Round {
        address asset;
        address opener;
        address beneficiary;
        uint64 commitDeadline;
        uint64 revealDeadline;
        uint64 fundingDeadline;
        uint64 longStop;
        uint32 quorum;
        uint32 partnerCount;
        uint32 committedCount;
        uint32 revealedCount;
        RoundState state;
        uint256 budget;
        uint256 bond;
        uint256 revealedTotal;
        uint256 ventureId;
        bool finalized;
    }

    /// @notice An invited partner's position in a round. `pledge` is 0 until revealed; `allocation`
    /// (its contribution to the venture) 0 until settled, and for a partner left out.
    struct RoundPartner {
        bool invited;
        bool committed;
        bool revealed;
        bool bondWithdrawn;
        bytes32 commitment;
        uint256 pledge;
        uint256 allocation;
    }

    // ---------------------------------------------------------------------------------- errors

    /// @notice No round has id `roundId`.
    error JointVentureEscrowRoundUnknown(uint256 roundId);
    /// @notice A round needs 2..`max` invited partners; `count` were given.
    error JointVentureEscrowRoundInvalidPartnerCount(uint256 count, uint256 max);
    /// @notice `partner` is invited twice.
    error JointVentureEscrowRoundDuplicatePartner(address partner);
    /// @notice The budget must be 1..2**112 - 1, the bond at most 2**96 - 1 and the quorum at least 1;
    /// `budget`, `bond` and `quorum` were given.
    error JointVentureEscrowRoundInvalidAmounts(uint256 budget, uint256 bond, uint256 quorum);
    /// @notice The dates are not in order: `timestamp` (now) < `commitDeadline` < `revealDeadline` < `fundingDeadline`.
    error JointVentureEscrowRoundInvalidDates(
        uint256 commitDeadline, uint256 revealDeadline, uint256 fundingDeadline, uint256 timestamp
    );
    /// @notice Round `roundId` is in (effective) state `state`, which does not allow this.
    error JointVentureEscrowRoundWrongPhase(uint256 roundId, RoundState state);
    /// @notice `account` is not invited to round `roundId`.
    error JointVentureEscrowRoundNotInvited(uint256 roundId, address account);
    /// @notice `partner` already committed in round `roundId`.
    error JointVentureEscrowRoundAlreadyCommitted(uint256 roundId, address partner);
    /// @notice `partner` did not commit in round `roundId`.
    error JointVentureEscrowRoundNotCommitted(uint256 roundId, address partner);
    /// @notice `partner` already revealed in round `roundId`.
    error JointVentureEscrowRoundAlreadyRevealed(uint256 roundId, address partner);
    /// @notice `msg.value` (`value`) does not fit: the bond `bond` for an ether round, 0 for a token round.
    error JointVentureEscrowRoundWrongBond(uint256 roundId, uint256 value, uint256 bond);
    /// @notice The revealed (pledge, salt) of `partner` hash to `computed`, not to its commitment `committed`.
    error JointVentureEscrowRoundCommitmentMismatch(uint256 roundId, address partner, bytes32 committed, bytes32 computed);
    /// @notice Round `roundId` was already settled (or failed) by {settleRound}.
    error JointVentureEscrowRoundAlreadySettled(uint256 roundId, RoundState state);
    /// @notice `partner` has no bond to take from round `roundId` (none paid, or forfeited).
    error JointVentureEscrowRoundNoBond(uint256 roundId, address partner);
    /// @notice `partner` already took its bond from round `roundId`.
    error JointVentureEscrowRoundBondAlreadyWithdrawn(uint256 roundId, address partner);
    /// @notice The name, partners and milestones given to {settleRound} hash to `given`, not to the
    /// round's recorded `recorded` (they are not the ones round `roundId` was opened with).
    error JointVentureEscrowRoundListsMismatch(uint256 roundId);

    // ---------------------------------------------------------------------------------- events

    /// @notice Round `roundId` was opened by `opener`; its partners follow as {RoundPartnerInvited}.
    event RoundOpened(
        uint256 indexed roundId,
        address indexed opener,
        address indexed asset,
        uint256 budget,
        uint256 bond,
        uint64 commitDeadline,
        uint64 revealDeadline,
        string name
    );
    /// @notice `partner` (number `index` from 0, the split order) is invited to round `roundId`.
    event RoundPartnerInvited(uint256 indexed roundId, address indexed partner, uint256 index);
    /// @notice `partner` committed `commitment` (and paid the bond) in round `roundId`.
    event PledgeCommitted(uint256 indexed roundId, address indexed partner, bytes32 commitment);
    /// @notice `partner` revealed its pledge `pledge` in round `roundId`.
    event PledgeRevealed(uint256 indexed roundId, address indexed partner, uint256 pledge);
    /// @notice Round `roundId` settled into venture `ventureId`; the revealed pledges added up to `revealedTotal`.
    event RoundSettled(uint256 indexed roundId, uint256 indexed ventureId, uint256 revealedTotal);
    /// @notice Round `roundId` failed: the kept pledges (`revealedTotal` revealed in all) did not cover
    /// `budget`, or the funding deadline had passed.
    event RoundFailed(uint256 indexed roundId, uint256 revealedTotal, uint256 budget);
    /// @notice `partner`'s bond refund of `amount` from round `roundId` was paid to `to`.
    event BondWithdrawn(uint256 indexed roundId, address indexed partner, address to, uint256 amount);

    // ------------------------------------------------------------------------------- functions

    /**
     * @notice Opens a sealed round with `terms` and returns its id (1, 2, ...); reserves
     * `bond * partners` of the asset. Requirements: the caller and every partner are current members;
     * `name` at most MAX_NAME_LENGTH bytes; `asset` address(0) or a contract; `beneficiary` not zero;
     * `0 < budget < 2**112`; `bond < 2**96`; 2..20 partners, no duplicates;
     * 1..MAX_MILESTONES milestones, each > 0, sum <= budget; `now < commitDeadline < revealDeadline <
     * fundingDeadline <= now + MAX_FUNDING_PERIOD`; `fundingDeadline < longStop <= now + MAX_LONG_STOP`;
     * `quorum >= 1`.
     */
    function openRound(RoundTerms memory terms) external returns (uint256 roundId);

    /**
     * @notice The caller commits `commitment` = keccak256(abi.encode(block.chainid, address(this),
     * roundId, caller, pledge, salt)), computed off chain (`salt` 32 secret random bytes), and
     * pays the bond: exactly `bond` wei as `msg.value` for ether; for a token no ether and this
     * contract approved for `bond` (exactly `bond` must arrive).
     * Requirements: the round is in its commit phase (block.timestamp <= commitDeadline); the caller
     * is invited and has not committed.
     */
    function commitPledge(uint256 roundId, bytes32 commitment) external payable;

    /**
     * @notice The caller reveals its `pledge` and `salt`; the contract checks them against its commitment.
     * Requirements: the round is in its reveal phase (commitDeadline < block.timestamp <= revealDeadline);
     * the caller committed and has not revealed; the hash matches.
     */
    function revealPledge(uint256 roundId, uint256 pledge, bytes32 salt) external;

    /**
     * @notice Settles round `roundId` by the allocation rule: creates the venture and returns its id,
     * or writes the round down as Failed and returns 0. Either way releases the bond exposure of the
     * partners that did not commit. Anyone may call it. Loops over the round's partners only.
     * The caller passes the round's `name`, `partners` and `milestones` back exactly as opened (as
     * {roundLists} returns them): the contract checks their hash against the one recorded at open
     * instead of reading them from storage again, which keeps settling within 30,000 gas of creating
     * the same venture directly. Lists that are not the round's own are refused, so the caller cannot
     * change the venture.
     * Requirements: block.timestamp > revealDeadline; not settled before; `keccak256(abi.encode(name,
     * partners, milestones))` equals the hash recorded at open.
     */
    function settleRound(
        uint256 roundId,
        string memory name,
        address[] memory partners,
        uint256[] memory milestones
    ) external returns (uint256 ventureId);

    /**
     * @notice The caller takes its bond refund ({bondRefundable}) from round `roundId`, paid to `to`.
     * Requirements: block.timestamp > revealDeadline; the caller committed, has a refund above zero and
     * did not take it; `to` is not zero; the payment succeeds.
     */
    function withdrawBond(uint256 roundId, address to) external;

    /**
     * @notice Pays `partner`'s bond refund from round `roundId` to `partner` itself. Anyone may call it.
     * Requirements: as for {withdrawBond}, with `partner` in place of the caller.
     */
    function pushBond(uint256 roundId, address partner) external;

    /// @notice How many rounds were opened (ids run from 1 to this).
    function roundCount() external view returns (uint256);

    /// @notice Round `roundId` (its `state` is the effective one).
    function round(uint256 roundId) external view returns (Round memory);

    /// @notice The name (the venture's name), the invited partners (in invitation, that is split,
    /// order) and the milestones (the venture's) round `roundId` was opened with: what {settleRound}
    /// takes back.
    function roundLists(uint256 roundId)
        external
        view
        returns (string memory name, address[] memory partners, uint256[] memory milestones);

    /// @notice `partner`'s position in round `roundId` (all zero if it is not invited).
    function roundPartner(uint256 roundId, address partner) external view returns (RoundPartner memory);

    /// @notice What `partner` would get from {withdrawBond} now (0 before the reveal deadline, after
    /// it took its bond, or if its bond is forfeited).
    function bondRefundable(uint256 roundId, address partner) external view returns (uint256);
}
