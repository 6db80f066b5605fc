// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Multicall} from "@openzeppelin/contracts/utils/Multicall.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {BitMaps} from "@openzeppelin/contracts/utils/structs/BitMaps.sol";
import {EnumerableSet} from "@openzeppelin/contracts/utils/structs/EnumerableSet.sol";

import {IConsortium} from "./interfaces/IConsortium.sol";

/**
 * @title Consortium
 * @notice Membership and M-of-N governance of a consortium of competing companies. Every admin power
 * — admitting or removing a member, changing the quorum, and any action another contract lets the
 * consortium take — is a proposal that members approve and that anyone executes once the quorum is met.
 * After deployment no address has a privileged role: the only caller of {addMember}, {removeMember}
 * and {setQuorum} that succeeds is this contract itself, while executing a proposal.
 *
 * @dev Design decisions:
 *
 * - **Labels** are strings of 1 to 32 bytes (UTF-8 as sent, not validated), unique among current
 *   members so tools can refer to a member by label. A removed member's label becomes free again.
 *
 * - **Expiry** is an absolute unix timestamp (seconds) chosen by the proposer; it must lie in the
 *   future when proposing. A proposal is live while `block.timestamp < expiry`; from `expiry` on it
 *   can no longer be approved, revoked, cancelled or executed.
 *
 * - **Approvals count only from current members, under their current membership.** Every admission
 *   gives the member a fresh *membership index* (1, 2, 3, ... never reused, also not when the same
 *   address is admitted again). An approval sets the approver's bit in the proposal's approval
 *   bitmap; the set of current members is a second bitmap over the same indices. The number of
 *   approvals that count is `popcount(approvals & currentMembers)`, computed word by word. So:
 *     * a removed member's approvals stop counting the moment it is removed, on every proposal, with
 *       no loop over proposals;
 *     * if the same address is admitted again it gets a new index, its old approvals stay void and
 *       it may approve again;
 *     * no approval can count twice (one bit per membership and proposal).
 *   The count reads one pair of storage words per 256 admissions in the consortium's whole history
 *   (a single pair for the first 255 admissions); it is bounded by governance, never by anything an
 *   outsider controls, and adds about 4,300 gas per extra pair.
 *
 * - The proposer's approval is recorded with the proposal (it may be revoked like any other).
 *
 * - A proposal's calldata and description are stored, so that anyone can execute it by id alone and
 *   read it back with {proposal}; proposing costs about 22,000 gas per 32 bytes of them.
 *
 * - **Execution** calls `target` with `value` wei (from this contract's balance) and `data`. If the
 *   call reverts with data, that revert data is bubbled up unchanged (so a failing self-call shows
 *   this contract's own custom error, e.g. {ConsortiumRemovalBelowQuorum}); if it reverts without
 *   data, {ConsortiumExecutionFailed} is raised. A reverted execution changes nothing: the proposal
 *   stays executable until it expires. A proposal with calldata cannot execute against an address
 *   without code (a typo would otherwise "succeed" silently); a plain value transfer to an account can.
 *
 * - {multicall} (OpenZeppelin) lets one proposal carry several calls to this contract atomically,
 *   e.g. `[addMember(x, "X"), setQuorum(3)]`; each inner call still checks its own caller.
 */
