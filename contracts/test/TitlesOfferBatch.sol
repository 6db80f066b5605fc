// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {ERC1155Holder} from "@openzeppelin/contracts/token/ERC1155/utils/ERC1155Holder.sol";
import {TitleExchange} from "../TitleExchange.sol";

/**
 * @title TitlesOfferBatch
 * @notice TEST/BENCH ONLY. A contract member that makes or cancels many exchange offers in one
 * transaction, to put 1,000 open offers on an exchange quickly (gas benchmarks). Unrestricted.
 */
contract TitlesOfferBatch is ERC1155Holder {
    /// @notice Makes `count` offers with `terms`; the first new offer id is returned.
    function makeOffers(TitleExchange exchange, TitleExchange.OfferTerms calldata terms, uint256 count)
        external
        returns (uint256 firstId)
    {
        for (uint256 i = 0; i < count; ++i) {
            uint256 id = exchange.makeOffer(terms);
            if (i == 0) firstId = id;
        }
    }

    /// @notice Cancels offers `fromId` to `toId` (inclusive), all made by this contract.
    function cancelOffers(TitleExchange exchange, uint256 fromId, uint256 toId) external {
        for (uint256 id = fromId; id <= toId; ++id) {
            exchange.cancel(id, address(this));
        }
    }
}
