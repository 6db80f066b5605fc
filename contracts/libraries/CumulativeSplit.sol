// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";

/**
 * @title CumulativeSplit
 * @notice Splits an amount `R` between parties in proportion to their weights, exact to the wei, by
 * the cumulative-floor rule. Number the parties `1..n` in a fixed order, party `k` with weight `w_k`,
 * `C_k = w_1 + ... + w_k` (`C_0 = 0`, `C_n = T`). Party `k`'s part is
 *
 *     part_k = floor(R * C_k / T) - floor(R * C_(k-1) / T)
 *
 * - the parts add up to exactly `R` (the sum telescopes to `floor(R * T / T)`): no wei is created and
 *   none is left behind, whoever claims first;
 * - each part is the exact share `R * w_k / T` rounded down or up, never off by a whole wei;
 * - `0 <= part_k <= w_k` whenever `R <= T`;
 * - a party needs only its own `C_(k-1)` and `w_k`, so a claim reads O(1) storage: no loop.
 *
 * Used by the JointVentureEscrow (refunds pro rata of what was released); meant for every contract of
 * the suite that splits money (cost pools, exchange fills) so that the rule is written once.
 * The products are computed with OpenZeppelin's full-precision {Math-mulDiv}: no overflow for any
 * `uint256` inputs.
 */
library CumulativeSplit {
    /**
     * @notice The part of `amount` that falls to the party whose weights before it add up to `before`
     * and whose own weight is `weight`, out of a total weight `total`.
     * @dev Requirements: `total > 0` and `before + weight <= total` (callers store these at creation).
     */
    function part(uint256 amount, uint256 before, uint256 weight, uint256 total) internal pure returns (uint256) {
        // The cumulative floor is non-decreasing in C, so the difference cannot underflow.
        return Math.mulDiv(amount, before + weight, total) - Math.mulDiv(amount, before, total);
    }
}
