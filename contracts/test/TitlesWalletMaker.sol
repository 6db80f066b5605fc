// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ERC1155Holder} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Holder.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/**
 * @title TitlesWalletMaker
 * @notice TEST ONLY. A member's wallet contract that holds titles (ERC-1155 receiver) and signs orders by
 * ERC-1271: a signature is valid when its `owner` signed the digest with ECDSA, in 65 bytes or the
 * 64-byte ERC-2098 form, and the wallet accepts; {setAccepting} lets a test revoke every signature.
 */
contract TitlesWalletMaker is ERC1155Holder, IERC1271 {
    /// @notice Only `owner` may change the wallet; `caller` tried.
    error TitlesWalletMakerNotOwner(address caller);

    address public immutable owner;
    bool public accepting = true;

    constructor(address owner_) {
        owner = owner_;
    }

    /// @notice ERC-1271: `0x1626ba7e` when the owner signed `hash` and the wallet accepts.
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        address recovered;
        ECDSA.RecoverError err;
        if (signature.length == 64) {
            (recovered, err,) = ECDSA.tryRecover(hash, bytes32(signature[0:32]), bytes32(signature[32:64]));
        } else {
            (recovered, err,) = ECDSA.tryRecoverCalldata(hash, signature);
        }
        bool valid = accepting && err == ECDSA.RecoverError.NoError && recovered == owner;
        return valid ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }

    /// @notice Whether the wallet accepts its owner's signatures (default true). Owner only.
    function setAccepting(bool accepting_) external {
        if (msg.sender != owner) revert TitlesWalletMakerNotOwner(msg.sender);
        accepting = accepting_;
    }
}
