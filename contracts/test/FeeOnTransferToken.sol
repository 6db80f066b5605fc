// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/**
 * @title FeeOnTransferToken
 * @notice TEST ONLY. An ERC-20 that burns `feeBps` basis points of every transfer between two
 * non-zero addresses (mint and burn are fee-free), so the receiver gets less than `value`:
 * `received = value - value * feeBps / 10_000` (the fee rounds down).
 * Used to prove that a contract credits only what actually arrived.
 */
contract FeeOnTransferToken is ERC20 {
    /// @notice Raised by {setFeeBps} above 10,000.
    error FeeOnTransferTokenFeeTooHigh(uint256 feeBps);

    uint8 private immutable _decimals;
    /// @notice The fee in basis points of each transfer, burned.
    uint256 public feeBps;

    constructor(string memory name_, string memory symbol_, uint8 decimals_, uint256 feeBps_) ERC20(name_, symbol_) {
        if (feeBps_ > 10_000) revert FeeOnTransferTokenFeeTooHigh(feeBps_);
        _decimals = decimals_;
        feeBps = feeBps_;
    }

    /// @inheritdoc ERC20
    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice Sets the fee (0 to 10,000 basis points). Anyone may call it (test token).
    function setFeeBps(uint256 feeBps_) external {
        if (feeBps_ > 10_000) revert FeeOnTransferTokenFeeTooHigh(feeBps_);
        feeBps = feeBps_;
    }

    /// @notice Creates `amount` base units for `to` (no fee). Anyone may call it (test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @dev Transfers between two non-zero addresses lose `value * feeBps / 10_000`, burned.
    function _update(address from, address to, uint256 value) internal override {
        if (from == address(0) || to == address(0)) {
            super._update(from, to, value);
            return;
        }
        uint256 fee = (value * feeBps) / 10_000;
        super._update(from, to, value - fee);
        if (fee != 0) super._update(from, address(0), fee);
    }
}
