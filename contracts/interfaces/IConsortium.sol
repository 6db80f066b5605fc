// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/**
 * @title IConsortium
 * @notice The consortium's types, events and errors, and what the suite's other contracts read from
 * it, their root of trust: who is a member, and how many approvals a decision needs. Governed actions
 * elsewhere are guarded by `msg.sender == address(consortium)`, i.e. they run only inside an executed
 * proposal.
 */
interface IConsortium {
    // ------------------------------------------------------------------------------------- types

    /// @notice Life cycle of a proposal, as computed now (see {Consortium-proposalState}).
    enum ProposalState {
        /// Live, approvals below its threshold.
        Open,
        /// Live, approvals at or above its threshold and (with a delay) the delay over: executable.
        Approved,
        /// Live, approvals at or above its threshold, waiting for the execution delay; objections may veto it.
        Queued,
        /// Executed (exactly once).
        Executed,
        /// Cancelled by its proposer before its threshold was reached, or by a decision of the consortium.
        Cancelled,
        /// Cancelled by objections (see {Consortium-objectionThreshold}).
        Vetoed,
        /// Not executed and `block.timestamp >= expiry`.
        Expired,
        /// Made under an earlier configuration epoch: void for good (see {ConsortiumMembership}).
        Superseded
    }

    /// @notice A current member and its label.
    struct Member {
        address account;
        string label;
    }

    /// @notice A member's signature of an EIP-712 `Approval` or `Objection`: a 65-byte `r ‖ s ‖ v` ECDSA
    /// signature for an externally owned account, or whatever the member's EIP-1271 `isValidSignature`
    /// accepts for a contract account.
    struct Signature {
        address signer;
        bytes signature;
    }

    /// @notice What the chain keeps of a proposal, with its state and counts as of now.
    /// @dev `proposer` is the zero address for a proposal created from signatures, and for a proposal
    /// of an earlier epoch (membership positions of another configuration are not resolved).
    struct ProposalInfo {
        ProposalState state;
        address proposer;
        uint64 epoch;
        uint64 expiry;
        /// Earliest execution time while queued (0 when not queued, or without a delay).
        uint64 eta;
        /// Approvals needed: the quorum, or `min(quorum, memberCount - 1)` for a removal.
        uint256 threshold;
        uint256 approvals;
        uint256 objections;
    }

    // ------------------------------------------------------------------------------------ events

    /// @notice `account` became a member under `label`, starting configuration epoch `epoch`.
    event MemberAdded(address indexed account, string label, uint64 epoch);
    /// @notice `account` (known as `label`) stopped being a member, starting configuration epoch `epoch`.
    event MemberRemoved(address indexed account, string label, uint64 epoch);
    /// @notice The quorum changed from `oldQuorum` to `newQuorum` (`oldQuorum` is 0 at deployment), in
    /// configuration epoch `epoch`.
    event QuorumChanged(uint256 oldQuorum, uint256 newQuorum, uint64 epoch);
    /// @notice Proposal `proposalId` was created (`nonce` 0), or a decision was executed from signatures
    /// without a recorded proposal (`nonce` its decision nonce). `proposer` is zero for a proposal created
    /// from signatures, and `description` empty (only its hash is on chain).
    event ProposalCreated(
        bytes32 indexed proposalId,
        address indexed proposer,
        address indexed target,
        uint256 value,
        bytes data,
        bytes32 descriptionHash,
        string description,
        uint64 expiry,
        uint64 epoch,
        uint64 nonce
    );
    /// @notice `member`'s approval of `proposalId` was recorded (on chain or from its signature);
    /// `approvals` is the count afterwards.
    event ProposalApproved(bytes32 indexed proposalId, address indexed member, uint256 approvals);
    /// @notice `member` withdrew its approval of `proposalId`; `approvals` is the count afterwards.
    event ApprovalRevoked(bytes32 indexed proposalId, address indexed member, uint256 approvals);
    /// @notice `proposalId` reached its threshold and may be executed from `eta` on, unless vetoed.
    event ProposalQueued(bytes32 indexed proposalId, uint64 eta);
    /// @notice A revocation took `proposalId` below its threshold: it left the queue (its delay restarts
    /// when the threshold is reached again).
    event ProposalDequeued(bytes32 indexed proposalId);
    /// @notice `member` objected to `proposalId` (on chain or by signature); `objections` is the count afterwards.
    event ProposalObjected(bytes32 indexed proposalId, address indexed member, uint256 objections);
    /// @notice `proposalId` was cancelled by `objections` objections.
    event ProposalVetoed(bytes32 indexed proposalId, uint256 objections);
    /// @notice `proposalId` was cancelled by its proposer, or by a decision of the consortium ({cancelProposal}).
    event ProposalCancelled(bytes32 indexed proposalId);
    /// @notice `proposalId` was executed by `executor`; `signers` are the members whose signatures were
    /// submitted with the execution (approvals recorded on chain before are in {ProposalApproved}).
    event ProposalExecuted(bytes32 indexed proposalId, address indexed executor, address[] signers);
    /// @notice The consortium received `amount` wei from `sender`.
    event EtherReceived(address indexed sender, uint256 amount);

    // ------------------------------------------------------------------------------------ errors

