// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/**
 * @title FalseReturnToken
 * @notice TEST ONLY. An ERC-20 that signals failure by returning `false` instead of reverting:
 * `transfer`/`transferFrom` return false and move nothing when the balance or allowance is short,
 * and ALWAYS while {failing} is set ({setFailing}). `approve` always succeeds and returns true.
 * Used to prove that a contract (through SafeERC20) never treats a `false` as a payment.
 * {mint} and {setFailing} are unrestricted.
 */
contract FalseReturnToken {
    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    string public name;
    string public symbol;
    uint8 public immutable decimals;
    uint256 public totalSupply;
    /// @notice While true every transfer and transferFrom returns false and moves nothing.
    bool public failing;
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;

    constructor(string memory name_, string memory symbol_, uint8 decimals_) {
        name = name_;
        symbol = symbol_;
        decimals = decimals_;
    }

    /// @notice Creates `amount` base units for `to`. Anyone may call it (test token).
    function mint(address to, uint256 amount) external {
        totalSupply += amount;
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    /// @notice Turns the always-return-false mode on or off. Anyone may call it (test token).
    function setFailing(bool failing_) external {
        failing = failing_;
    }

    /// @notice Moves `value` to `to`; returns false (moving nothing) on a short balance or while failing.
    function transfer(address to, uint256 value) external returns (bool) {
        return _move(msg.sender, to, value);
    }

    /// @notice Moves `value` from `from`; returns false (moving nothing) on a short balance or
    /// allowance, or while failing.
    function transferFrom(address from, address to, uint256 value) external returns (bool) {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed < value || failing || balanceOf[from] < value) return false;
        if (allowed != type(uint256).max) allowance[from][msg.sender] = allowed - value;
        return _move(from, to, value);
    }

    /// @notice Sets the caller's allowance for `spender`; always returns true.
    function approve(address spender, uint256 value) external returns (bool) {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
        return true;
    }

    function _move(address from, address to, uint256 value) private returns (bool) {
        uint256 balance = balanceOf[from];
        if (failing || balance < value) return false;
        balanceOf[from] = balance - value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
        return true;
    }
}
