// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ICostSharing} from "../interfaces/ICostSharing.sol";

/**
 * @title CostSharingTerms
 * @notice The checks and the EIP-712 struct hash of a cost pool's {ICostSharing-Terms}. The hash is
 * `hashStruct(Terms)` of EIP-712, so a wallet (or eth_account's `encode_typed_data`) computes the same
 * value from the terms themselves; each participant's acceptance signs it together with the pool id.
 */
library CostSharingTerms {
    /// @notice EIP-712 type of the terms.
    bytes32 internal constant TYPEHASH = keccak256(
        "Terms(string name,address asset,address[] participants,uint16[] sharesBps,uint16 approvalBps,"
        "uint8 quorum,uint32 disputeWindow,uint32 settlementPeriod,uint32 duration)"
    );

    uint256 internal constant TOTAL_SHARES = 10_000;
    uint256 internal constant MIN_PARTICIPANTS = 2;
    /// @dev Votes and acceptances are bitmaps of participant indices in a uint64.
    uint256 internal constant MAX_PARTICIPANTS = 50;
    uint256 internal constant MAX_TEXT_LENGTH = 64;
    uint256 internal constant MIN_DISPUTE_WINDOW = 1 hours;
    uint256 internal constant MAX_DISPUTE_WINDOW = 90 days;
    uint256 internal constant MIN_SETTLEMENT_PERIOD = 1 days;
    uint256 internal constant MAX_SETTLEMENT_PERIOD = 366 days;
    uint256 internal constant MAX_DURATION = 3660 days;

    /// @notice EIP-712 `hashStruct` of `terms` (arrays hashed as the concatenation of their 32-byte
    /// encoded elements, the string as the hash of its bytes).
    function hash(ICostSharing.Terms calldata terms) internal pure returns (bytes32) {
        return keccak256(
            abi.encode(
                TYPEHASH,
                keccak256(bytes(terms.name)),
                terms.asset,
                keccak256(abi.encodePacked(terms.participants)),
                keccak256(abi.encodePacked(terms.sharesBps)),
                terms.approvalBps,
                terms.quorum,
                terms.disputeWindow,
                terms.settlementPeriod,
                terms.duration
            )
        );
    }

    /**
     * @notice Reverts unless the scalar parts of `terms` are valid: 2..50 participants and as many
     * shares; `1 <= approvalBps <= 9,999`; `2 <= quorum <= participants`; dispute window 1 hour..90
     * days; settlement period 1..366 days; `settlementPeriod <= duration <= 3,660 days`; name 1..64
     * bytes; asset zero (ETH) or a contract. Participants and shares are checked one by one by the caller.
     */
    function check(ICostSharing.Terms calldata terms) internal view {
        uint256 n = terms.participants.length;
        if (n < MIN_PARTICIPANTS || n > MAX_PARTICIPANTS) {
            revert ICostSharing.CostSharingInvalidParticipantCount(n, MIN_PARTICIPANTS, MAX_PARTICIPANTS);
        }
        if (terms.sharesBps.length != n) revert ICostSharing.CostSharingLengthMismatch(n, terms.sharesBps.length);
        if (terms.approvalBps == 0 || terms.approvalBps >= TOTAL_SHARES) {
            revert ICostSharing.CostSharingInvalidApprovalBps(terms.approvalBps);
        }
        if (terms.quorum < 2 || terms.quorum > n) revert ICostSharing.CostSharingInvalidQuorum(terms.quorum, n);
        _checkTiming(0, terms.disputeWindow, MIN_DISPUTE_WINDOW, MAX_DISPUTE_WINDOW);
        _checkTiming(1, terms.settlementPeriod, MIN_SETTLEMENT_PERIOD, MAX_SETTLEMENT_PERIOD);
        _checkTiming(2, terms.duration, terms.settlementPeriod, MAX_DURATION);
        uint256 length = bytes(terms.name).length;
        if (length == 0 || length > MAX_TEXT_LENGTH) {
            revert ICostSharing.CostSharingInvalidText(length, 1, MAX_TEXT_LENGTH);
        }
        address asset = terms.asset;
        if (asset != address(0) && asset.code.length == 0) revert ICostSharing.CostSharingAssetNotContract(asset);
    }

    function _checkTiming(uint256 which, uint256 value, uint256 min, uint256 max) private pure {
        if (value < min || value > max) revert ICostSharing.CostSharingInvalidTiming(which, value, min, max);
    }
}
