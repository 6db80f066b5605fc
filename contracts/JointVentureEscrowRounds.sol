// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ConsortiumGated} from "./ConsortiumGated.sol";
import {JointVentureEscrowState} from "./JointVentureEscrowState.sol";
import {IJointVentureEscrowRounds} from "./interfaces/IJointVentureEscrowRounds.sol";
import {AssetTransfer} from "./libraries/AssetTransfer.sol";
import {CumulativeSplit} from "./libraries/CumulativeSplit.sol";

/**
 * @title JointVentureEscrowRounds
 * @notice The sealed negotiation rounds of the JointVentureEscrow: the rules (allocation, bonds,
 * timing) are documented in {IJointVentureEscrowRounds}. A settled round creates its venture through
 * {_createVenture}, the path of `createVenture`, which JointVentureEscrow implements.
 * @dev Storage is packed for the per-partner actions: {commitPledge} and {revealPledge} touch the
 * round's slot 0 (deadlines, asset, counters), the partner's slot and its commitment word, nothing
 * else. The commitment word is written non-zero at open (a placeholder), so a commit overwrites a
 * non-zero slot. A pledge is stored only at its reveal.
 */
abstract contract JointVentureEscrowRounds is
    JointVentureEscrowState,
    ConsortiumGated,
    ReentrancyGuardTransient,
    IJointVentureEscrowRounds
{
    /// @notice Most partners a round may invite.
    uint256 internal constant MAX_ROUND_PARTNERS = 20;

    uint8 private constant _INVITED = 1;
    uint8 private constant _COMMITTED = 2;
    uint8 private constant _REVEALED = 3;
    bytes32 private constant _PLACEHOLDER = bytes32(uint256(1));

    struct RoundData {
        // slot 0 — read by commit, reveal and bond payouts; the counters written by commit and reveal
        address asset;
        uint40 commitDeadline;
        uint40 revealDeadline;
        uint8 committedCount;
        uint8 revealedCount;
        // slot 1
        address opener;
        uint40 fundingDeadline;
        uint40 longStop;
        uint8 partnerCount;
        // slot 2 — the outcome, written once by settleRound
        address beneficiary;
        uint32 quorum;
        RoundState outcome;
        bool finalized;
        uint48 ventureId;
        // slot 3
        uint112 budget;
        uint96 bond;
        // slot 4 — keccak256(abi.encode(name, partners, milestones)): settle takes them as calldata
        bytes32 listsHash;
    }

    /// @dev One slot per invited partner;
    /// `rank` is its place among the revealers (the split order of the forfeited bonds).
    struct RoundPartnerData {
        uint8 status;
        uint8 rank;
        bool bondWithdrawn;
        uint112 pledge;
    }

    uint256 internal _roundCount;
    mapping(uint256 roundId => RoundData) internal _rounds;
    mapping(uint256 roundId => string) internal _roundNames;
    mapping(uint256 roundId => address[]) internal _roundPartnerLists;
    mapping(uint256 roundId => uint256[]) internal _roundMilestones;
    mapping(uint256 roundId => mapping(address partner => RoundPartnerData)) internal _roundPartners;
    mapping(uint256 roundId => mapping(address partner => bytes32)) internal _commitments;

    // ------------------------------------------------------------------------------- opening

    /// @inheritdoc IJointVentureEscrowRounds
    function openRound(RoundTerms memory terms) external nonReentrant onlyMember returns (uint256 roundId) {
        uint256 n = terms.partners.length;
        if (n < 2 || n > MAX_ROUND_PARTNERS) revert JointVentureEscrowRoundInvalidPartnerCount(n, MAX_ROUND_PARTNERS);
        if (terms.budget == 0 || terms.budget > type(uint112).max || terms.bond > type(uint96).max || terms.quorum == 0) {
            revert JointVentureEscrowRoundInvalidAmounts(terms.budget, terms.bond, terms.quorum);
        }
        _checkParties(terms.beneficiary, terms.asset);
        _checkName(terms.name);
        uint256 milestoneTotal = _checkMilestones(terms.milestones);
        if (milestoneTotal > terms.budget) revert JointVentureEscrowMilestonesExceedTotal(milestoneTotal, terms.budget);
        _checkRoundDates(terms);

        roundId = ++_roundCount;
        _invite(roundId, terms.partners);
        RoundData storage r = _rounds[roundId];
        // Narrowing is safe: dates checked < 2**40 by _checkRoundDates; n <= 20; budget, bond checked above.
        (r.asset, r.commitDeadline, r.revealDeadline, r.committedCount, r.revealedCount) =
            (terms.asset, uint40(terms.commitDeadline), uint40(terms.revealDeadline), 0, 0);
        (r.opener, r.fundingDeadline, r.longStop, r.partnerCount) =
            (msg.sender, uint40(terms.fundingDeadline), uint40(terms.longStop), uint8(n));
        (r.beneficiary, r.quorum, r.outcome, r.finalized, r.ventureId) =
            (terms.beneficiary, terms.quorum, RoundState.Commit, false, 0);
        (r.budget, r.bond) = (uint112(terms.budget), uint96(terms.bond));
        r.listsHash = keccak256(abi.encode(terms.name, terms.partners, terms.milestones));
        _roundNames[roundId] = terms.name;
        _roundPartnerLists[roundId] = terms.partners;
        _roundMilestones[roundId] = terms.milestones;
        if (terms.bond != 0) _reserved[terms.asset] += terms.bond * n; // < 2**96 * 20
        _listAsset(terms.asset);
        emit RoundOpened(
            roundId, msg.sender, terms.asset, terms.budget, terms.bond, terms.commitDeadline, terms.revealDeadline,
            terms.name
        );
    }

    function _invite(uint256 roundId, address[] memory list) private {
        for (uint256 k; k < list.length; ++k) {
            address account = list[k];
            _requireMember(account);
            RoundPartnerData storage p = _roundPartners[roundId][account];
            if (p.status != 0) revert JointVentureEscrowRoundDuplicatePartner(account);
            p.status = _INVITED;
            _commitments[roundId][account] = _PLACEHOLDER;
            emit RoundPartnerInvited(roundId, account, k);
        }
    }

    function _checkRoundDates(RoundTerms memory terms) private view {
        (uint256 commitDeadline, uint256 revealDeadline, uint256 fundingDeadline) =
            (terms.commitDeadline, terms.revealDeadline, terms.fundingDeadline);
        if (commitDeadline <= block.timestamp || revealDeadline <= commitDeadline || fundingDeadline <= revealDeadline) {
            revert JointVentureEscrowRoundInvalidDates(commitDeadline, revealDeadline, fundingDeadline, block.timestamp);
        }
        _checkDates(fundingDeadline, terms.longStop);
    }

    // ---------------------------------------------------------------------- commit and reveal

    /// @inheritdoc IJointVentureEscrowRounds
    function commitPledge(uint256 roundId, bytes32 commitment) external payable nonReentrant {
        RoundData storage r = _rounds[roundId];
        if (block.timestamp > r.commitDeadline) _revertWrongPhase(roundId); // an unknown round has deadline 0
        RoundPartnerData storage p = _roundPartners[roundId][msg.sender];
        uint8 status = p.status;
        if (status != _INVITED) _revertStatus(roundId, msg.sender, status, true);
        uint256 bond = r.bond;
        address asset = r.asset;
        if (msg.value != (asset == address(0) ? bond : 0)) revert JointVentureEscrowRoundWrongBond(roundId, msg.value, bond);
        p.status = _COMMITTED;
        // Cannot overflow: one commit per invited partner, at most 20.
        unchecked {
            ++r.committedCount;
        }
        _commitments[roundId][msg.sender] = commitment;
        emit PledgeCommitted(roundId, msg.sender, commitment);
        // Effects are written: a token hook re-entering finds the final state (and the guard).
        if (asset != address(0) && bond != 0) AssetTransfer.pullExact(asset, bond);
    }

    /// @inheritdoc IJointVentureEscrowRounds
    function revealPledge(uint256 roundId, uint256 pledge, bytes32 salt) external {
        // Not nonReentrant: it calls out to nothing.
        RoundData storage r = _rounds[roundId];
        if (block.timestamp <= r.commitDeadline || block.timestamp > r.revealDeadline) _revertWrongPhase(roundId);
        RoundPartnerData storage p = _roundPartners[roundId][msg.sender];
        uint8 status = p.status;
        if (status != _COMMITTED) _revertStatus(roundId, msg.sender, status, false);
        bytes32 committed = _commitments[roundId][msg.sender];
        bytes32 computed = _pledgeCommitment(roundId, msg.sender, pledge, salt);
        if (computed != committed) {
            revert JointVentureEscrowRoundCommitmentMismatch(roundId, msg.sender, committed, computed);
        }
        uint8 rank = r.revealedCount;
        // Cannot overflow: one reveal per committed partner, at most 20.
        unchecked {
            r.revealedCount = rank + 1;
        }
        // A pledge above 2**112 - 1 (more than any budget) counts as 2**112 - 1.
        (p.status, p.rank, p.pledge) = (_REVEALED, rank, uint112(pledge > type(uint112).max ? type(uint112).max : pledge));
        emit PledgeRevealed(roundId, msg.sender, pledge);
    }

    // -------------------------------------------------------------------------------- settling

    /// @inheritdoc IJointVentureEscrowRounds
    function settleRound(
        uint256 roundId,
        string memory name,
        address[] memory partners,
        uint256[] memory milestones
    ) external nonReentrant returns (uint256 ventureId) {
        RoundData storage r = _existingRound(roundId);
        if (block.timestamp <= r.revealDeadline) _revertWrongPhase(roundId);
        if (r.finalized) revert JointVentureEscrowRoundAlreadySettled(roundId, r.outcome);
        bytes32 given = keccak256(abi.encode(name, partners, milestones));
        if (given != r.listsHash) revert JointVentureEscrowRoundListsMismatch(roundId);
        (address[] memory kept, uint256[] memory amounts, uint256 revealedTotal) = _allocate(roundId, r, partners);
        // The bonds of the partners that never committed will never be paid in: stop reserving them.
        // Cannot underflow or overflow: committedCount <= partnerCount <= 20, bond < 2**96.
        uint256 unused;
        unchecked {
            unused = uint256(r.bond) * (r.partnerCount - r.committedCount);
        }
        if (unused != 0) _reserved[r.asset] -= unused;
        uint256 n = kept.length;
        if (n == 0) {
            (r.finalized, r.outcome) = (true, RoundState.Failed);
            emit RoundFailed(roundId, revealedTotal, r.budget);
            return 0;
        }
        uint256 quorum = r.quorum < n ? r.quorum : n;
        VentureTerms memory terms = VentureTerms({
            name: name,
            asset: r.asset,
            beneficiary: r.beneficiary,
            partners: kept,
            contributions: amounts,
            milestones: milestones,
            fundingDeadline: r.fundingDeadline,
            longStop: r.longStop,
            quorum: uint32(quorum),
            dissolutionQuorum: uint32(n - quorum + 1)
        });
        ventureId = _createVenture(terms, r.opener, false);
        (r.finalized, r.outcome, r.ventureId) = (true, RoundState.Settled, uint48(ventureId));
        emit RoundSettled(roundId, ventureId, revealedTotal);
    }

    /**
     * @dev The allocation rule of {IJointVentureEscrowRounds}: the kept partners (revealed, pledge > 0,
     * still members) and their contributions, empty if the round fails; and the revealed total.
     * Loops over the round's partners (at most 20), at most 20 passes of the split.
     */
    function _allocate(uint256 roundId, RoundData storage r, address[] memory list)
        internal
        view
        returns (address[] memory kept, uint256[] memory amounts, uint256 revealedTotal)
    {
        uint256 n = list.length;
        kept = new address[](n);
        amounts = new uint256[](n);
        uint256 count = 0;
        uint256 weight = 0;
        for (uint256 k; k < n; ++k) {
            address account = list[k];
            RoundPartnerData storage p = _roundPartners[roundId][account];
            if (p.status != _REVEALED) continue;
            uint256 pledge = p.pledge;
            // Cannot overflow: at most 20 pledges < 2**112.
            unchecked {
                revealedTotal += pledge;
            }
            if (pledge == 0 || !_isMember(account)) continue;
            (kept[count], amounts[count]) = (account, pledge);
            unchecked {
                weight += pledge;
                ++count;
            }
        }
        uint256 budget = r.budget;
        if (weight < budget || block.timestamp >= r.fundingDeadline) count = 0;
        amounts = _split(kept, amounts, count, weight, budget);
    }

    /// @dev The cumulative-floor shares of `budget` of the first `count` partners of `kept` weighted by
    /// `weights` (`weight` their sum, >= budget), dropping the partners whose share is zero and splitting
    /// again over the rest; `kept` is compacted in place (order kept) and cut to the partners kept.
    function _split(address[] memory kept, uint256[] memory weights, uint256 count, uint256 weight, uint256 budget)
        private
        pure
        returns (uint256[] memory shares)
    {
        shares = new uint256[](count);
        while (true) {
            // One pass: the shares over the current partners, compacting out those whose share is
            // zero. The dropped shares are zero, so the kept shares add up to the budget and each is at
            // most its weight: the kept weights still add up to at least the budget (> 0).
            (uint256 before, uint256 next, uint256 rest) = (0, 0, weight);
            for (uint256 k; k < count; ++k) {
                uint256 w = weights[k];
                uint256 share = CumulativeSplit.part(budget, before, w, weight);
                // Cannot overflow: the weights add up to `weight` < 2**117.
                unchecked {
                    before += w;
                    if (share == 0) {
                        rest -= w;
                        continue;
                    }
                }
                (kept[next], weights[next], shares[next]) = (kept[k], w, share);
                unchecked {
                    ++next;
                }
            }
            if (next == count) break;
            (count, weight) = (next, rest);
        }
        assembly ("memory-safe") {
            mstore(kept, count)
            mstore(shares, count)
        }
    }

    // ----------------------------------------------------------------------------------- bonds

    /// @inheritdoc IJointVentureEscrowRounds
    function withdrawBond(uint256 roundId, address to) external nonReentrant {
        if (to == address(0)) revert JointVentureEscrowZeroRecipient();
        _payBond(roundId, msg.sender, to);
    }

    /// @inheritdoc IJointVentureEscrowRounds
    function pushBond(uint256 roundId, address partner) external nonReentrant {
        _payBond(roundId, partner, partner);
    }

    function _payBond(uint256 roundId, address partner, address to) private {
        RoundData storage r = _rounds[roundId];
        if (block.timestamp <= r.revealDeadline) _revertWrongPhase(roundId); // unknown: deadline 0
        RoundPartnerData storage p = _roundPartners[roundId][partner];
        uint8 status = p.status;
        if (status < _COMMITTED) _revertStatus(roundId, partner, status, false);
        if (p.bondWithdrawn) revert JointVentureEscrowRoundBondAlreadyWithdrawn(roundId, partner);
        uint256 amount = _bondRefund(r, p);
        if (amount == 0) revert JointVentureEscrowRoundNoBond(roundId, partner);
        p.bondWithdrawn = true;
        address asset = r.asset;
        // Cannot underflow: every bond paid out was reserved at open (see IJointVentureEscrowRounds).
        _reserved[asset] -= amount;
        emit BondWithdrawn(roundId, partner, to, amount);
        AssetTransfer.pay(asset, to, amount);
    }

    /// @dev A committed partner's bond refund (ignoring whether it was taken): its bond and an equal
    /// part of the forfeited bonds if it revealed; its bond if nobody revealed; else nothing.
    function _bondRefund(RoundData storage r, RoundPartnerData storage p) internal view returns (uint256) {
        uint256 bond = r.bond;
        uint256 revealed = r.revealedCount;
        if (p.status != _REVEALED) return revealed == 0 ? bond : 0;
        // Cannot overflow: bond < 2**96, revealed <= committed <= 20.
        unchecked {
            return bond + CumulativeSplit.part(bond * (r.committedCount - revealed), p.rank, 1, revealed);
        }
    }

    // ------------------------------------------------------------------------------------ views

    /// @inheritdoc IJointVentureEscrowRounds
    function roundCount() external view returns (uint256) {
        return _roundCount;
    }

    /// @inheritdoc IJointVentureEscrowRounds
    function round(uint256 roundId) external view returns (Round memory out) {
        RoundData storage r = _existingRound(roundId);
        (out.asset, out.opener, out.beneficiary) = (r.asset, r.opener, r.beneficiary);
        (out.commitDeadline, out.revealDeadline) = (r.commitDeadline, r.revealDeadline);
        (out.fundingDeadline, out.longStop, out.quorum) = (r.fundingDeadline, r.longStop, r.quorum);
        (out.partnerCount, out.committedCount, out.revealedCount) = (r.partnerCount, r.committedCount, r.revealedCount);
        (out.budget, out.bond, out.ventureId, out.finalized) = (r.budget, r.bond, r.ventureId, r.finalized);
        (out.state, out.revealedTotal) = _roundState(roundId, r);
    }

    /// @inheritdoc IJointVentureEscrowRounds
    function roundLists(uint256 roundId)
        external
        view
        returns (string memory name, address[] memory partners, uint256[] memory milestones)
    {
        _existingRound(roundId);
        (name, partners, milestones) = (_roundNames[roundId], _roundPartnerLists[roundId], _roundMilestones[roundId]);
    }

    /// @inheritdoc IJointVentureEscrowRounds
    function roundPartner(uint256 roundId, address partner) external view returns (RoundPartner memory out) {
        RoundData storage r = _existingRound(roundId);
        RoundPartnerData storage p = _roundPartners[roundId][partner];
        uint8 status = p.status;
        (out.invited, out.committed, out.revealed) = (status != 0, status >= _COMMITTED, status == _REVEALED);
        (out.bondWithdrawn, out.pledge) = (p.bondWithdrawn, p.pledge);
        if (status >= _COMMITTED) out.commitment = _commitments[roundId][partner];
        if (r.ventureId != 0) out.allocation = _partners[r.ventureId][partner].owed;
    }

    /// @inheritdoc IJointVentureEscrowRounds
    function bondRefundable(uint256 roundId, address partner) external view returns (uint256) {
        RoundData storage r = _existingRound(roundId);
        RoundPartnerData storage p = _roundPartners[roundId][partner];
        if (block.timestamp <= r.revealDeadline || p.status < _COMMITTED || p.bondWithdrawn) return 0;
        return _bondRefund(r, p);
    }

    // --------------------------------------------------------------------------------- internal

    /// @dev Creates a venture from checked terms with `creator` (JointVentureEscrow's createVenture path).
    function _createVenture(VentureTerms memory terms, address creator, bool checkMembers)
        internal
        virtual
        returns (uint256 ventureId);

    /// @dev As in {ConsortiumGated}, through {_isMember}: one copy of the consortium call in the bytecode.
    function _requireMember(address account) internal view override {
        if (!_isMember(account)) _revertNotMember(account);
    }

    /// @dev Whether `account` is a current member of the consortium (read at the consortium).
    function _isMember(address account) internal view returns (bool) {
        return consortium.isMember(account);
    }

    /// @dev The beneficiary is not zero; the asset is ether or a contract.
    function _checkParties(address beneficiary, address asset) internal view {
        if (beneficiary == address(0)) revert JointVentureEscrowZeroBeneficiary();
        if (asset != address(0) && asset.code.length == 0) revert JointVentureEscrowAssetNotContract(asset);
    }

    function _checkName(string memory name) internal pure {
        if (bytes(name).length > MAX_NAME_LENGTH) revert JointVentureEscrowInvalidName(bytes(name).length, MAX_NAME_LENGTH);
    }

    /// @dev The funding deadline is after now, at most MAX_FUNDING_PERIOD away; the long-stop after it,
    /// at most MAX_LONG_STOP from now.
    function _checkDates(uint256 deadline, uint256 longStop) internal view {
        uint256 latest = block.timestamp + MAX_FUNDING_PERIOD;
        if (deadline <= block.timestamp || deadline > latest) {
            revert JointVentureEscrowInvalidFundingDeadline(deadline, block.timestamp, latest);
        }
        latest = block.timestamp + MAX_LONG_STOP;
        if (longStop <= deadline || longStop > latest) revert JointVentureEscrowInvalidLongStop(longStop, deadline, latest);
    }

    /// @dev 1..MAX_MILESTONES milestones, none zero; returns their sum.
    function _checkMilestones(uint256[] memory milestones) internal pure returns (uint256 sum) {
        uint256 count = milestones.length;
        if (count == 0 || count > MAX_MILESTONES) revert JointVentureEscrowInvalidMilestoneCount(count, MAX_MILESTONES);
        for (uint256 i; i < count; ++i) {
            if (milestones[i] == 0) revert JointVentureEscrowZeroMilestone(i);
            sum += milestones[i];
        }
    }

    /// @dev Lists `asset` among the assets whose balances {sweepSurplus} protects.
    function _listAsset(address asset) internal {
        if (!_assetListed[asset]) {
            _assetListed[asset] = true;
            _assets.push(asset);
        }
    }

    function _pledgeCommitment(uint256 roundId, address partner, uint256 pledge, bytes32 salt)
        internal
        view
        returns (bytes32)
    {
        return keccak256(abi.encode(block.chainid, address(this), roundId, partner, pledge, salt));
    }

    function _existingRound(uint256 roundId) internal view returns (RoundData storage r) {
        r = _rounds[roundId];
        if (r.commitDeadline == 0) revert JointVentureEscrowRoundUnknown(roundId);
    }

    /// @dev The effective state: by time, then the stored outcome, or what {settleRound} would give.
   
    /// Also returns the revealed total.
    function _roundState(uint256 roundId, RoundData storage r) internal view returns (RoundState, uint256) {
        (address[] memory kept,, uint256 revealedTotal) = _allocate(roundId, r, _roundPartnerLists[roundId]);
        if (block.timestamp <= r.commitDeadline) return (RoundState.Commit, revealedTotal);
        if (block.timestamp <= r.revealDeadline) return (RoundState.Reveal, revealedTotal);
        if (r.finalized) return (r.outcome, revealedTotal);
        return (kept.length == 0 ? RoundState.Failed : RoundState.Settled, revealedTotal);
    }

    /// @dev Reverts for a partner whose `status` does not allow the action (`committing`: a commit).
    function _revertStatus(uint256 roundId, address account, uint8 status, bool committing) private pure {
        if (status == 0) revert JointVentureEscrowRoundNotInvited(roundId, account);
        if (status == _INVITED) revert JointVentureEscrowRoundNotCommitted(roundId, account);
        if (committing) revert JointVentureEscrowRoundAlreadyCommitted(roundId, account);
        revert JointVentureEscrowRoundAlreadyRevealed(roundId, account);
    }

    /// @dev Reverts with {JointVentureEscrowRoundWrongPhase} (or Unknown for an unknown round).
    function _revertWrongPhase(uint256 roundId) internal view {
        (RoundState state,) = _roundState(roundId, _existingRound(roundId));
        revert JointVentureEscrowRoundWrongPhase(roundId, state);
    }
}
