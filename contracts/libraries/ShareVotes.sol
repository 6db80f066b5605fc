// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/**
 * @title ShareVotes
 * @notice The approval rule of a cost pool as pure arithmetic. Votes are a bitmap of participant
 * indices (pools have at most 50 participants) and the sum of the voters' shares in basis points.
 * A decision needs voters holding *strictly more* than `approvalBps / 10,000` of the shares of the
 * participants who may vote (`others`), and at least `min(quorum, othersCount)` voters; both are
 * compared with `>=`.
 */
library ShareVotes {
    /// @notice What a decision needs when `others` basis points held by `othersCount` participants vote.
    struct Rule {
        uint256 needWeight;
        uint256 needCount;
        uint256 others;
        uint256 othersCount;
    }

    /// @notice The rule when `others` basis points held by `othersCount` participants may vote.
    function rule(uint256 others, uint256 othersCount, uint256 approvalBps, uint256 quorum)
        internal
        pure
        returns (Rule memory r)
    {
        r.needWeight = others * approvalBps / 10_000 + 1; // others <= 10,000: no overflow
        r.needCount = Math.min(quorum, othersCount); // branchless: the same gas whatever the pool's size
        (r.others, r.othersCount) = (others, othersCount);
    }

    /// @notice Whether `weight` from `voters` voters in favour meets the rule.
    function met(Rule memory r, uint256 weight, uint256 voters) internal pure returns (bool) {
        return weight >= r.needWeight && voters >= r.needCount;
    }

    /// @notice Whether, with `weight` from `voters` voters against, those left can no longer meet the rule.
    function outOfReach(Rule memory r, uint256 weight, uint256 voters) internal pure returns (bool) {
        // others - weight < needWeight, or othersCount - voters < needCount (voters against are among the others)
        return r.others < r.needWeight + weight || r.othersCount < r.needCount + voters;
    }

    /// @notice Number of set bits.
    function count(uint64 bits) internal pure returns (uint256 n) {
        unchecked {
            // clears the lowest set bit each round: at most 64 rounds, bits != 0 so bits - 1 cannot underflow
            for (; bits != 0; ++n) bits &= bits - 1;
        }
    }

    /// @notice Index of the lowest set bit of a non-zero `bits`.
    function lowest(uint64 bits) internal pure returns (uint256) {
        unchecked {
            return Math.log2(uint256(bits & (~bits + 1))); // two's complement: isolates the lowest set bit
        }
    }
}