    /// @notice `caller` is not this contract: the function is only reachable through a proposal.
    error ConsortiumOnlySelf(address caller);
    /// @notice `account` is not a current member.
    error ConsortiumNotMember(address account);
    /// @notice `account` is already a member.
    error ConsortiumAlreadyMember(address account);
    /// @notice The zero address is not a valid member or proposal target.
    error ConsortiumZeroAddress();
    /// @notice `label` is empty, longer than {ConsortiumMembership-MAX_LABEL_LENGTH} bytes, or contains a zero byte.
    error ConsortiumInvalidLabel(string label);
    /// @notice `label` belongs to `holder` for good (labels are identities, never handed to another address).
    error ConsortiumLabelTaken(string label, address holder);
    /// @notice The constructor got `members` addresses but `labels` labels.
    error ConsortiumLengthMismatch(uint256 members, uint256 labels);
    /// @notice Admitting one more member would exceed {ConsortiumMembership-MAX_MEMBERS} (`maxMembers`).
    error ConsortiumTooManyMembers(uint256 maxMembers);
    /// @notice `quorum` is outside 1..`memberCount`.
    error ConsortiumInvalidQuorum(uint256 quorum, uint256 memberCount);
    /// @notice A quorum of 1 with `memberCount` (≥ 2) members needs the founders' explicit consent at deployment.
    error ConsortiumSingleApprovalNotAllowed(uint256 memberCount);
    /// @notice `previous` is not the member before `account` in the list (the member at the next position,
    /// or zero when `account` holds the last position).
    error ConsortiumInvalidPrevious(address previous, address account);
    /// @notice `account` is the only member: a consortium cannot remove its last member.
    error ConsortiumLastMember(address account);
    /// @notice The execution delay `delay` exceeds `maxDelay` seconds.
    error ConsortiumInvalidDelay(uint256 delay, uint256 maxDelay);
    /// @notice `expiry` is outside (`earliest`, `latest`]: after now plus the proposal's delay, at most
    /// {Consortium-MAX_LIFETIME} from now.
    error ConsortiumInvalidExpiry(uint64 expiry, uint256 earliest, uint256 latest);
    /// @notice No proposal has id `proposalId`.
    error ConsortiumUnknownProposal(bytes32 proposalId);
    /// @notice A proposal with id `proposalId` (the same call, description, expiry and epoch) already exists.
    error ConsortiumProposalExists(bytes32 proposalId);
    /// @notice `proposalId` is `state`: no longer open to approvals, objections, cancellation or execution.
    error ConsortiumProposalNotLive(bytes32 proposalId, ProposalState state);
    /// @notice The call given does not hash to `proposalId` (with its expiry and epoch).
    error ConsortiumCallMismatch(bytes32 proposalId);
    /// @notice `member` already approved `proposalId`.
    error ConsortiumAlreadyApproved(bytes32 proposalId, address member);
    /// @notice `member` has no approval of `proposalId` to revoke.
    error ConsortiumNotApproved(bytes32 proposalId, address member);
    /// @notice `member` already objected to `proposalId`.
    error ConsortiumAlreadyObjected(bytes32 proposalId, address member);
    /// @notice `proposalId` has `approvals` approvals; `threshold` are needed.
    error ConsortiumThresholdNotReached(bytes32 proposalId, uint256 approvals, uint256 threshold);
    /// @notice Only the proposer of `proposalId` may cancel it alone; `caller` is not.
    error ConsortiumNotProposer(bytes32 proposalId, address caller);
    /// @notice `proposalId` reached its threshold (`approvals` of `threshold`): its proposer alone can no
    /// longer cancel it (objections still can).
    error ConsortiumCancelAfterThreshold(bytes32 proposalId, uint256 approvals, uint256 threshold);
    /// @notice No signature was given.
    error ConsortiumNoSignatures();
    /// @notice `signer`'s signature is not valid for this consortium, chain, proposal and epoch.
    error ConsortiumInvalidSignature(address signer);
    /// @notice `signer` appears twice among the signatures.
    error ConsortiumDuplicateSigner(address signer);
    /// @notice The consortium has an execution delay and `proposalId` is not queued: its recorded
    /// approvals must reach its threshold first (signatures given to {Consortium-execute} do not queue it).
    error ConsortiumNotQueued(bytes32 proposalId);
    /// @notice A decision executed from signatures must carry the nonce `expected`, not `nonce`.
    error ConsortiumInvalidNonce(uint64 nonce, uint64 expected);
    /// @notice The decision would wait `delay` seconds once approved (an execution delay, or a removal
    /// below the quorum): it must be a recorded proposal, queued, not executed at once.
    error ConsortiumDelayRequired(uint256 delay);
    /// @notice `proposalId` is queued until `eta`.
    error ConsortiumDelayNotElapsed(bytes32 proposalId, uint64 eta);
    /// @notice `proposalId` carries calldata but `target` has no code.
    error ConsortiumTargetHasNoCode(bytes32 proposalId, address target);
    /// @notice `proposalId` sends `value` wei but the consortium holds only `balance`.
    error ConsortiumInsufficientBalance(bytes32 proposalId, uint256 balance, uint256 value);
    /// @notice The call of `proposalId` reverted without revert data.
    error ConsortiumExecutionFailed(bytes32 proposalId);

    // ------------------------------------------------------------------------------------- reads

    /// @notice Whether `account` is a current member.
    function isMember(address account) external view returns (bool);

    /// @notice Whether `a` and `b` are current members (two {isMember} answers in one call).
    function areMembers(address a, address b) external view returns (bool aIsMember, bool bIsMember);

    /// @notice Approvals needed to execute a proposal (a removal needs `min(quorum, memberCount - 1)`).
    function quorum() external view returns (uint256);
}
