// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {ConsortiumMembership} from "./ConsortiumMembership.sol";

/**
 * @title ConsortiumSignatures
 * @notice The consortium's EIP-712 typed data: what a decision is, how its id is computed, and how members'
 * signed approvals and objections are checked.
 *
 * @dev Design decisions:
 *
 * - **Domain**: name `Consortium`, version `2`, the chain id and this contract's address (OpenZeppelin
 *   {EIP712}, also published by `eip712Domain()`, ERC-5267): a signature is void on another chain and for
 *   another consortium.
 *
 * - **Types.** A decision is
 *   `Proposal(address target,uint256 value,bytes data,bytes32 descriptionHash,uint64 expiry,uint64 epoch,uint64 nonce)`
 *   and its EIP-712 struct hash ({hashProposal}) is its id: the epoch binds it to one configuration,
 *   `nonce` is 0 for a proposal recorded on chain and the decision nonce for a decision executed straight
 *   from signatures. A member signs `Approval(Proposal proposal)` to approve and `Objection(Proposal
 *   proposal)` to object (the nested struct lets wallets show every field), i.e. the digest
 *   `keccak256("\x19\x01" ‖ domainSeparator ‖ keccak256(abi.encode(APPROVAL_TYPEHASH, proposalId)))`.
 *
 * - **Checking.** A {Signature} names its signer. For an EOA it is 65 bytes `r ‖ s ‖ v` checked with
 *   OpenZeppelin's ECDSA, which rejects malleable (high-s) signatures; for a contract member it is
 *   whatever its EIP-1271 `isValidSignature` accepts (`SignatureChecker`). The ECDSA check comes first and
 *   the EIP-1271 call only when it fails — no contract address has a private key — which spares an
 *   account-code read per signer on the common path. Every signer must be a current member and appear
 *   once; each accepted signature sets that member's bit, so the loop is bounded by the member count.
 */
abstract contract ConsortiumSignatures is ConsortiumMembership, EIP712 {
    /// @notice EIP-712 type hash of a decision; its struct hash is the decision's id.
    bytes32 public constant PROPOSAL_TYPEHASH = keccak256(
        "Proposal(address target,uint256 value,bytes data,bytes32 descriptionHash,uint64 expiry,uint64 epoch,uint64 nonce)"
    );
    /// @notice EIP-712 type hash of what a member signs to approve: `Approval(Proposal proposal)Proposal(...)`.
    bytes32 public constant APPROVAL_TYPEHASH = keccak256(
        "Approval(Proposal proposal)"
        "Proposal(address target,uint256 value,bytes data,bytes32 descriptionHash,uint64 expiry,uint64 epoch,uint64 nonce)"
    );
    /// @notice EIP-712 type hash of what a member signs to object: `Objection(Proposal proposal)Proposal(...)`.
    bytes32 public constant OBJECTION_TYPEHASH = keccak256(
        "Objection(Proposal proposal)"
        "Proposal(address target,uint256 value,bytes data,bytes32 descriptionHash,uint64 expiry,uint64 epoch,uint64 nonce)"
    );

    constructor() EIP712("Consortium", "2") {}

    /// @notice The id of a decision: the EIP-712 struct hash of its `Proposal` (`nonce` 0 for a proposal
    /// recorded on chain, the decision nonce for a decision executed from signatures).
    function hashProposal(
        address target,
        uint256 value,
        bytes calldata data,
        bytes32 descriptionHash,
        uint64 expiry,
        uint64 epoch_,
        uint64 nonce
    ) public pure returns (bytes32) {
        return keccak256(
            abi.encode(PROPOSAL_TYPEHASH, target, value, keccak256(data), descriptionHash, expiry, epoch_, nonce)
        );
    }

    /// @notice The EIP-712 digest a member signs to approve decision `proposalId`.
    function approvalDigest(bytes32 proposalId) external view returns (bytes32) {
        return _approvalDigest(proposalId);
    }

    /// @notice The EIP-712 digest a member signs to object to proposal `proposalId`.
    function objectionDigest(bytes32 proposalId) external view returns (bytes32) {
        return _objectionDigest(proposalId);
    }

    /// @notice The EIP-712 domain separator (name "Consortium", version "2", chain id, this address).
    function domainSeparator() external view returns (bytes32) {
        return _domainSeparatorV4();
    }

    function _approvalDigest(bytes32 proposalId) internal view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(APPROVAL_TYPEHASH, proposalId)));
    }

    function _objectionDigest(bytes32 proposalId) internal view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(OBJECTION_TYPEHASH, proposalId)));
    }

    /// Bitmap (by position) of the members whose signatures of `digest` are given. Reverts on a non-member
    /// ({ConsortiumNotMember}), a signer given twice ({ConsortiumDuplicateSigner}) or an invalid signature
    /// ({ConsortiumInvalidSignature}).
    function _verify(bytes32 digest, Signature[] calldata signatures) internal view returns (uint256 bits) {
        for (uint256 i = 0; i < signatures.length; ++i) {
            address signer = signatures[i].signer;
            uint256 bit = _bit(_requireMember(signer));
            if (bits & bit != 0) revert ConsortiumDuplicateSigner(signer);
            bytes calldata signature = signatures[i].signature;
            (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(digest, signature);
            if (err != ECDSA.RecoverError.NoError || recovered != signer) {
                if (!SignatureChecker.isValidERC1271SignatureNowCalldata(signer, digest, signature)) {
                    revert ConsortiumInvalidSignature(signer);
                }
            }
            bits |= bit;
        }
    }

    /// The signers of `signatures`, in order.
    function _signers(Signature[] calldata signatures) internal pure returns (address[] memory list) {
        list = new address[](signatures.length);
        for (uint256 i = 0; i < signatures.length; ++i) {
            list[i] = signatures[i].signer;
        }
    }

    function _requireMember(address account) internal view returns (uint256 position) {
        position = _positionOf(account);
        if (position == 0) revert ConsortiumNotMember(account);
    }

    /// The bit of `position` in a bitmap (0 for position 0, i.e. a non-member).
    function _bit(uint256 position) internal pure returns (uint256) {
        return position == 0 ? 0 : 1 << (position - 1);
    }

    /// Number of set bits of `x` (SWAR, constant gas).
    function _popCount(uint256 x) internal pure returns (uint256) {
        // unchecked: every step keeps each lane's partial count below the lane's capacity — 2-bit lanes
        // hold <= 2, 4-bit <= 4, 8-bit <= 8, 16-bit <= 16 — so no subtraction underflows and no addition
        // carries into the next lane; the final multiply sums the sixteen 16-bit lanes into the top lane
        // (<= 256 < 2**16), its wrap-around only discarding the lower partial sums.
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
