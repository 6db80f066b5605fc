// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";

/**
 * @title CostSharingTestWallet
 * @notice TEST ONLY. A minimal ERC-1271 smart wallet of one owner, as a consortium member (a
 * company's multisig, simplified): it accepts a signature when its owner's ECDSA signature of the
 * *raw* hash recovers to the owner. That is deliberately naive (two such wallets of one owner accept
 * each other's signatures), so the tests can show that CostSharing's signed acceptance names the
 * participant and cannot be replayed for another wallet. {execute} lets the owner act through it.
 */
contract CostSharingTestWallet is IERC1271 {
    error CostSharingTestWalletNotOwner(address caller);

    address public immutable owner;
    bool public refuseAll;

    constructor(address owner_) {
        owner = owner_;
    }

    /// @notice Makes {isValidSignature} refuse everything (a wallet that revoked its signatures).
    function setRefuseAll(bool refuse) external {
        if (msg.sender != owner) revert CostSharingTestWalletNotOwner(msg.sender);
        refuseAll = refuse;
    }

    /// @inheritdoc IERC1271
    function isValidSignature(bytes32 hash, bytes calldata signature) external view returns (bytes4) {
        (address signer, ECDSA.RecoverError err,) = ECDSA.tryRecover(hash, signature);
        bool ok = !refuseAll && err == ECDSA.RecoverError.NoError && signer == owner;
        return ok ? IERC1271.isValidSignature.selector : bytes4(0xffffffff);
    }

    /// @notice Calls `target` with `data` (and the ether sent) as this wallet; bubbles a revert up.
    function execute(address target, bytes calldata data) external payable returns (bytes memory) {
        if (msg.sender != owner) revert CostSharingTestWalletNotOwner(msg.sender);
        (bool ok, bytes memory returndata) = target.call{value: msg.value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(returndata, 0x20), mload(returndata))
            }
        }
        return returndata;
    }

    receive() external payable {}
}
