// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/**
 * @title EscrowSilentPartner
 * @notice TEST ONLY. Finding 1 of issue 11: a partner that pays its contribution once ({fund}) and
 * then never answers again — a lost key, a bankrupt company. It has no way to approve, vote, cancel or
 * call `refund`; it can only receive ether. With the v1 escrow a 2-of-2 venture with such a partner
 * froze the other partner's money for good; v2 must let the other partner out alone and let anyone
 * push the silent partner's refund to it.
 */
contract EscrowSilentPartner {
    /// @notice The deposit call failed; `reason` is its revert data.
    error EscrowSilentPartnerDepositFailed(bytes reason);

    /// @notice Pays `msg.value` into venture `ventureId` of `escrow` (`deposit(uint256,uint256)`), once.
    function fund(address escrow, uint256 ventureId) external payable {
        (bool ok, bytes memory ret) =
            escrow.call{value: msg.value}(abi.encodeWithSignature("deposit(uint256,uint256)", ventureId, msg.value));
        if (!ok) revert EscrowSilentPartnerDepositFailed(ret);
    }

    receive() external payable {}
}
