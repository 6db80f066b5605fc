// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/**
 * @title CostSharingPayeeMock
 * @notice TEST ONLY. An external payee (a supplier's contract wallet) of a CostSharing pool whose
 * behaviour on receiving ether is chosen by the test: accept it, revert, or re-enter CostSharing
 * ({claim} again, or {pay}) from `receive`. The re-entrant call's failure is caught and recorded, so
 * the test can see that the guard stopped it while the outer claim went through exactly once.
 */
contract CostSharingPayeeMock {
    enum Mode {
        Accept,
        Revert,
        ReenterClaim,
        ReenterPay
    }

    error CostSharingPayeeMockRefused(uint256 amount);

    event ReentryAttempted(bool succeeded, bytes returndata);

    address public immutable target;
    Mode public mode;
    uint256 public reentries;
    bool public lastReentrySucceeded;
    bytes public lastReentryData;
    uint256 private _poolId;
    uint256 private _period;
    uint256 private _amount;

    constructor(address target_) {
        target = target_;
    }

    function setMode(Mode mode_) external {
        mode = mode_;
    }

    /// Claims `amount` of this contract's part in `period` of `poolId` to `to` (itself when zero).
    function claim(uint256 poolId, uint256 period, uint256 amount, address payable to) external {
        (_poolId, _period, _amount) = (poolId, period, amount);
        address recipient = to == address(0) ? address(this) : to;
        (bool ok, bytes memory data) = target.call(
            abi.encodeWithSignature("claim(uint256,uint256,uint256,address)", poolId, period, amount, recipient)
        );
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(data, 0x20), mload(data))
            }
        }
    }

    receive() external payable {
        Mode m = mode;
        if (m == Mode.Revert) revert CostSharingPayeeMockRefused(msg.value);
        if (m == Mode.ReenterClaim || m == Mode.ReenterPay) {
            reentries += 1;
            bytes memory call_ = m == Mode.ReenterClaim
                ? abi.encodeWithSignature(
                    "claim(uint256,uint256,uint256,address)", _poolId, _period, _amount, address(this)
                )
                : abi.encodeWithSignature("pay(uint256,uint256,address,uint256)", _poolId, _period, address(this), 1);
            (bool ok, bytes memory data) = target.call(call_);
            lastReentrySucceeded = ok;
            lastReentryData = data;
            emit ReentryAttempted(ok, data);
        }
    }
}
