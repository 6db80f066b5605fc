// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/**
 * @title NoReturnToken
 * @notice TEST ONLY. An ERC-20 in the style of early USDT/BNB: `transfer`, `transferFrom` and
 * `approve` return NO value (a caller decoding a `bool` reverts; SafeERC20 accepts it). Failures
 * (insufficient balance or allowance) revert with {NoReturnTokenInsufficient}. {mint} is unrestricted.
 */
contract NoReturnToken {
    /// @notice Raised when `available` is below `needed` (balance or allowance).
    error NoReturnTokenInsufficient(address account, uint256 available, uint256 needed);

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    string public name;
    string public symbol;
    uint8 public immutable decimals;
    uint256 public totalSupply;
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

    /// @notice Moves `value` from the caller to `to`; returns nothing.
    function transfer(address to, uint256 value) external {
        _move(msg.sender, to, value);
    }

    /// @notice Moves `value` from `from` to `to` using the caller's allowance; returns nothing.
    function transferFrom(address from, address to, uint256 value) external {
        uint256 allowed = allowance[from][msg.sender];
        if (allowed != type(uint256).max) {
            if (allowed < value) revert NoReturnTokenInsufficient(msg.sender, allowed, value);
            allowance[from][msg.sender] = allowed - value;
        }
        _move(from, to, value);
    }

    /// @notice Sets the caller's allowance for `spender`; returns nothing.
    function approve(address spender, uint256 value) external {
        allowance[msg.sender][spender] = value;
        emit Approval(msg.sender, spender, value);
    }

    function _move(address from, address to, uint256 value) private {
        uint256 balance = balanceOf[from];
        if (balance < value) revert NoReturnTokenInsufficient(from, balance, value);
        balanceOf[from] = balance - value;
        balanceOf[to] += value;
        emit Transfer(from, to, value);
    }
}
