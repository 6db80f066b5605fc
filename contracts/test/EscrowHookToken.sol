// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/// @notice The ERC-777 sender hook (IERC777Sender), called before tokens leave a holder.
interface IEscrowTokensSender {
    function tokensToSend(
        address operator,
        address from,
        address to,
        uint256 amount,
        bytes calldata userData,
        bytes calldata operatorData
    ) external;
}

/**
 * @title EscrowHookToken
 * @notice TEST ONLY. Finding 2 of issue 11: an ERC-20 with ERC-777-style sender hooks. A holder that
 * {registerHook}s is called (`tokensToSend`) before every transfer out of its balance, *before* the
 * balances move — so a partner's hook runs in the middle of the escrow's `deposit` and can try to
 * re-enter it (vote the venture into Cancelled while `deposit` is about to write Active).
 */
contract EscrowHookToken is ERC20 {
    mapping(address holder => bool) public hooked;

    constructor() ERC20("Hook", "HOOK") {}

    /// @notice Anyone may mint (test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice The caller's `tokensToSend` is called before each transfer out of its balance.
    function registerHook(bool on) external {
        hooked[msg.sender] = on;
    }

    function _update(address from, address to, uint256 value) internal override {
        if (from != address(0) && hooked[from]) {
            IEscrowTokensSender(from).tokensToSend(msg.sender, from, to, value, "", "");
        }
        super._update(from, to, value);
    }
}
