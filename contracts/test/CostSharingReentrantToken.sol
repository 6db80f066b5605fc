// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/**
 * @title CostSharingReentrantToken
 * @notice TEST ONLY. An ERC-20 with a transfer hook, as ERC-777 tokens have: once armed, every
 * transfer calls `target` with `data` (e.g. CostSharing's `pay` or `claim`) before moving the
 * balance, and records whether that call succeeded. Used to show that CostSharing's guard refuses the
 * re-entry while the outer call completes exactly once.
 */
contract CostSharingReentrantToken is ERC20 {
    address public target;
    bytes public data;
    uint256 public reentries;
    bool public lastReentrySucceeded;
    bytes public lastReentryData;

    constructor() ERC20("Hook", "HOOK") {}

    /// @notice Anyone may mint (test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Arms the hook: every later transfer first calls `target_` with `data_` (empty: disarmed).
    function arm(address target_, bytes calldata data_) external {
        (target, data) = (target_, data_);
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && to != address(0) && data.length != 0) {
            reentries += 1;
            (bool ok, bytes memory returndata) = target.call(data);
            (lastReentrySucceeded, lastReentryData) = (ok, returndata);
        }
        super._update(from, to, value);
    }
}
