// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";

import {ConsortiumMembership} from "./ConsortiumMembership.sol";
import {ConsortiumProposals} from "./ConsortiumProposals.sol";

/**
 * @title Consortium
 * @notice M-of-N governance of a consortium of competing companies. Every admin power — admitting or
 * removing a member, changing the quorum, and any action another contract lets the consortium take — is
 * a decision that members approve, on chain or by EIP-712 signatures gathered off chain, and that anyone
 * executes once its threshold is met. After deployment no address has a privileged role.
 *
 * @dev Layers, as Safe's managers: {ConsortiumMembership} (members, labels, quorum, configuration epoch),
 * {ConsortiumSignatures} (typed data and signature checks), {ConsortiumProposals} (records, thresholds,
 * delay and veto, views), and here the actions. Design decisions:
 *
 * - **Two ways to decide.** (1) A *recorded proposal* (`nonce` 0): {propose} by a member, or
 *   {proposeWithSignatures} by anyone with members' signed approvals; approvals then come on chain
 *   ({approve}), signed ({approveWithSignatures}, or given to {execute}), counted together, each member
 *   once; {execute} takes the call back and checks it against the id. (2) A *decision executed from
 *   signatures* ({executeWithSignatures}, one transaction, when the decision has no wait): nothing is
 *   recorded but its events; it carries the next {decisionNonce}, as a Safe transaction carries the
 *   Safe's nonce, so its execution spends its signatures. Decisions of the second kind execute in nonce
 *   order; recorded proposals are independent of each other.
 *
 * - **No revival.** Proposals and signatures belong to the configuration epoch they were made in (see
 *   {ConsortiumMembership}): from the next membership or quorum change on they are `Superseded` for
 *   good. Expiry is capped at {MAX_LIFETIME}. The proposer's approval is recorded with its proposal
 *   (proposing is approving; it may revoke). The proposer alone may cancel until the threshold is reached;
 *   after that only objections can stop it; a non-member cannot cancel (an expelled proposer's proposals
 *   are superseded anyway). A cancelled or vetoed id stays spent: to propose the same call again, change
 *   the description.
 *
 * - **Execution** calls `target` with `value` wei and `data`; revert data is bubbled up unchanged (a
 *   failing self-call shows this contract's own error); a revert without data raises
 *   {ConsortiumExecutionFailed}; a reverted execution changes nothing. Calldata to an address without
 *   code is refused (a typo would otherwise "succeed"). Both execute paths are not reentrant and mark the
 *   decision executed (or spend the nonce) before the call. {multicall} (OpenZeppelin) lets one decision
 *   carry several calls to this contract atomically; each inner call checks its own caller.
 */
