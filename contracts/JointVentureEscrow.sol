// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ConsortiumGated} from "./ConsortiumGated.sol";
import {IConsortium} from "./interfaces/IConsortium.sol";
import {JointVentureEscrowRounds} from "./JointVentureEscrowRounds.sol";
import {IJointVentureEscrow} from "./interfaces/IJointVentureEscrow.sol";
import {AssetTransfer} from "./libraries/AssetTransfer.sol";

/**
 * @title JointVentureEscrow
 * @notice Joint ventures between consortium members, funded together and released milestone by
 * milestone; whoever can block a release can always get out. The behaviour (life cycle, exits, money
 * flow, the reserve books) is documented in {IJointVentureEscrow}, the split rule in {CumulativeSplit};
 * the bounds, storage layout and views are in {JointVentureEscrowState}, the sealed negotiation rounds
 * (issue 17) in {JointVentureEscrowRounds}; this file has every state-changing function of the ventures.
 */
contract JointVentureEscrow is JointVentureEscrowRounds {
    /// @param consortium_ the Consortium contract; must have code.
    constructor(IConsortium consortium_) ConsortiumGated(consortium_) {
        if (address(consortium_).code.length == 0) revert JointVentureEscrowInvalidConsortium(address(consortium_));
    }

    // -------------------------------------------------------------------------------- creating

    /// @inheritdoc IJointVentureEscrow
    function createVenture(VentureTerms memory terms) external nonReentrant onlyMember returns (uint256 ventureId) {
        return _createVenture(terms, msg.sender, true);
    }

    /// @dev Checks `terms` and creates the venture with `creator` as its creator: the one path of
    /// {createVenture} and of a settled round. `checkMembers` false skips the partners' membership
    /// check (a round checked it while allocating, in the same transaction).
    function _createVenture(VentureTerms memory terms, address creator, bool checkMembers)
        internal
        override
        returns (uint256 ventureId)
    {
        uint256 n = terms.partners.length;
        _checkParties(terms.beneficiary, terms.asset);
        if (n != terms.contributions.length) revert JointVentureEscrowLengthMismatch(n, terms.contributions.length);
        if (n == 0 || n > MAX_PARTNERS) revert JointVentureEscrowInvalidPartnerCount(n, MAX_PARTNERS);
        uint256 milestoneTotal = _checkMilestones(terms.milestones);
        if (terms.quorum == 0 || terms.quorum > n) revert JointVentureEscrowInvalidQuorum(terms.quorum, n);
        uint256 maxDissolution = n - terms.quorum + 1;
        if (terms.dissolutionQuorum == 0 || terms.dissolutionQuorum > maxDissolution) {
            revert JointVentureEscrowInvalidDissolutionQuorum(terms.dissolutionQuorum, maxDissolution);
        }
        _checkDates(terms.fundingDeadline, terms.longStop);
        _checkName(terms.name);

        ventureId = ++_ventureCount;
        uint256 total = _addPartners(ventureId, terms.partners, terms.contributions, checkMembers);
        _addMilestones(ventureId, terms.milestones);
        if (milestoneTotal > total) revert JointVentureEscrowMilestonesExceedTotal(milestoneTotal, total);

        _record(ventureId, terms, total, milestoneTotal, creator);
    }

    /// @dev Writes the venture header, reserves its total and emits {VentureCreated}.
    function _record(uint256 ventureId, VentureTerms memory terms, uint256 total, uint256 milestoneTotal, address creator)
        private
    {
        _partnerLists[ventureId] = terms.partners;
        _names[ventureId] = terms.name;
        VentureData storage v = _ventures[ventureId];
        // Narrowing below is safe: partners, milestones <= 100; the dates are bounded by _checkDates
        // (< 2**40); quorums <= partners; total < 2**112 (checked by _addPartners); milestoneTotal <= total.
        (v.asset, v.fundingDeadline, v.longStop) = (terms.asset, uint40(terms.fundingDeadline), uint40(terms.longStop));
        (v.partnerCount, v.quorum, v.total) = (uint8(terms.partners.length), uint8(terms.quorum), uint112(total));
        (v.beneficiary, v.native, v.dissolutionQuorum, v.milestoneCount) =
            (terms.beneficiary, terms.asset == address(0), uint8(terms.dissolutionQuorum), uint8(terms.milestones.length));
        (v.milestoneTotal, v.reserve, v.creator) = (uint112(milestoneTotal), uint112(total), creator);
        _reserved[terms.asset] += total;
        _listAsset(terms.asset);
        emit VentureCreated(
            ventureId, creator, terms.asset, terms.beneficiary, total, terms.fundingDeadline, terms.longStop,
            terms.quorum, terms.dissolutionQuorum, terms.name
        );
    }

    /// @dev Records the partners in order with their `C_(k-1)`; returns the total, < 2**112.
    function _addPartners(uint256 ventureId, address[] memory list, uint256[] memory contributions, bool checkMembers)
        private
        returns (uint256 total)
    {
        for (uint256 k; k < list.length; ++k) {
            address account = list[k];
            uint256 amount = contributions[k];
            if (account == address(0)) revert JointVentureEscrowZeroPartner(k);
            if (checkMembers) _requireMember(account);
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

    /// @dev Records the milestones (checked by _checkMilestones; the caller checks their sum against the total).
    function _addMilestones(uint256 ventureId, uint256[] memory milestones) private {
        for (uint256 i; i < milestones.length; ++i) {
            uint256 amount = milestones[i];
            // Truncation impossible once the caller checked sum <= total < 2**112 (else it reverts).
            _milestones[ventureId][i].amount = uint112(amount);
            emit MilestoneSet(ventureId, i, amount);
        }
    }

    // --------------------------------------------------------------------------------- funding

    /// @inheritdoc IJointVentureEscrow
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
        if (asset != address(0)) AssetTransfer.pullExact(asset, amount);
    }

    /// @inheritdoc IJointVentureEscrow
    function cancelExpired(uint256 ventureId) external nonReentrant {
        VentureData storage v = _existing(ventureId);
        if (v.state != State.Funding) revert JointVentureEscrowInvalidState(ventureId, v.state);
        if (block.timestamp < v.fundingDeadline) {
            revert JointVentureEscrowDeadlineNotPassed(ventureId, v.fundingDeadline, block.timestamp);
        }
        _cancel(v, ventureId, CancelReason.DeadlineMissed);
    }

    /// @inheritdoc IJointVentureEscrow
    function cancelAfterLongStop(uint256 ventureId) external nonReentrant {
        VentureData storage v = _existing(ventureId);
        if (v.state != State.Active) revert JointVentureEscrowInvalidState(ventureId, _effectiveState(ventureId));
        if (block.timestamp < v.longStop) revert JointVentureEscrowLongStopNotPassed(ventureId, v.longStop, block.timestamp);
        _partnerOf(ventureId, msg.sender);
        _cancel(v, ventureId, CancelReason.LongStopPassed);
    }

    // ------------------------------------------------------------------------------ milestones

    /// @inheritdoc IJointVentureEscrow
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

    /// @inheritdoc IJointVentureEscrow
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

    /// @inheritdoc IJointVentureEscrow
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

    /// @inheritdoc IJointVentureEscrow
    function pushWithdrawal(uint256 ventureId) external nonReentrant {
        VentureData storage v = _ventures[ventureId];
        address beneficiary = v.beneficiary;
        if (beneficiary == address(0)) _existing(ventureId); // every venture has a beneficiary
        _payBeneficiary(v, ventureId, beneficiary, beneficiary);
    }

    // ------------------------------------------------------------------------------ dissolution

    /// @inheritdoc IJointVentureEscrow
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

    /// @inheritdoc IJointVentureEscrow
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

    /// @inheritdoc IJointVentureEscrow
    function refund(uint256 ventureId, address to) external nonReentrant {
        if (to == address(0)) revert JointVentureEscrowZeroRecipient();
        _refund(ventureId, msg.sender, to);
    }

    /// @inheritdoc IJointVentureEscrow
    function pushRefund(uint256 ventureId, address account) external nonReentrant {
        _refund(ventureId, account, account);
    }

    // ------------------------------------------------------------------------------- governance

    /// @inheritdoc IJointVentureEscrow
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

    /// @inheritdoc IJointVentureEscrow
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

    // --------------------------------------------------------------------------------- internal

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

    function _revertNotMember(address account) internal pure override {
        revert JointVentureEscrowNotMember(account);
    }
}