contract Consortium is IConsortium, ReentrancyGuardTransient, Multicall {
    using BitMaps for BitMaps.BitMap;
    using EnumerableSet for EnumerableSet.AddressSet;

    /// @notice Life cycle of a proposal, as computed now.
    enum ProposalState {
        /// Live, approvals from current members below the quorum.
        Open,
        /// Live, approvals from current members at or above the quorum: anyone may execute it.
        Approved,
        /// Executed (exactly once).
        Executed,
        /// Not executed and `block.timestamp >= expiry`.
        Expired,
        /// Cancelled by its proposer before execution.
        Cancelled
    }

    /// @notice A proposal as stored. `data` and `description` are kept on chain.
    struct Proposal {
        address proposer;
        uint64 expiry;
        bool executed;
        bool cancelled;
        address target;
        uint64 createdAt;
        uint256 value;
        bytes data;
        string description;
    }

    /// @notice A current member and its label.
    struct Member {
        address account;
        string label;
    }

    /// @notice Largest label, in bytes of UTF-8.
    uint256 public constant MAX_LABEL_LENGTH = 32;

    // ---------------------------------------------------------------- storage

    EnumerableSet.AddressSet private _members;
    /// Membership index of each current member (0 = not a member). Indices are never reused.
    mapping(address account => uint256) private _memberIndex;
    mapping(address account => string) private _labels;
    mapping(bytes32 labelHash => address) private _labelOwner;
    /// Bit `i` set iff membership index `i` belongs to a current member.
    BitMaps.BitMap private _currentIndexes;
    /// Highest membership index ever given out.
    uint256 private _lastMemberIndex;
    uint256 private _quorum;

    uint256 private _proposalCount;
    mapping(uint256 proposalId => Proposal) private _proposals;
    /// Bit `i` set iff the holder of membership index `i` approved the proposal (under that membership).
    mapping(uint256 proposalId => BitMaps.BitMap) private _approvals;

    // ---------------------------------------------------------------- events

    /// @notice `account` became a member under `label`.
    event MemberAdded(address indexed account, string label);
    /// @notice `account` (known as `label`) stopped being a member; its approvals no longer count.
    event MemberRemoved(address indexed account, string label);
    /// @notice The quorum changed from `oldQuorum` to `newQuorum` (`oldQuorum` is 0 at deployment).
    event QuorumChanged(uint256 oldQuorum, uint256 newQuorum);
    /// @notice Proposal `proposalId` was created.
    event ProposalCreated(
        uint256 indexed proposalId,
        address indexed proposer,
        address indexed target,
        uint256 value,
        bytes data,
        string description,
        uint64 expiry
    );
    /// @notice `member` approved `proposalId`; `approvals` is the count from current members afterwards.
    event ProposalApproved(uint256 indexed proposalId, address indexed member, uint256 approvals);
    /// @notice `member` revoked its approval of `proposalId`; `approvals` is the count afterwards.
    event ApprovalRevoked(uint256 indexed proposalId, address indexed member, uint256 approvals);
    /// @notice `proposalId` was executed by `executor`.
    event ProposalExecuted(uint256 indexed proposalId, address indexed executor);
    /// @notice `proposalId` was cancelled by its proposer.
    event ProposalCancelled(uint256 indexed proposalId);
    /// @notice The consortium received `amount` wei from `sender`.
    event EtherReceived(address indexed sender, uint256 amount);

    // ---------------------------------------------------------------- errors

    /// @notice `caller` is not this contract: the function is only reachable through a proposal.
    error ConsortiumOnlySelf(address caller);
    /// @notice `account` is not a current member.
    error ConsortiumNotMember(address account);
    /// @notice `account` is already a member.
    error ConsortiumAlreadyMember(address account);
    /// @notice The zero address is not a valid member or proposal target.
    error ConsortiumZeroAddress();
    /// @notice `label` is empty or longer than {MAX_LABEL_LENGTH} bytes.
    error ConsortiumInvalidLabel(string label);
    /// @notice `label` is already the label of current member `member`.
    error ConsortiumLabelTaken(string label, address member);
    /// @notice The constructor got `members` addresses but `labels` labels.
    error ConsortiumLengthMismatch(uint256 members, uint256 labels);
    /// @notice `quorum` is outside 1..`memberCount`.
    error ConsortiumInvalidQuorum(uint256 quorum, uint256 memberCount);
    /// @notice Removing `account` would leave `memberCountAfter` members, fewer than the `quorum`.
    error ConsortiumRemovalBelowQuorum(address account, uint256 memberCountAfter, uint256 quorum);
    /// @notice No proposal has id `proposalId`.
    error ConsortiumUnknownProposal(uint256 proposalId);
    /// @notice `expiry` is not after the current block's `timestamp`.
    error ConsortiumInvalidExpiry(uint64 expiry, uint256 timestamp);
    /// @notice Proposal `proposalId` expired at `expiry`.
    error ConsortiumProposalExpired(uint256 proposalId, uint64 expiry);
    /// @notice Proposal `proposalId` was already executed.
    error ConsortiumAlreadyExecuted(uint256 proposalId);
    /// @notice Proposal `proposalId` was cancelled.
    error ConsortiumProposalCancelled(uint256 proposalId);
    /// @notice `member` already approved `proposalId`.
    error ConsortiumAlreadyApproved(uint256 proposalId, address member);
    /// @notice `member` has no approval of `proposalId` to revoke.
    error ConsortiumNotApproved(uint256 proposalId, address member);
    /// @notice `proposalId` has `approvals` approvals from current members; `quorum` are needed.
    error ConsortiumQuorumNotReached(uint256 proposalId, uint256 approvals, uint256 quorum);
    /// @notice Only `proposer` may cancel `proposalId`; `caller` tried.
    error ConsortiumNotProposer(uint256 proposalId, address caller, address proposer);
    /// @notice `proposalId` carries calldata but `target` has no code.
    error ConsortiumTargetHasNoCode(uint256 proposalId, address target);
    /// @notice `proposalId` sends `value` wei but the consortium holds only `balance`.
    error ConsortiumInsufficientBalance(uint256 proposalId, uint256 balance, uint256 value);
    /// @notice The call of `proposalId` reverted without revert data.
    error ConsortiumExecutionFailed(uint256 proposalId);

    // ---------------------------------------------------------------- modifiers

    modifier onlySelf() {
        if (msg.sender != address(this)) revert ConsortiumOnlySelf(msg.sender);
        _;
    }

    modifier onlyMember() {
        if (_memberIndex[msg.sender] == 0) revert ConsortiumNotMember(msg.sender);
        _;
    }

    // ---------------------------------------------------------------- construction

    /**
     * @notice Founds the consortium with its first members and quorum. The deployer gets no role.
     * @dev Requirements: same length; at least one member; no zero address, no duplicate address; each
     * label 1..32 bytes and unique; `1 <= initialQuorum <= initialMembers.length`.
     * Emits one {MemberAdded} per member, then {QuorumChanged}(0, `initialQuorum`).
     * @param initialMembers Founding members' addresses.
     * @param labels Their labels, in the same order.
     * @param initialQuorum Approvals needed to execute a proposal.
     */
    constructor(address[] memory initialMembers, string[] memory labels, uint256 initialQuorum) {
        if (initialMembers.length != labels.length) {
            revert ConsortiumLengthMismatch(initialMembers.length, labels.length);
        }
        for (uint256 i = 0; i < initialMembers.length; ++i) {
            _addMember(initialMembers[i], labels[i]);
        }
        _setQuorum(initialQuorum);
    }

    /// @notice Accepts ether, which proposals may then spend. Emits {EtherReceived}.
    receive() external payable {
        emit EtherReceived(msg.sender, msg.value);
    }

    // ---------------------------------------------------------------- governed administration

    /**
     * @notice Admits `account` under `label`. Does not change the quorum.
     * @dev Requirements: called by this contract (i.e. by an executed proposal); `account` is not zero and
     * not a member; `label` is 1..32 bytes and not used by a current member.
     * Emits {MemberAdded}.
     */
    function addMember(address account, string calldata label) external onlySelf {
        _addMember(account, label);
    }

    /**
     * @notice Removes `account`. Its approvals stop counting on every proposal.
     * @dev Requirements: called by this contract; `account` is a member; the members left are at least
     * the quorum (lower the quorum first, possibly in the same {multicall}).
     * Emits {MemberRemoved}.
     */
    function removeMember(address account) external onlySelf {
        // The set's answer is the membership check; a revert below undoes the removal.
        if (!_members.remove(account)) revert ConsortiumNotMember(account);
        uint256 countAfter = _members.length();
        if (countAfter < _quorum) revert ConsortiumRemovalBelowQuorum(account, countAfter, _quorum);

        string memory label = _labels[account];
        _currentIndexes.unset(_memberIndex[account]);
        delete _memberIndex[account];
        delete _labelOwner[keccak256(bytes(label))];
        delete _labels[account];
        emit MemberRemoved(account, label);
    }

    /**
     * @notice Sets the quorum to `newQuorum`.
     * @dev Requirements: called by this contract; `1 <= newQuorum <= memberCount()`.
     * Emits {QuorumChanged}.
     */
    function setQuorum(uint256 newQuorum) external onlySelf {
        _setQuorum(newQuorum);
    }

    // ---------------------------------------------------------------- proposals

    /**
     * @notice Proposes that the consortium call `target` with `value` wei and `data`, and records the
     * proposer's approval.
     * @dev Requirements: caller is a member; `target` is not zero; `expiry > block.timestamp`.
     * Emits {ProposalCreated} and {ProposalApproved}.
     * @param target Contract (or account, for a plain transfer) to call; may be this contract.
     * @param value Wei sent with the call, taken from the consortium's balance at execution.
     * @param data Calldata of the call (empty for a plain transfer).
     * @param description Free text shown to members.
     * @param expiry Unix timestamp from which the proposal can no longer be approved or executed.
     * @return proposalId The new proposal's id (ids start at 1).
     */
    function propose(
        address target,
        uint256 value,
        bytes calldata data,
        string calldata description,
        uint64 expiry
    ) external onlyMember returns (uint256 proposalId) {
        if (target == address(0)) revert ConsortiumZeroAddress();
        if (expiry <= block.timestamp) revert ConsortiumInvalidExpiry(expiry, block.timestamp);

        proposalId = ++_proposalCount;
        Proposal storage p = _proposals[proposalId];
        p.proposer = msg.sender;
        p.expiry = expiry;
        p.target = target;
        p.createdAt = uint64(block.timestamp);
        p.value = value;
        p.data = data;
        p.description = description;
        _approvals[proposalId].set(_memberIndex[msg.sender]);

        emit ProposalCreated(proposalId, msg.sender, target, value, data, description, expiry);
        emit ProposalApproved(proposalId, msg.sender, _approvalCount(proposalId));
    }

    /**
     * @notice Approves `proposalId`.
     * @dev Requirements: caller is a member and has not approved it under its current membership; the
     * proposal exists, is neither executed nor cancelled, and has not expired.
     * Emits {ProposalApproved} with the new count of approvals from current members.
     */
    function approve(uint256 proposalId) external onlyMember {
        _requireLive(proposalId);
        uint256 index = _memberIndex[msg.sender];
        BitMaps.BitMap storage approvals = _approvals[proposalId];
        if (approvals.get(index)) revert ConsortiumAlreadyApproved(proposalId, msg.sender);
        approvals.set(index);
        emit ProposalApproved(proposalId, msg.sender, _approvalCount(proposalId));
    }

    /**
     * @notice Withdraws the caller's approval of `proposalId`.
     * @dev Requirements: caller is a member that approved it under its current membership; the proposal is
     * neither executed nor cancelled, and has not expired.
     * Emits {ApprovalRevoked} with the new count.
     */
    function revoke(uint256 proposalId) external onlyMember {
        _requireLive(proposalId);
        uint256 index = _memberIndex[msg.sender];
        BitMaps.BitMap storage approvals = _approvals[proposalId];
        if (!approvals.get(index)) revert ConsortiumNotApproved(proposalId, msg.sender);
        approvals.unset(index);
        emit ApprovalRevoked(proposalId, msg.sender, _approvalCount(proposalId));
    }

    /**
     * @notice Cancels `proposalId` for good.
     * @dev Requirements: caller is its proposer; the proposal is neither executed nor cancelled, and has
     * not expired.
     * Emits {ProposalCancelled}.
     */
    function cancel(uint256 proposalId) external {
        Proposal storage p = _requireLive(proposalId);
        if (msg.sender != p.proposer) revert ConsortiumNotProposer(proposalId, msg.sender, p.proposer);
        p.cancelled = true;
        emit ProposalCancelled(proposalId);
    }

    /**
     * @notice Executes `proposalId`: calls its target with its value and calldata. Anyone may call.
     * @dev Requirements: the proposal exists, is neither executed nor cancelled, and has not expired;
     * approvals from current members reach the quorum; a non-empty calldata needs a target with
     * code; the consortium holds at least `value`; the call succeeds (its revert data is bubbled up,
     * or {ConsortiumExecutionFailed} when there is none). Not reentrant.
     * Emits {ProposalExecuted} (before the call, checks-effects-interactions).
     * @return returndata What the target returned.
     */
    function execute(uint256 proposalId) external nonReentrant returns (bytes memory returndata) {
        Proposal storage p = _requireLive(proposalId);
        uint256 approvals = _approvalCount(proposalId);
        if (approvals < _quorum) revert ConsortiumQuorumNotReached(proposalId, approvals, _quorum);
        address target = p.target;
        bytes memory data = p.data;
        if (data.length != 0 && target.code.length == 0) revert ConsortiumTargetHasNoCode(proposalId, target);
        uint256 value = p.value;
        if (value > address(this).balance) {
            revert ConsortiumInsufficientBalance(proposalId, address(this).balance, value);
        }

        p.executed = true;
        emit ProposalExecuted(proposalId, msg.sender);

        bool success;
        (success, returndata) = target.call{value: value}(data);
        if (!success) {
            if (returndata.length == 0) revert ConsortiumExecutionFailed(proposalId);
            assembly ("memory-safe") {
                revert(add(returndata, 0x20), mload(returndata))
            }
        }
    }

    // ---------------------------------------------------------------- views

    /// @notice Whether `account` is a current member.
    function isMember(address account) external view returns (bool) {
        return _memberIndex[account] != 0;
    }

    /// @notice Approvals from current members needed to execute a proposal.
    function quorum() external view returns (uint256) {
        return _quorum;
    }

    /// @notice Number of current members.
    function memberCount() external view returns (uint256) {
        return _members.length();
    }

    /// @notice Current members' addresses, in no particular order (bounded by the member count).
    function members() external view returns (address[] memory) {
        return _members.values();
    }

    /// @notice Current members with their labels, in the order of {members}.
    function memberList() external view returns (Member[] memory list) {
        uint256 n = _members.length();
        list = new Member[](n);
        for (uint256 i = 0; i < n; ++i) {
            address account = _members.at(i);
            list[i] = Member({account: account, label: _labels[account]});
        }
    }

    /// @notice Label of `account`; empty if it is not a current member.
    function memberLabel(address account) external view returns (string memory) {
        return _labels[account];
    }

    /// @notice The current member labelled `label`, or the zero address.
    function memberByLabel(string calldata label) external view returns (address) {
        return _labelOwner[keccak256(bytes(label))];
    }

    /// @notice Number of proposals ever created; ids run from 1 to this number.
    function proposalCount() external view returns (uint256) {
        return _proposalCount;
    }

    /// @notice Proposal `proposalId` as stored. Requirements: it exists.
    function proposal(uint256 proposalId) external view returns (Proposal memory) {
        return _proposalOrRevert(proposalId);
    }

    /// @notice Life-cycle state of `proposalId` now. Requirements: it exists.
    function proposalState(uint256 proposalId) public view returns (ProposalState) {
        Proposal storage p = _proposalOrRevert(proposalId);
        if (p.executed) return ProposalState.Executed;
        if (p.cancelled) return ProposalState.Cancelled;
        if (block.timestamp >= p.expiry) return ProposalState.Expired;
        return _approvalCount(proposalId) >= _quorum ? ProposalState.Approved : ProposalState.Open;
    }

    /// @notice Approvals of `proposalId` that count now (from current members). Requirements: it exists.
    function approvalCount(uint256 proposalId) external view returns (uint256) {
        _proposalOrRevert(proposalId);
        return _approvalCount(proposalId);
    }

    /// @notice Whether `account` is a current member whose approval of `proposalId` counts.
    function hasApproved(uint256 proposalId, address account) external view returns (bool) {
        uint256 index = _memberIndex[account];
        return index != 0 && _approvals[proposalId].get(index);
    }

    // ---------------------------------------------------------------- internals

    function _addMember(address account, string memory label) private {
        if (account == address(0)) revert ConsortiumZeroAddress();
        // The set's answer is the membership check; a revert below undoes the addition.
        if (!_members.add(account)) revert ConsortiumAlreadyMember(account);
        uint256 length = bytes(label).length;
        if (length == 0 || length > MAX_LABEL_LENGTH) revert ConsortiumInvalidLabel(label);
        bytes32 labelHash = keccak256(bytes(label));
        address holder = _labelOwner[labelHash];
        if (holder != address(0)) revert ConsortiumLabelTaken(label, holder);

        uint256 index = ++_lastMemberIndex;
        _memberIndex[account] = index;
        _currentIndexes.set(index);
        _labels[account] = label;
        _labelOwner[labelHash] = account;
        emit MemberAdded(account, label);
    }

    function _setQuorum(uint256 newQuorum) private {
        uint256 count = _members.length();
        if (newQuorum == 0 || newQuorum > count) revert ConsortiumInvalidQuorum(newQuorum, count);
        emit QuorumChanged(_quorum, newQuorum);
        _quorum = newQuorum;
    }

    function _proposalOrRevert(uint256 proposalId) private view returns (Proposal storage p) {
        p = _proposals[proposalId];
        // Every stored proposal has a non-zero proposer (a member), so this identifies unknown ids.
        if (p.proposer == address(0)) revert ConsortiumUnknownProposal(proposalId);
    }

    /// Reverts unless the proposal exists and is live (not executed, not cancelled, not expired).
    function _requireLive(uint256 proposalId) private view returns (Proposal storage p) {
        p = _proposalOrRevert(proposalId);
        if (p.executed) revert ConsortiumAlreadyExecuted(proposalId);
        if (p.cancelled) revert ConsortiumProposalCancelled(proposalId);
        if (block.timestamp >= p.expiry) revert ConsortiumProposalExpired(proposalId, p.expiry);
    }

    /// Approvals of `proposalId` by current members: popcount(approvals & current) over every word
    /// that holds membership indices, i.e. 1 + lastIndex / 256 words (see the contract's NatSpec).
    function _approvalCount(uint256 proposalId) private view returns (uint256 count) {
        BitMaps.BitMap storage approvals = _approvals[proposalId];
        uint256 lastBucket = _lastMemberIndex >> 8;
        for (uint256 bucket = 0; bucket <= lastBucket; ++bucket) {
            count += _popCount(approvals._data[bucket] & _currentIndexes._data[bucket]);
        }
    }

    /// Number of set bits of `x` (SWAR, constant gas).
    function _popCount(uint256 x) private pure returns (uint256) {
        // unchecked: every step keeps each lane's partial count below the lane's capacity — 2-bit
        // lanes hold ≤ 2, 4-bit ≤ 4, 8-bit ≤ 8, 16-bit ≤ 16 — so no subtraction underflows (each
        // lane's upper bit count ≤ the lane value) and no addition carries into the next lane; the
        // final multiply sums the sixteen 16-bit lanes into the top lane, and that sum is ≤ 256 < 2**16,
        // so the wrap-around of the multiplication only discards the lower partial sums.
        unchecked {
            x -= (x >> 1) & 0x5555555555555555555555555555555555555555555555555555555555555555;
            x = (x & 0x3333333333333333333333333333333333333333333333333333333333333333)
                + ((x >> 2) & 0x3333333333333333333333333333333333333333333333333333333333333333);
            x = (x + (x >> 4)) & 0x0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f;
            x = (x + (x >> 8)) & 0x00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff00ff;
            return (x * 0x0001000100010001000100010001000100010001000100010001000100010001) >> 240;
        }
    }
}
