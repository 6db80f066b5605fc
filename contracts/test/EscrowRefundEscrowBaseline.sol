// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {RefundEscrow} from "@openzeppelin/contracts-v4/utils/escrow/RefundEscrow.sol";

/**
 * @title EscrowRefundEscrowBaseline
 * @notice TEST ONLY. OpenZeppelin 4.9.6 `RefundEscrow`, unchanged, deployable on its own: the gas
 * baseline the joint-venture escrow is compared with (bench/gas_escrow.py).
 */
contract EscrowRefundEscrowBaseline is RefundEscrow {
    constructor(address payable beneficiary_) RefundEscrow(beneficiary_) {}
}
