// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/**
 * @title EscrowTestActor
 * @notice TEST ONLY. A contract that acts as a joint-venture partner or beneficiary (it forwards any
 * call with {act}) and decides what happens when it receives ETH:
 * - mode 0 (Accept): takes it;
 * - mode 1 (Revert): reverts (a receiver that cannot be paid);
 * - mode 2 (Reenter): calls `reentryTarget` with `reentryData` once (e.g. `refund` or `withdraw` again),
 *   records whether that inner call succeeded and its revert data, and takes the ETH.
 * In mode 2 the same reentry also runs from the ERC-777 sender hook {tokensToSend} (a token such as
 * EscrowHookToken calls it before moving the actor's tokens): issue 11's re-entry on the last deposit,
 * and the stale-vote partner of finding 4 (it votes while funding through {act}).
 */
contract EscrowTestActor {
    /// @notice The forwarded call failed; `reason` is its revert data (bubbled up as is).
    error EscrowTestActorCallFailed(bytes reason);
    /// @notice Raised on receiving ETH in mode 1.
    error EscrowTestActorRefused(uint256 value);

    /// @notice Emitted after an attempted reentry.
    event ReentryAttempted(bool succeeded, bytes returnData);

    uint8 public mode;
    address public reentryTarget;
    bytes public reentryData;
    bool public reentryAttempted;
    bool public reentrySucceeded;
    bytes public reentryReturnData;
    uint256 public received;

    /// @notice Sets the receive behaviour (0 accept, 1 revert, 2 reenter `target` with `data`).
    function configure(uint8 mode_, address target, bytes calldata data) external {
        mode = mode_;
        reentryTarget = target;
        reentryData = data;
        reentryAttempted = false;
        reentrySucceeded = false;
        delete reentryReturnData;
    }

    /// @notice Calls `target` with `data` and `value` wei (from what is sent along or held).
    function act(address target, bytes calldata data, uint256 value) external payable returns (bytes memory) {
        (bool ok, bytes memory ret) = target.call{value: value}(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(ret, 0x20), mload(ret))
            }
        }
        return ret;
    }

    /// @notice ERC-777 sender hook: in mode 2, re-enters like {receive} (once).
    function tokensToSend(address, address, address, uint256, bytes calldata, bytes calldata) external {
        if (mode == 2) _reenter();
    }

    receive() external payable {
        if (mode == 1) revert EscrowTestActorRefused(msg.value);
        received += msg.value;
        if (mode == 2) _reenter();
    }

    function _reenter() private {
        if (!reentryAttempted) {
            reentryAttempted = true;
            (bool ok, bytes memory ret) = reentryTarget.call(reentryData);
            reentrySucceeded = ok;
            reentryReturnData = ret;
            emit ReentryAttempted(ok, ret);
        }
    }
}
