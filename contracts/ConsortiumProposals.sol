// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ConsortiumSignatures} from "./ConsortiumSignatures.sol";

/**
 * @title ConsortiumProposals
 * @notice What the chain keeps of recorded proposals, their thresholds, delays and life cycle, and the
 * views over them. The actions are in {Consortium}.
 *
 * @dev Design decisions:
 *
 * - **Hash-only.** A recorded proposal is one storage word (approvals bitmap, epoch, expiry, status,
 *   proposer's position, threshold), keyed by its id; objections and, with a wait, the earliest execution
 *   time share a second word written only when used. The call itself is only in {ProposalCreated}.
 *
 * - **Thresholds.** A decision needs `quorum` approvals, except exactly `removeMember(previous, account)` on
 *   this contract: `min(quorum, memberCount - 1)`, so removing a member (a lost key in an N-of-N consortium)
 *   never needs its own approval. A recorded proposal keeps the threshold it was created with (the
 *   configuration cannot change within its epoch).
 *
 * - **Delay and veto.** With an execution delay (fixed at deployment, 0 allowed, at most {MAX_DELAY}),
 *   a proposal that reaches its threshold is queued and executable `delay` seconds later; a revocation
 *   that takes it below its threshold dequeues it (the wait restarts when the threshold is reached
 *   again). A removal whose threshold is below the quorum waits at least {REMOVAL_DELAY}, also without an
 *   execution delay: otherwise either member of a 2-of-2 consortium could expel the other in one
 *   transaction and then spend alone. Objections, on chain or signed, cancel a live proposal at
 *   {objectionThreshold} = `min(quorum, memberCount - quorum + 1)`: a quorum can always cancel, and
 *   during a wait any `memberCount - quorum + 1` members — so many that the others cannot reach the
 *   quorum — veto. With quorum = memberCount one objection is a veto: an active member can stop even its
 *   own removal, a member that lost its key cannot.
 */
