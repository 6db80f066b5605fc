// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {Safe} from "@safe-global/safe-contracts/contracts/Safe.sol";
import {SafeProxyFactory} from "@safe-global/safe-contracts/contracts/proxies/SafeProxyFactory.sol";

/**
 * @title SafeBaselineSingleton
 * @notice Test-only: Safe 1.4.1 (npm `@safe-global/safe-contracts`, unmodified) compiled with the
 * project's settings, as the gas baseline for the consortium's M-of-N decisions (bench/gas_consortium.py).
 * @dev Adds nothing: the derived contract exists only so that the compiler writes an artifact for the
 * Safe singleton (artifacts are written for contracts declared in `contracts/test/` files).
 */
contract SafeBaselineSingleton is Safe {}

/**
 * @title SafeBaselineProxyFactory
 * @notice Test-only: Safe 1.4.1's SafeProxyFactory, unmodified, to create Safes as proxies of the
 * singleton, as they are deployed in practice.
 */
contract SafeBaselineProxyFactory is SafeProxyFactory {}
