// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC1155} from "@openzeppelin/contracts/token/ERC1155/ERC1155.sol";

/**
 * @title TitlesPlainERC1155
 * @notice TEST ONLY. A plain OpenZeppelin 5 ERC-1155 with an unrestricted {mint}: the gas baseline of a
 * title transfer without the membership check.
 */
contract TitlesPlainERC1155 is ERC1155("") {
    /// @notice Creates `amount` of `id` for `to`. Anyone may call it (test token).
    function mint(address to, uint256 id, uint256 amount) external {
        _mint(to, id, amount, "");
    }
}
