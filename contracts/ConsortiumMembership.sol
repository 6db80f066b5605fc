// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IConsortium} from "./interfaces/IConsortium.sol";

/**
 * @title ConsortiumMembership
 * @notice The members of a consortium, their labels and the quorum, under a *configuration epoch* that
 * every change starts anew. The governance contract ({Consortium}) builds on it as Safe's `Safe` builds on
 * its `OwnerManager`: membership is one concern, proposals another.
 *
 * @dev Design decisions:
 *
 * - **Configuration epoch.** Every admission, removal and quorum change (also a {setQuorum} to the
 *   same value) starts a new epoch. Proposals and signed approvals name the epoch they were made under
 *   and are void in any other one, so a decision taken under one membership and quorum can never be
 *   executed under another: no revival of old proposals after a quorum change, no approval of a removed
 *   member that still counts. `setQuorum(quorum())` voids every open proposal and outstanding signature.
 *
 * - **Positions.** Members hold the positions 1..{memberCount}; a removal moves the member holding the
 *   last position into the freed one (the epoch changes, so no bitmap of an earlier epoch is ever read
 *   against the new positions). Approvals and objections are bitmaps over positions, one word each for
 *   up to {MAX_MEMBERS} members: their gas does not grow with the member count.
 *
 * - **Labels are identities.** A label is 1..{MAX_LABEL_LENGTH} bytes (UTF-8 as sent, not validated)
 *   and is bound for good to the first address admitted under it: after that member's removal it is
 *   never given to another address (scripts that refer to "Acme" cannot silently reach a newcomer),
 *   while the same address re-admitted may take it back (or another free label; every label it held
 *   stays its own).
 *
 * - **No deadlock.** The quorum is always between 1 and the member count: a removal that would leave
 *   fewer members than the quorum lowers it to the new member count (with {QuorumChanged}). With two or
 *   more members the quorum is at least 2 unless the founders chose single approvals at deployment
 *   (`allowSingleApproval`); without that choice, an admission into a one-member consortium raises its
 *   quorum from 1 to 2. {Consortium}'s removal threshold never needs the removed member's approval.
 *
 * - **Storage** (what an admission costs, the usual case being two new words): each member's word holds
 *   the next member of a linked list (as Safe's owners), its position, its label's length and first 10
 *   bytes; a longer label takes one more word; the label's holder is kept by label hash, for ever. The
 *   quorum, member count, epoch, list head and {Consortium}'s decision nonce share one word. The list runs
 *   from the last position down to 1, so its head is the member that fills a removal's gap, and a removal
 *   is told the member before the removed one (Safe's `prevOwner`): every change is O(1); only the views
 *   walk the list.
 */