contract Consortium is ConsortiumProposals, ReentrancyGuardTransient, Multicall {
    /**
     * @notice Founds the consortium. The deployer gets no role.
     * @dev Requirements: those of {ConsortiumMembership}'s constructor; `delay <= MAX_DELAY`. Starts epoch 1
     * and decision nonce 1.
     * @param initialMembers Founding members' addresses.
     * @param labels Their labels, in the same order.
     * @param initialQuorum Approvals needed to execute a decision.
     * @param delay Seconds an approved proposal waits before execution (0: none), for good.
     * @param allowSingleApproval Whether a quorum of 1 is allowed with two or more members.
     */
    constructor(
        address[] memory initialMembers,
        string[] memory labels,
        uint256 initialQuorum,
        uint256 delay,
        bool allowSingleApproval
    ) ConsortiumMembership(initialMembers, labels, initialQuorum, allowSingleApproval) ConsortiumProposals(delay) {
        _config.nonce = 1; // 0 is the nonce of every recorded proposal
    }

    /// @notice Accepts ether, which decisions may then spend. Emits {EtherReceived}.
    receive() external payable {
        emit EtherReceived(msg.sender, msg.value);
    }

    // ---------------------------------------------------------------------------- proposing

    /**
     * @notice Proposes that the consortium call `target` with `value` wei and `data`, and records the
     * proposer's approval. Queues the proposal if that approval meets its threshold (with a delay).
     * @dev Requirements: caller is a member; `target` is not zero; `now + delayFor(target, data) < expiry <=
     * now + MAX_LIFETIME`; no proposal with the same id exists. Emits {ProposalCreated}, {ProposalApproved}
     * (and {ProposalQueued}).
     * @return proposalId `hashProposal(target, value, data, keccak256(description), expiry, epoch())`.
     */
    function propose(address target, uint256 value, bytes calldata data, string calldata description, uint64 expiry)
        external
        returns (bytes32 proposalId)
    {
        uint256 position = _requireMember(msg.sender);
        uint64 epoch_ = _config.epoch;
        bytes32 descriptionHash = keccak256(bytes(description));
        proposalId = hashProposal(target, value, data, descriptionHash, expiry, epoch_, 0);
        uint256 threshold = _create(proposalId, target, data, expiry, position, _bit(position));
        emit ProposalCreated(
            proposalId, msg.sender, target, value, data, descriptionHash, description, expiry, epoch_, 0
        );
        emit ProposalApproved(proposalId, msg.sender, 1);
        if (threshold == 1) _queue(proposalId, threshold);
    }

    /**
     * @notice Creates a proposal from members' signed approvals (submitted by anyone): only the description's
     * hash goes on chain. Queues it if the signatures meet its threshold (with a delay).
     * @dev Requirements: at least one signature, each a valid `Approval` of this proposal by a distinct
     * member; `target`, `expiry` and uniqueness as for {propose}. Emits {ProposalCreated} (zero proposer,
     * empty description), one {ProposalApproved} per signer (and {ProposalQueued}).
     */
    function proposeWithSignatures(
        address target,
        uint256 value,
        bytes calldata data,
        bytes32 descriptionHash,
        uint64 expiry,
        Signature[] calldata signatures
    ) external returns (bytes32 proposalId) {
        if (signatures.length == 0) revert ConsortiumNoSignatures();
        uint64 epoch_ = _config.epoch;
        proposalId = hashProposal(target, value, data, descriptionHash, expiry, epoch_, 0);
        uint256 threshold = _create(proposalId, target, data, expiry, 0, _verify(_approvalDigest(proposalId), signatures));
        _emitCreated(proposalId, target, value, data, descriptionHash, expiry, epoch_, 0);
        if (_emitApprovals(proposalId, signatures, 0) >= threshold) _queue(proposalId, threshold);
    }

    // ---------------------------------------------------------------------------- approving

    /**
     * @notice Approves `proposalId` (and queues it if this approval meets its threshold, with a delay).
     * @dev Requirements: caller is a member that has not approved it; the proposal is live (see
     * {ConsortiumProposalNotLive}). Emits {ProposalApproved} (and {ProposalQueued}).
     */
    function approve(bytes32 proposalId) external {
        uint256 bit = _bit(_requireMember(msg.sender));
        Record storage p = _live(proposalId);
        uint256 approvals = p.approvals;
        if (approvals & bit != 0) revert ConsortiumAlreadyApproved(proposalId, msg.sender);
        approvals |= bit;
        p.approvals = uint128(approvals);
        uint256 count = _popCount(approvals);
        emit ProposalApproved(proposalId, msg.sender, count);
        if (count == p.threshold) _queue(proposalId, count);
    }

    /**
     * @notice Records members' signed approvals of `proposalId` (submitted by anyone); a signer whose
     * approval is already recorded counts once. Queues the proposal if it now meets its threshold.
     * @dev Requirements: at least one signature, each a valid `Approval` by a distinct member; the proposal
     * is live. Emits {ProposalApproved} per newly recorded signer (and {ProposalQueued}).
     */
    function approveWithSignatures(bytes32 proposalId, Signature[] calldata signatures) external {
        if (signatures.length == 0) revert ConsortiumNoSignatures();
        Record storage p = _live(proposalId);
        uint256 recorded = p.approvals;
        uint256 approvals = recorded | _verify(_approvalDigest(proposalId), signatures);
        p.approvals = uint128(approvals);
        uint256 before = _popCount(recorded);
        _emitApprovals(proposalId, signatures, recorded);
        uint256 threshold = p.threshold;
        if (before < threshold && _popCount(approvals) >= threshold) _queue(proposalId, threshold);
    }

    /**
     * @notice Withdraws the caller's approval of `proposalId`; a queued proposal that falls below its
     * threshold leaves the queue.
     * @dev Requirements: caller is a member that approved it; the proposal is live. Emits
     * {ApprovalRevoked} (and {ProposalDequeued}).
     */
    function revoke(bytes32 proposalId) external {
        uint256 bit = _bit(_requireMember(msg.sender));
        Record storage p = _live(proposalId);
        uint256 approvals = p.approvals;
        if (approvals & bit == 0) revert ConsortiumNotApproved(proposalId, msg.sender);
        approvals &= ~bit;
        p.approvals = uint128(approvals);
        uint256 count = _popCount(approvals);
        emit ApprovalRevoked(proposalId, msg.sender, count);
        if (count + 1 == p.threshold && _delayFor(count + 1) != 0) {
            _vetoes[proposalId].eta = 0;
            emit ProposalDequeued(proposalId);
        }
    }

    // --------------------------------------------------------------------- objecting, cancelling

    /**
     * @notice Objects to `proposalId`; at {objectionThreshold} objections it is vetoed.
     * @dev Requirements: caller is a member that has not objected to it; the proposal is live. Emits
     * {ProposalObjected} (and {ProposalVetoed}).
     */
    function object(bytes32 proposalId) external {
        uint256 bit = _bit(_requireMember(msg.sender));
        Record storage p = _live(proposalId);
        Veto storage v = _vetoes[proposalId];
        uint256 objections = v.objections;
        if (objections & bit != 0) revert ConsortiumAlreadyObjected(proposalId, msg.sender);
        objections |= bit;
        v.objections = uint128(objections);
        uint256 count = _popCount(objections);
        emit ProposalObjected(proposalId, msg.sender, count);
        _vetoIfReached(p, proposalId, count);
    }

    /**
     * @notice Records members' signed objections to `proposalId` (submitted by anyone); a signer whose
     * objection is already recorded counts once. At {objectionThreshold} objections it is vetoed.
     * @dev Requirements: at least one signature, each a valid `Objection` by a distinct member; the proposal
     * is live. Emits {ProposalObjected} per newly recorded signer (and {ProposalVetoed}).
     */
    function objectWithSignatures(bytes32 proposalId, Signature[] calldata signatures) external {
        if (signatures.length == 0) revert ConsortiumNoSignatures();
        Record storage p = _live(proposalId);
        Veto storage v = _vetoes[proposalId];
        uint256 recorded = v.objections;
        uint256 objections = recorded | _verify(_objectionDigest(proposalId), signatures);
        v.objections = uint128(objections);
        uint256 count = _popCount(recorded);
        for (uint256 i = 0; i < signatures.length; ++i) {
            address signer = signatures[i].signer;
            if (recorded & _bit(_positionOf(signer)) == 0) emit ProposalObjected(proposalId, signer, ++count);
        }
        _vetoIfReached(p, proposalId, count);
    }

    /**
     * @notice Cancels `proposalId` for good, by its proposer, while it is below its threshold.
     * @dev Requirements: the proposal is live; the caller is its proposer (a current member: a proposal
     * does not outlive a membership change); approvals are below the threshold. Emits {ProposalCancelled}.
     */
    function cancel(bytes32 proposalId) external {
        Record storage p = _live(proposalId);
        uint256 position = _positionOf(msg.sender);
        if (position == 0 || position != p.proposer) revert ConsortiumNotProposer(proposalId, msg.sender);
        uint256 count = _popCount(p.approvals);
        if (count >= p.threshold) revert ConsortiumCancelAfterThreshold(proposalId, count, p.threshold);
        p.status = Status.Cancelled;
        emit ProposalCancelled(proposalId);
    }

    /**
     * @notice Cancels open proposal `proposalId` by a decision of the consortium: a quorum can end any
     * open proposal, whoever proposed it and however many approvals it has.
     * @dev Requirements: called by the consortium itself (an executed decision, e.g. signed approvals
     * submitted with {executeWithSignatures}); the proposal is live. Emits {ProposalCancelled}.
     */
    function cancelProposal(bytes32 proposalId) external onlySelf {
        _live(proposalId).status = Status.Cancelled;
        emit ProposalCancelled(proposalId);
    }

    // ---------------------------------------------------------------------------- executing

    /**
     * @notice Executes `proposalId`: calls `target` with `value` wei and `data`, which must be its call.
     * Anyone may call; `signatures` (possibly none) add members' signed approvals to the recorded ones.
     * @dev Requirements: the proposal is live; the call and `descriptionHash` hash to `proposalId`;
     * approvals (recorded and signed, each member once) reach its threshold; with a delay, the proposal is
     * queued and its eta has passed; calldata needs a target with code; the consortium holds `value`;
     * the call succeeds. Not reentrant. Emits {ProposalExecuted} before the call.
     * @return returndata What the target returned.
     */
    function execute(
        bytes32 proposalId,
        address target,
        uint256 value,
        bytes calldata data,
        bytes32 descriptionHash,
        Signature[] calldata signatures
    ) external nonReentrant returns (bytes memory returndata) {
        Record storage p = _live(proposalId);
        if (hashProposal(target, value, data, descriptionHash, p.expiry, p.epoch, 0) != proposalId) {
            revert ConsortiumCallMismatch(proposalId);
        }
        uint256 approvals = p.approvals;
        if (signatures.length != 0) approvals |= _verify(_approvalDigest(proposalId), signatures);
        uint256 count = _popCount(approvals);
        if (count < p.threshold) revert ConsortiumThresholdNotReached(proposalId, count, p.threshold);
        if (_delayFor(p.threshold) != 0) {
            uint40 eta = _vetoes[proposalId].eta;
            if (eta == 0) revert ConsortiumNotQueued(proposalId);
            if (block.timestamp < eta) revert ConsortiumDelayNotElapsed(proposalId, eta);
        }
        p.status = Status.Executed;
        emit ProposalExecuted(proposalId, msg.sender, _signers(signatures));
        return _call(proposalId, target, value, data);
    }

    /**
     * @notice Executes a decision in one transaction from members' signed approvals (submitted by anyone),
     * without recording a proposal: only the description's hash and the call's events go on chain. Each
     * such decision carries the next {decisionNonce}, as a Safe transaction does, so its signatures are
     * spent by the execution (and void after a configuration change, like every signature).
     * @dev Requirements: no execution delay (see {delayFor}); `nonce == decisionNonce()`; `target` is not zero; `now < expiry
     * <= now + MAX_LIFETIME`; each signature a valid `Approval` of
     * `hashProposal(target, value, data, descriptionHash, expiry, epoch(), nonce)` by a distinct member,
     * together reaching the call's threshold; then as {execute}. Not reentrant.
     * Emits {ProposalCreated} (zero proposer, empty description) and {ProposalExecuted} before the call.
     * @return proposalId The decision's id.
     * @return returndata What the target returned.
     */
    function executeWithSignatures(
        address target,
        uint256 value,
        bytes calldata data,
        bytes32 descriptionHash,
        uint64 expiry,
        uint64 nonce,
        Signature[] calldata signatures
    ) external nonReentrant returns (bytes32 proposalId, bytes memory returndata) {
        uint64 epoch_;
        (proposalId, epoch_) = _checkDecision(target, value, data, descriptionHash, expiry, nonce, signatures);
        ++_config.nonce; // checked: 2**40 decisions are out of reach
        _emitCreated(proposalId, target, value, data, descriptionHash, expiry, epoch_, nonce);
        emit ProposalExecuted(proposalId, msg.sender, _signers(signatures));
        returndata = _call(proposalId, target, value, data);
    }

    /// The checks of {executeWithSignatures}; the decision's id and epoch.
    function _checkDecision(
        address target,
        uint256 value,
        bytes calldata data,
        bytes32 descriptionHash,
        uint64 expiry,
        uint64 nonce,
        Signature[] calldata signatures
    ) private view returns (bytes32 proposalId, uint64 epoch_) {
        Config memory config = _config;
        uint256 threshold = _thresholdOf(target, data);
        uint256 delay = _delayFor(threshold);
        if (delay != 0) revert ConsortiumDelayRequired(delay);
        if (nonce != config.nonce) revert ConsortiumInvalidNonce(nonce, config.nonce);
        if (target == address(0)) revert ConsortiumZeroAddress();
        _checkExpiry(expiry, 0);
        epoch_ = config.epoch;
        proposalId = hashProposal(target, value, data, descriptionHash, expiry, epoch_, nonce);
        uint256 count = _popCount(_verify(_approvalDigest(proposalId), signatures));
        if (count < threshold) revert ConsortiumThresholdNotReached(proposalId, count, threshold);
    }

    // -------------------------------------------------------------------------------- views

    /// @notice The nonce the next decision executed by {executeWithSignatures} must carry (1 at deployment).
    function decisionNonce() external view returns (uint64) {
        return _config.nonce;
    }

    // ---------------------------------------------------------------------------- internals

    function _emitCreated(
        bytes32 proposalId,
        address target,
        uint256 value,
        bytes calldata data,
        bytes32 descriptionHash,
        uint64 expiry,
        uint64 epoch_,
        uint64 nonce
    ) private {
        emit ProposalCreated(proposalId, address(0), target, value, data, descriptionHash, "", expiry, epoch_, nonce);
    }

    /// Emits {ProposalApproved} for each signer not in `recorded`; the count afterwards.
    function _emitApprovals(bytes32 proposalId, Signature[] calldata signatures, uint256 recorded)
        private
        returns (uint256 count)
    {
        count = _popCount(recorded);
        for (uint256 i = 0; i < signatures.length; ++i) {
            address signer = signatures[i].signer;
            if (recorded & _bit(_positionOf(signer)) == 0) emit ProposalApproved(proposalId, signer, ++count);
        }
    }

    function _call(bytes32 proposalId, address target, uint256 value, bytes calldata data)
        private
        returns (bytes memory returndata)
    {
        if (data.length != 0 && target.code.length == 0) revert ConsortiumTargetHasNoCode(proposalId, target);
        if (value > address(this).balance) {
            revert ConsortiumInsufficientBalance(proposalId, address(this).balance, value);
        }
        bool success;
        (success, returndata) = target.call{value: value}(data);
        if (!success) {
            if (returndata.length == 0) revert ConsortiumExecutionFailed(proposalId);
            assembly ("memory-safe") {
                revert(add(returndata, 0x20), mload(returndata))
            }
        }
    }
}
