// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/**
 * @title MockERC20
 * @notice TEST ONLY. A plain OpenZeppelin ERC-20 with configurable decimals and an unrestricted
 * {mint}/{burn}, for tests and gas benchmarks (e.g. a 6-decimals "USDC").
 */
contract MockERC20 is ERC20 {
    uint8 private immutable _decimals;

    /// @param name_ token name; @param symbol_ token symbol; @param decimals_ e.g. 18 or 6.
    constructor(string memory name_, string memory symbol_, uint8 decimals_) ERC20(name_, symbol_) {
        _decimals = decimals_;
    }

    /// @inheritdoc ERC20
    function decimals() public view override returns (uint8) {
        return _decimals;
    }

    /// @notice Creates `amount` base units for `to`. Anyone may call it (test token).
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /// @notice Destroys `amount` base units of `from`. Anyone may call it (test token).
    function burn(address from, uint256 amount) external {
        _burn(from, amount);
    }
}
