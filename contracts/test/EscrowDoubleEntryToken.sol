// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/**
 * @title EscrowDoubleEntryToken
 * @notice TEST ONLY. Finding 3 of issue 11: one token reachable through two contract addresses, the
 * way TrueUSD's legacy contract forwarded to the current one. {legacy} is a second ERC-20 facade
 * whose `balanceOf` and `transfer` read and move *this* token's balances. A contract that computes a
 * surplus as `balanceOf(address) - held[address]` for any address it is given sees the whole balance of
 * this token as surplus when handed the legacy address (it holds nothing recorded there).
 */
contract EscrowDoubleEntryToken is ERC20 {
    /// @notice Only the legacy entry may move balances on a holder's behalf.
    error EscrowDoubleEntryTokenNotLegacy(address caller);

    EscrowLegacyEntry public immutable legacy;

    constructor() ERC20("Double", "DBL") {
        legacy = new EscrowLegacyEntry(this);
    }

    /// @notice Anyone may mint (test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Moves `amount` from `from` to `to`; callable only by the legacy entry, for `from` = its caller.
    function legacyTransfer(address from, address to, uint256 amount) external {
        if (msg.sender != address(legacy)) revert EscrowDoubleEntryTokenNotLegacy(msg.sender);
        _transfer(from, to, amount);
    }
}

/// @notice TEST ONLY. The second address of {EscrowDoubleEntryToken} (see there).
contract EscrowLegacyEntry {
    EscrowDoubleEntryToken public immutable token;

    constructor(EscrowDoubleEntryToken token_) {
        token = token_;
    }

    function balanceOf(address account) external view returns (uint256) {
        return token.balanceOf(account);
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        token.legacyTransfer(msg.sender, to, amount);
        return true;
    }
}