abstract contract ConsortiumProposals is ConsortiumSignatures {
    /// @notice Latest expiry of a decision, counted from its creation (or execution from signatures).
    uint256 public constant MAX_LIFETIME = 90 days;
    /// @notice Longest execution delay.
    uint256 public constant MAX_DELAY = 30 days;
    /// @notice Least wait of a removal whose threshold is below the quorum (see the contract's notes).
    uint256 public constant REMOVAL_DELAY = 7 days;

    enum Status {
        None,
        Active,
        Executed,
        Cancelled,
        Vetoed
    }

    /// One storage word per recorded proposal. Bit `p - 1` of `approvals` is the member at position `p`.
    struct Record {
        uint128 approvals;
        uint40 epoch;
        uint40 expiry;
        Status status;
        uint8 proposer; // position; 0 for a proposal created from signatures
        uint8 threshold;
    }

    /// Written only by objections and by queueing.
    struct Veto {
        uint128 objections;
        uint40 eta;
    }

    mapping(bytes32 proposalId => Record) internal _proposals;
    mapping(bytes32 proposalId => Veto) internal _vetoes;
    uint40 private immutable _delay;

    /// @dev Requirements: `delay <= MAX_DELAY`.
    constructor(uint256 delay) {
        if (delay > MAX_DELAY) revert ConsortiumInvalidDelay(delay, MAX_DELAY);
        _delay = uint40(delay);
    }

    // ------------------------------------------------------------------------------------ views

    /// @notice The execution delay in seconds (0: none), fixed at deployment.
    function executionDelay() external view returns (uint256) {
        return _delay;
    }

    /// @notice Objections that cancel a live proposal: `min(quorum, memberCount - quorum + 1)`.
    function objectionThreshold() public view returns (uint256) {
        Config memory config = _config;
        uint256 veto = uint256(config.memberCount) - config.quorum + 1;
        return veto < config.quorum ? veto : config.quorum;
    }

    /// @notice Approvals a decision calling `target` with `data` needs now.
    function thresholdFor(address target, bytes calldata data) external view returns (uint256) {
        return _thresholdOf(target, data);
    }

    /// @notice Seconds a proposal calling `target` with `data` would wait once approved, now: the execution
    /// delay, and at least {REMOVAL_DELAY} for a removal below the quorum.
    function delayFor(address target, bytes calldata data) external view returns (uint256) {
        return _delayFor(_thresholdOf(target, data));
    }

    /// @notice Life-cycle state of recorded proposal `proposalId` now. Requirements: it exists.
    function proposalState(bytes32 proposalId) external view returns (ProposalState) {
        return _state(proposalId, _known(proposalId));
    }

    /// @notice What the chain keeps of `proposalId`, with its state and counts now. Requirements: it exists.
    function proposal(bytes32 proposalId) external view returns (ProposalInfo memory info) {
        Record memory r = _known(proposalId);
        Veto memory v = _vetoes[proposalId];
        bool current = r.epoch == _config.epoch;
        info = ProposalInfo({
            state: _state(proposalId, r),
            proposer: current && r.proposer != 0 ? _memberAt(r.proposer) : address(0),
            epoch: r.epoch,
            expiry: r.expiry,
            eta: v.eta,
            threshold: r.threshold,
            approvals: _popCount(r.approvals),
            objections: _popCount(v.objections)
        });
    }

    /// @notice Members whose approval of `proposalId` is recorded (none for a proposal of an earlier epoch).
    /// Requirements: it exists.
    function approvers(bytes32 proposalId) external view returns (address[] memory) {
        Record memory r = _known(proposalId);
        return _accounts(r.epoch == _config.epoch ? r.approvals : 0);
    }

    /// @notice Members whose objection to `proposalId` is recorded (none for a proposal of an earlier epoch).
    /// Requirements: it exists.
    function objectors(bytes32 proposalId) external view returns (address[] memory) {
        Record memory r = _known(proposalId);
        return _accounts(r.epoch == _config.epoch ? _vetoes[proposalId].objections : 0);
    }

    /// @notice Whether `account` is a member whose approval of `proposalId` (of the current epoch) is recorded.
    function hasApproved(bytes32 proposalId, address account) external view returns (bool) {
        Record memory r = _proposals[proposalId];
        return r.epoch == _config.epoch && r.approvals & _bit(_positionOf(account)) != 0;
    }

    /// @notice Whether `account` is a member whose objection to `proposalId` (of the current epoch) is recorded.
    function hasObjected(bytes32 proposalId, address account) external view returns (bool) {
        return _proposals[proposalId].epoch == _config.epoch
            && _vetoes[proposalId].objections & _bit(_positionOf(account)) != 0;
    }

    // -------------------------------------------------------------------------------- internals

    /// Records live proposal `proposalId` (of the current epoch); reverts on a zero target, an expiry out
    /// of range or an existing id. Returns its threshold.
    function _create(
        bytes32 proposalId,
        address target,
        bytes calldata data,
        uint64 expiry,
        uint256 proposer,
        uint256 approvals
    ) internal returns (uint256 threshold) {
        if (target == address(0)) revert ConsortiumZeroAddress();
        threshold = _thresholdOf(target, data);
        _checkExpiry(expiry, _delayFor(threshold));
        if (_proposals[proposalId].status != Status.None) revert ConsortiumProposalExists(proposalId);
        // casts: `approvals` has bits below MAX_MEMBERS only, `expiry` <= now + 90 days, positions and
        // thresholds <= MAX_MEMBERS
        _proposals[proposalId] = Record({
            approvals: uint128(approvals),
            epoch: _config.epoch,
            expiry: uint40(expiry),
            status: Status.Active,
            proposer: uint8(proposer),
            threshold: uint8(threshold)
        });
    }

    /// Reverts unless `now + delay < expiry <= now + MAX_LIFETIME`.
    function _checkExpiry(uint64 expiry, uint256 delay) internal view {
        uint256 earliest = block.timestamp + delay;
        uint256 latest = block.timestamp + MAX_LIFETIME;
        if (expiry <= earliest || expiry > latest) revert ConsortiumInvalidExpiry(expiry, earliest, latest);
    }

    /// The proposal, if it is live: active, of the current epoch, not expired.
    function _live(bytes32 proposalId) internal view returns (Record storage p) {
        p = _proposals[proposalId];
        Record memory r = p;
        if (r.status != Status.Active || r.epoch != _config.epoch || block.timestamp >= r.expiry) {
            revert ConsortiumProposalNotLive(proposalId, _state(proposalId, _known(proposalId)));
        }
    }

    function _known(bytes32 proposalId) internal view returns (Record memory r) {
        r = _proposals[proposalId];
        if (r.status == Status.None) revert ConsortiumUnknownProposal(proposalId);
    }

    function _state(bytes32 proposalId, Record memory r) internal view returns (ProposalState) {
        if (r.status == Status.Executed) return ProposalState.Executed;
        if (r.status == Status.Cancelled) return ProposalState.Cancelled;
        if (r.status == Status.Vetoed) return ProposalState.Vetoed;
        if (r.epoch != _config.epoch) return ProposalState.Superseded;
        if (block.timestamp >= r.expiry) return ProposalState.Expired;
        if (_popCount(r.approvals) < r.threshold) return ProposalState.Open;
        if (_delayFor(r.threshold) != 0 && block.timestamp < _vetoes[proposalId].eta) return ProposalState.Queued;
        return ProposalState.Approved;
    }

    /// `quorum`, or `min(quorum, memberCount - 1)` for exactly `removeMember(previous, account)` on this contract.
    function _thresholdOf(address target, bytes calldata data) internal view returns (uint256) {
        Config memory config = _config;
        if (target == address(this) && data.length == 68 && bytes4(data) == this.removeMember.selector) {
            uint256 others = uint256(config.memberCount) - 1;
            if (others == 0) return 1; // removing the last member fails anyway (ConsortiumLastMember)
            return others < config.quorum ? others : config.quorum;
        }
        return config.quorum;
    }

    /// Seconds a proposal with `threshold` waits once approved (see {REMOVAL_DELAY}).
    function _delayFor(uint256 threshold) internal view returns (uint256) {
        if (threshold < _config.quorum) return _delay > REMOVAL_DELAY ? _delay : REMOVAL_DELAY;
        return _delay;
    }

    /// Starts the wait of a proposal that just reached `threshold`, if it has one.
    function _queue(bytes32 proposalId, uint256 threshold) internal {
        uint256 delay = _delayFor(threshold);
        if (delay == 0) return;
        uint40 eta = uint40(block.timestamp + delay); // cast: a timestamp plus at most 30 days
        _vetoes[proposalId].eta = eta;
        emit ProposalQueued(proposalId, eta);
    }

    /// Vetoes the proposal if `objections` reach {objectionThreshold}.
    function _vetoIfReached(Record storage p, bytes32 proposalId, uint256 objections) internal {
        if (objections < objectionThreshold()) return;
        p.status = Status.Vetoed;
        emit ProposalVetoed(proposalId, objections);
    }

    /// The current members whose bits are set in `bits`, by position (a view helper).
    function _accounts(uint256 bits) private view returns (address[] memory list) {
        list = new address[](_popCount(bits));
        uint256 n = 0;
        for (uint256 position = 1; bits != 0; ++position) {
            if (bits & 1 != 0) list[n++] = _memberAt(position);
            bits >>= 1;
        }
    }
}
