// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/**
 * @title ConsortiumSmartAccount
 * @notice TEST ONLY. A minimal smart account (a company's own wallet contract) that can be a consortium
 * member: it approves by EIP-1271 — a signature is valid when its `owner` signed the digest with ECDSA —
 * and acts on chain through {execute}, called by its owner. {setAccepting} lets a test make it refuse
 * every signature (a contract signature can be revoked, unlike an ECDSA one).
 */
contract ConsortiumSmartAccount is IERC1271 {
    /// @notice Only `owner` may make the account act; `caller` tried.
    error ConsortiumSmartAccountNotOwner(address caller);
    /// @notice The forwarded call failed without revert data.
    error ConsortiumSmartAccountCallFailed();

    address public immutable owner;
    bool public accepting = true;

    constructor(address owner_) {
        owner = owner_;
    }

    receive() external payable {}

    /// @notice EIP-1271: `0x1626ba7e` when the owner signed `hash` (65-byte ECDSA) and the account accepts.
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address recovered, ECDSA.RecoverError err,) = ECDSA.tryRecoverCalldata(hash, signature);
        bool valid = accepting && err == ECDSA.RecoverError.NoError && recovered == owner;
        return valid ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }

    /// @notice Whether the account accepts its owner's signatures (default true). Owner only.
    function setAccepting(bool accepting_) external {
        if (msg.sender != owner) revert ConsortiumSmartAccountNotOwner(msg.sender);
        accepting = accepting_;
    }

    /// @notice Calls `target` with `value` wei and `data`; revert data is bubbled up. Owner only.
    function execute(address target, uint256 value, bytes calldata data) external returns (bytes memory result) {
        if (msg.sender != owner) revert ConsortiumSmartAccountNotOwner(msg.sender);
        bool success;
        (success, result) = target.call{value: value}(data);
        if (!success) {
            if (result.length == 0) revert ConsortiumSmartAccountCallFailed();
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }
}
