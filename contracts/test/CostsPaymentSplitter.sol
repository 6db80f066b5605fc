// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {PaymentSplitter} from "@openzeppelin/contracts-v4/finance/PaymentSplitter.sol";

/**
 * @title CostsPaymentSplitter
 * @notice TEST ONLY. OpenZeppelin 4.9.6 PaymentSplitter, unchanged, deployed as the gas baseline of
 * CostSharing's pay and claim (bench/gas_costs.py): `release(account)` is its per-user settlement.
 */
contract CostsPaymentSplitter is PaymentSplitter {
    constructor(address[] memory payees, uint256[] memory shares_) payable PaymentSplitter(payees, shares_) {}
}