abstract contract ConsortiumMembership is IConsortium {
    /// @notice Largest number of members (one bitmap word per proposal for approvals, one for objections).
    uint256 public constant MAX_MEMBERS = 128;
    /// @notice Largest label, in bytes of UTF-8.
    uint256 public constant MAX_LABEL_LENGTH = 32;

    /// Read by every governance action: one storage word.
    struct Config {
        /// Most recently admitted member: the start of the list through {MemberRecord-next}.
        address head;
        uint8 quorum;
        uint8 memberCount;
        uint40 epoch;
        /// The nonce the next decision executed from signatures carries (see {Consortium}).
        uint40 nonce;
    }

    struct MemberRecord {
        /// The member admitted before this one (zero at the end of the list, and for non-members).
        address next;
        /// 1..memberCount for a member, 0 otherwise.
        uint8 position;
        uint8 labelLength;
        /// The label's first bytes (the whole label up to 10 bytes).
        bytes10 labelHead;
    }

    Config internal _config;
    mapping(address account => MemberRecord) private _records;
    /// The whole label, left-aligned, for labels longer than 10 bytes.
    mapping(address account => bytes32) private _longLabels;
    /// The address each label was first given to; never cleared.
    mapping(bytes32 labelHash => address) private _labelHolders;

    bool private immutable _singleApprovalAllowed;

    uint256 private constant _HEAD_LENGTH = 10;

    modifier onlySelf() {
        if (msg.sender != address(this)) revert ConsortiumOnlySelf(msg.sender);
        _;
    }

    /**
     * @dev Requirements: same length; 1..{MAX_MEMBERS} members; no zero or duplicate address; each label
     * 1..{MAX_LABEL_LENGTH} bytes and distinct; `1 <= initialQuorum <= initialMembers.length`, and
     * `initialQuorum >= 2` with two or more members unless `allowSingleApproval`. Starts epoch 1.
     * Emits one {MemberAdded} per member, then {QuorumChanged}(0, `initialQuorum`, 1).
     */
    constructor(
        address[] memory initialMembers,
        string[] memory labels,
        uint256 initialQuorum,
        bool allowSingleApproval
    ) {
        if (initialMembers.length != labels.length) {
            revert ConsortiumLengthMismatch(initialMembers.length, labels.length);
        }
        _singleApprovalAllowed = allowSingleApproval;
        _config.epoch = 1;
        for (uint256 i = 0; i < initialMembers.length; ++i) {
            _addMember(initialMembers[i], labels[i]);
        }
        _setQuorum(initialQuorum);
    }

    // ------------------------------------------------------------------- governed administration

    /**
     * @notice Admits `account` under `label`, in a new epoch. Raises a quorum of 1 to 2 when the consortium
     * had one member and single approvals were not chosen at deployment.
     * @dev Requirements: called by this contract (i.e. by an executed proposal); `account` is not zero and
     * not a member; fewer than {MAX_MEMBERS} members; `label` is 1..{MAX_LABEL_LENGTH} bytes and not held
     * by another address. Emits {MemberAdded} (and {QuorumChanged} when the quorum is raised).
     */
    function addMember(address account, string calldata label) external onlySelf {
        _newEpoch();
        _addMember(account, label);
        if (_config.quorum == 1 && !_singleApprovalAllowed) _storeQuorum(2); // 2 members now
    }

    /**
     * @notice Removes `account`, in a new epoch. The member holding the last position takes its position.
     * If fewer members than the quorum remain, the quorum becomes the new member count.
     * @dev Requirements: called by this contract; `account` is a member and not the last one; `previous` is
     * the member before it in the list, i.e. at the next position (`members()[memberPosition(account)]`),
     * or zero when `account` holds the last position (as Safe's `removeOwner` takes `prevOwner`: no walk).
     * Emits {MemberRemoved} (and {QuorumChanged} when the quorum is lowered).
     */
    function removeMember(address previous, address account) external onlySelf {
        _newEpoch();
        MemberRecord memory removed = _records[account];
        if (removed.position == 0) revert ConsortiumNotMember(account);
        Config memory config = _config;
        uint256 count = config.memberCount;
        if (count == 1) revert ConsortiumLastMember(account);
        address head = config.head;
        // A non-member's `next` is zero, so only a member can be `previous`.
        if (previous == address(0) ? head != account : _records[previous].next != account) {
            revert ConsortiumInvalidPrevious(previous, account);
        }

        // The list runs from the last position down to 1; keep it so with `head` moving into the gap.
        if (previous == address(0)) {
            config.head = removed.next; // `account` held the last position
        } else {
            MemberRecord storage last = _records[head];
            if (previous == head) {
                last.next = removed.next;
            } else {
                config.head = last.next;
                _records[previous].next = head;
                last.next = removed.next;
            }
            last.position = removed.position;
        }
        (_records[account].next, _records[account].position) = (address(0), 0); // the label stays its own

        config.memberCount = uint8(count - 1);
        _config = config;
        emit MemberRemoved(account, _labelOf(account, removed), config.epoch);
        if (config.quorum > count - 1) _storeQuorum(count - 1);
    }

    /**
     * @notice Sets the quorum to `newQuorum`, in a new epoch (also when it is unchanged: that voids every
     * open proposal and outstanding signature).
     * @dev Requirements: called by this contract; `1 <= newQuorum <= memberCount()`, and `newQuorum >= 2`
     * with two or more members unless single approvals were allowed at deployment.
     * Emits {QuorumChanged}.
     */
    function setQuorum(uint256 newQuorum) external onlySelf {
        _newEpoch();
        _setQuorum(newQuorum);
    }

    // ------------------------------------------------------------------------------------ views

    /// @notice Whether `account` is a current member.
    function isMember(address account) external view returns (bool) {
        return _records[account].position != 0;
    }

    /// @notice Whether `a` and `b` are current members (two {isMember} answers in one call).
    function areMembers(address a, address b) external view returns (bool aIsMember, bool bIsMember) {
        return (_records[a].position != 0, _records[b].position != 0);
    }

    /// @notice Approvals needed to execute a proposal (a removal needs `min(quorum, memberCount - 1)`).
    function quorum() external view returns (uint256) {
        return _config.quorum;
    }

    /// @notice Number of current members.
    function memberCount() external view returns (uint256) {
        return _config.memberCount;
    }

    /// @notice The current configuration epoch (1 at deployment, +1 on every membership or quorum change).
    function epoch() external view returns (uint64) {
        return _config.epoch;
    }

    /// @notice Whether the founders allowed a quorum of 1 with two or more members.
    function singleApprovalAllowed() external view returns (bool) {
        return _singleApprovalAllowed;
    }

    /// @notice Current members' addresses by position (1, 2, ...); a removal moves the last one into the gap.
    /// The member before `account` for {removeMember} is `members()[memberPosition(account)]`.
    function members() public view returns (address[] memory list) {
        list = new address[](_config.memberCount);
        for (address cursor = _config.head; cursor != address(0); cursor = _records[cursor].next) {
            list[_records[cursor].position - 1] = cursor;
        }
    }

    /// @notice Current members with their labels, in the order of {members}.
    function memberList() external view returns (Member[] memory list) {
        address[] memory accounts = members();
        list = new Member[](accounts.length);
        for (uint256 i = 0; i < accounts.length; ++i) {
            list[i] = Member({account: accounts[i], label: _labelOf(accounts[i], _records[accounts[i]])});
        }
    }

    /// @notice Position of `account` in {members} (1-based; bit `position - 1` of approval bitmaps), 0 if
    /// it is not a member.
    function memberPosition(address account) external view returns (uint256) {
        return _records[account].position;
    }

    /// @notice Label of `account`; empty if it is not a current member.
    function memberLabel(address account) external view returns (string memory) {
        MemberRecord memory r = _records[account];
        return r.position == 0 ? "" : _labelOf(account, r);
    }

    /// @notice The current member labelled `label`, or the zero address.
    function memberByLabel(string calldata label) external view returns (address) {
        address holder = _labelHolders[keccak256(bytes(label))];
        MemberRecord memory r = _records[holder];
        // the holder is a member now, under this label (not under another label it took since)
        return r.position != 0 && keccak256(bytes(_labelOf(holder, r))) == keccak256(bytes(label)) ? holder : address(0);
    }

    /// @notice The address `label` is bound to for good (a member or a former member), or the zero address.
    function labelHolder(string calldata label) external view returns (address) {
        return _labelHolders[keccak256(bytes(label))];
    }

    // -------------------------------------------------------------------------------- internals

    /// Position of `account` (1..memberCount), 0 if it is not a member.
    function _positionOf(address account) internal view returns (uint256) {
        return _records[account].position;
    }

    /// The member at `position` (1..memberCount); a walk from the last position down, for views only.
    function _memberAt(uint256 position) internal view returns (address cursor) {
        cursor = _config.head;
        for (uint256 i = _config.memberCount; i > position; --i) cursor = _records[cursor].next;
    }

    function _addMember(address account, string memory label) private {
        if (account == address(0)) revert ConsortiumZeroAddress();
        if (_records[account].position != 0) revert ConsortiumAlreadyMember(account);
        uint256 length = bytes(label).length;
        if (length == 0 || length > MAX_LABEL_LENGTH) revert ConsortiumInvalidLabel(label);
        bytes32 labelHash = keccak256(bytes(label));
        address holder = _labelHolders[labelHash];
        if (holder == address(0)) _labelHolders[labelHash] = account;
        else if (holder != account) revert ConsortiumLabelTaken(label, holder);

        Config memory config = _config;
        uint256 position = uint256(config.memberCount) + 1;
        if (position > MAX_MEMBERS) revert ConsortiumTooManyMembers(MAX_MEMBERS);
        bytes32 word = bytes32(bytes(label));
        // casts: position <= MAX_MEMBERS, length <= MAX_LABEL_LENGTH
        _records[account] = MemberRecord({
            next: config.head, position: uint8(position), labelLength: uint8(length), labelHead: bytes10(word)
        });
        if (length > _HEAD_LENGTH) _longLabels[account] = word;
        (config.head, config.memberCount) = (account, uint8(position));
        _config = config;
        emit MemberAdded(account, label, config.epoch);
    }

    function _setQuorum(uint256 newQuorum) private {
        uint256 count = _config.memberCount;
        if (newQuorum == 0 || newQuorum > count) revert ConsortiumInvalidQuorum(newQuorum, count);
        if (newQuorum == 1 && count >= 2 && !_singleApprovalAllowed) revert ConsortiumSingleApprovalNotAllowed(count);
        _storeQuorum(newQuorum);
    }

    /// Sets the quorum (1..MAX_MEMBERS, checked by the callers) and emits {QuorumChanged}.
    function _storeQuorum(uint256 newQuorum) private {
        emit QuorumChanged(_config.quorum, newQuorum, _config.epoch);
        _config.quorum = uint8(newQuorum);
    }

    function _newEpoch() private {
        ++_config.epoch; // checked: 2**40 configuration changes are out of reach
    }

    function _labelOf(address account, MemberRecord memory r) private view returns (string memory label) {
        bytes32 word = r.labelLength > _HEAD_LENGTH ? _longLabels[account] : bytes32(r.labelHead);
        label = new string(r.labelLength);
        // labelLength is 1..32 for every record ever written: one 32-byte data word, which this fills
        assembly ("memory-safe") {
            mstore(add(label, 0x20), word)
        }
    }
}
