// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ICostSharing} from "../interfaces/ICostSharing.sol";
import {CumulativeSplit} from "./CumulativeSplit.sol";

/**
 * @title CostLedger
 * @notice Storage and bookkeeping of CostSharing's pools (see contracts/CostSharing.sol for the rules):
 * bookings and reversals in the period totals, payments, pro-rata collection and netting.
 *
 * Settlement period `k` of a pool opens at `liveAt + (k+1)·period + disputeWindow`; from then on its
 * total booked `T_k` and every payee's credit are final, and only what its debtors paid in, `P_k`,
 * grows. Participant `i` owes `CumulativeSplit.part(T_k, lower_i, share_i, 10,000)`; a payee credited
 * `c` is entitled to `floor(c · P_k / T_k)`. As the credits add up to `T_k`, the entitlements add up
 * to at most `P_k`: nobody can collect what another is entitled to, whatever the order of claims.
 */
library CostLedger {
    using SafeERC20 for IERC20;

    uint256 internal constant TOTAL_SHARES = 10_000;

    struct Pool {
        // slot 0: what settlement needs
        address asset;
        uint40 liveAt;
        uint32 period;
        uint24 disputeWindow;
        // slot 1: life cycle and rule
        ICostSharing.PoolStatus status;
        uint8 participantCount;
        uint8 quorum;
        uint16 approvalBps;
        uint32 duration;
        uint40 endsAt;
        uint40 closedAt;
        uint64 accepted;
        uint32 booked;
        // slot 2
        address creator;
        uint64 closeVotes;
        uint16 closeWeight;
        // slot 3
        bytes32 termsHash;
    }

    struct Seat {
        uint16 share;
        uint16 lower;
        uint8 index;
        bool seated;
    }

    /// @dev Three slots written at submission (the votes' slot at the first vote).
    struct Expense {
        address payee;
        uint96 amount;
        bytes32 evidenceHash;
        bytes20 refDigest;
        uint40 poolId;
        ICostSharing.ExpenseStatus status;
        uint8 submitter;
        uint40 bookedAt;
        uint64 approvals;
        uint16 approvalWeight;
        uint64 objections; // rejections while pending, disputes once booked
        uint16 objectionWeight;
    }

    struct Totals {
        uint128 booked;
        uint128 paid;
    }

    /// @dev A participant's side of one period, with the pool constants {pay} needs (copied on first
    /// use, so that a payment reads this slot and the period's totals only).
    struct Debt {
        uint128 paid;
        uint16 share;
        uint16 lower;
        uint40 opensAt;
        bool token;
    }

    /// @dev A payee's side of one period, with the pool constants {collect} needs (set at booking).
    struct Credit {
        uint104 credit;
        uint104 withdrawn;
        uint40 opensAt;
        bool token;
    }

    struct State {
        uint256 poolCount;
        uint256 expenseCount;
        mapping(uint256 poolId => Pool) pools;
        mapping(uint256 poolId => address[]) participants;
        mapping(uint256 poolId => mapping(address account => Seat)) seats;
        mapping(uint256 expenseId => Expense) expenses;
        mapping(bytes32 evidenceHash => uint256 expenseId) bookedEvidence;
        mapping(uint256 poolId => mapping(uint256 period => Totals)) totals;
        mapping(uint256 poolId => mapping(uint256 period => mapping(address account => Debt))) debts;
        mapping(uint256 poolId => mapping(uint256 period => mapping(address account => Credit))) credits;
    }

    // ------------------------------------------------------------------------------- periods

    /// @notice The settlement period containing `timestamp` (not before `liveAt`).
    function periodAt(Pool storage p, uint256 timestamp) internal view returns (uint256) {
        return (timestamp - p.liveAt) / p.period;
    }

    /// @notice When period `period` opens. Reverts if the pool never went live or has no such period.
    function opensAt(Pool storage p, uint256 poolId, uint256 period) internal view returns (uint256) {
        if (p.liveAt == 0) revert ICostSharing.CostSharingWrongPoolStatus(poolId, p.status);
        uint256 count = (uint256(p.duration) + p.period - 1) / p.period;
        if (period >= count) revert ICostSharing.CostSharingInvalidPeriod(poolId, period, count);
        return p.liveAt + (period + 1) * p.period + p.disputeWindow;
    }

    /// @notice What a participant with seat `s` owes of a period's total `booked` (0 for no seat).
    function owed(uint256 booked, Seat memory s) internal pure returns (uint256) {
        return s.seated ? CumulativeSplit.part(booked, s.lower, s.share, TOTAL_SHARES) : 0;
    }

    /// @notice `floor(credit · paid / booked)`: credit < 2**104 and paid < 2**128, so the product fits.
    function entitlement(uint256 credit, Totals memory t) internal pure returns (uint256) {
        return credit == 0 ? 0 : credit * t.paid / t.booked; // credit > 0 implies booked >= credit > 0
    }

    // ------------------------------------------------------------------------------ bookings

    /// @notice Reverts if `evidenceHash` is held by a booked expense.
    function requireEvidenceFree(State storage s, bytes32 evidenceHash) internal view {
        uint256 holder = s.bookedEvidence[evidenceHash];
        if (holder != 0) {
            revert ICostSharing.CostSharingEvidenceAlreadyBooked(evidenceHash, s.expenses[holder].poolId, holder);
        }
    }

    /// @notice Books expense `expenseId` in the current period: its evidence hash, the period's total
    /// and the payee's credit (caching the pool constants a claim needs).
    function book(State storage s, uint256 expenseId) internal {
        Expense storage e = s.expenses[expenseId];
        (uint256 poolId, address payee, uint256 amount) = (e.poolId, e.payee, e.amount);
        Pool storage p = s.pools[poolId];
        requireEvidenceFree(s, e.evidenceHash);
        s.bookedEvidence[e.evidenceHash] = expenseId;
        uint256 period = periodAt(p, block.timestamp);
        // rejections do not carry over into disputes
        (e.status, e.bookedAt, e.objections, e.objectionWeight) =
            (ICostSharing.ExpenseStatus.Booked, uint40(block.timestamp), 0, 0);
        p.booked += 1;
        Totals storage t = s.totals[poolId][period];
        Credit storage c = s.credits[poolId][period][payee];
        uint256 booked = t.booked + amount;
        if (booked > type(uint128).max) revert ICostSharing.CostSharingAmountTooLarge(booked, type(uint128).max);
        uint256 credit = c.credit + amount;
        if (credit > type(uint104).max) revert ICostSharing.CostSharingAmountTooLarge(credit, type(uint104).max);
        (t.booked, c.credit) = (uint128(booked), uint104(credit));
        if (c.opensAt == 0) (c.opensAt, c.token) = (uint40(opensAt(p, poolId, period)), p.asset != address(0));
        emit ICostSharing.ExpenseBooked(expenseId, poolId, payee, amount, period);
    }

    /// @notice Undoes the booking of `expenseId`. Its dispute window closes before its period opens,
    /// so nothing of that period was paid or collected yet: no position needs unwinding.
    function reverse(State storage s, uint256 expenseId) internal {
        Expense storage e = s.expenses[expenseId];
        (uint256 poolId, address payee, uint256 amount) = (e.poolId, e.payee, e.amount);
        Pool storage p = s.pools[poolId];
        uint256 period = periodAt(p, e.bookedAt);
        e.status = ICostSharing.ExpenseStatus.Reversed;
        delete s.bookedEvidence[e.evidenceHash];
        p.booked -= 1;
        Totals storage t = s.totals[poolId][period];
        Credit storage c = s.credits[poolId][period][payee];
        (t.booked, c.credit) = (t.booked - uint128(amount), c.credit - uint104(amount)); // amount was added
        emit ICostSharing.ExpenseReversed(expenseId, poolId, payee, amount, period);
    }

    // ---------------------------------------------------------------------------- settlement

    /// @notice {CostSharing-pay}: two cold slots on the way (debt and totals) once cached. `value` is the
    /// payable entry point's `msg.value`, checked here against what the pool's asset requires.
    function pay(State storage s, uint256 poolId, uint256 period, address debtor, uint256 amount, uint256 value)
        internal
    {
        Debt storage d = s.debts[poolId][period][debtor];
        Debt memory dm = d;
        if (dm.opensAt == 0) {
            Seat memory seat = s.seats[poolId][debtor];
            if (!seat.seated) revert ICostSharing.CostSharingNotParticipant(poolId, debtor);
            Pool storage p = s.pools[poolId];
            dm = Debt(dm.paid, seat.share, seat.lower, uint40(opensAt(p, poolId, period)), p.asset != address(0));
            (d.share, d.lower, d.opensAt, d.token) = (dm.share, dm.lower, dm.opensAt, dm.token);
        }
        if (block.timestamp < dm.opensAt) revert ICostSharing.CostSharingPeriodNotFinal(poolId, period, dm.opensAt);
        if (amount == 0) revert ICostSharing.CostSharingZeroAmount();
        uint256 expected = dm.token ? 0 : amount;
        if (value != expected) revert ICostSharing.CostSharingWrongValue(value, expected);
        Totals storage t = s.totals[poolId][period];
        uint256 debt = CumulativeSplit.part(t.booked, dm.lower, dm.share, TOTAL_SHARES) - dm.paid;
        if (amount > debt) revert ICostSharing.CostSharingOverpayment(poolId, period, debtor, amount, debt);
        // amount <= debt: paid stays <= owed <= booked < 2**128, and so does the period's paid
        (d.paid, t.paid) = (uint128(dm.paid + amount), t.paid + uint128(amount));
        emit ICostSharing.PaidIn(poolId, debtor, period, msg.sender, amount);
        if (dm.token) pull(s.pools[poolId].asset, amount);
    }

    /// @notice What `account` can collect in period `period` of `poolId` now.
    function collectable(State storage s, uint256 poolId, uint256 period, address account)
        internal
        view
        returns (uint256)
    {
        Credit memory c = s.credits[poolId][period][account];
        return entitlement(c.credit, s.totals[poolId][period]) - c.withdrawn; // the entitlement only grows
    }

    /// @notice {CostSharing-claim}: sends `amount` of `account`'s collectable part to `to`.
    function collect(State storage s, uint256 poolId, uint256 period, address account, uint256 amount, address payable to)
        internal
    {
        Credit storage c = s.credits[poolId][period][account];
        Credit memory cm = c;
        if (block.timestamp < cm.opensAt) revert ICostSharing.CostSharingPeriodNotFinal(poolId, period, cm.opensAt);
        uint256 available = entitlement(cm.credit, s.totals[poolId][period]) - cm.withdrawn;
        if (amount > available) {
            revert ICostSharing.CostSharingClaimExceedsCollectable(poolId, period, account, amount, available);
        }
        c.withdrawn = uint104(cm.withdrawn + amount); // <= entitlement <= credit < 2**104
        emit ICostSharing.Claimed(poolId, account, period, to, amount);
        send(cm.token ? s.pools[poolId].asset : address(0), to, amount);
    }

    /// @notice {CostSharing-settle}: pays the caller's whole debt and collects its whole part.
    function settle(State storage s, uint256 poolId, uint256 period, address payable to, uint256 value)
        internal
        returns (uint256 paidIn, uint256 paidOut)
    {
        uint256 opens = opensAt(s.pools[poolId], poolId, period);
        if (block.timestamp < opens) revert ICostSharing.CostSharingPeriodNotFinal(poolId, period, opens);
        (Totals storage t, Seat memory seat) = (s.totals[poolId][period], s.seats[poolId][msg.sender]);
        (Debt storage d, Credit storage c) = (s.debts[poolId][period][msg.sender], s.credits[poolId][period][msg.sender]);
        uint256 debt = owed(t.booked, seat) - d.paid;
        uint256 collect_ = entitlement(c.credit, Totals(t.booked, t.paid + uint128(debt))) - c.withdrawn;
        if (debt == 0 && collect_ == 0) revert ICostSharing.CostSharingZeroAmount();
        address asset = s.pools[poolId].asset;
        if (debt != 0) {
            (d.share, d.lower, d.opensAt, d.token) = (seat.share, seat.lower, uint40(opens), asset != address(0));
            (d.paid, t.paid) = (d.paid + uint128(debt), t.paid + uint128(debt)); // <= owed <= booked < 2**128
            emit ICostSharing.PaidIn(poolId, msg.sender, period, msg.sender, debt);
        }
        if (collect_ != 0) {
            c.withdrawn += uint104(collect_); // <= credit < 2**104
            emit ICostSharing.Claimed(poolId, msg.sender, period, to, collect_);
        }
        (paidIn, paidOut) = debt > collect_ ? (debt - collect_, uint256(0)) : (uint256(0), collect_ - debt);
        uint256 expected = asset == address(0) ? paidIn : 0;
        if (value != expected) revert ICostSharing.CostSharingWrongValue(value, expected);
        if (paidIn != 0 && asset != address(0)) pull(asset, paidIn);
        if (paidOut != 0) send(asset, to, paidOut);
    }

    /// @notice {CostSharing-position}.
    function position(State storage s, uint256 poolId, uint256 period, address account)
        internal
        view
        returns (ICostSharing.Position memory pos)
    {
        Totals memory t = s.totals[poolId][period];
        Credit memory c = s.credits[poolId][period][account];
        (pos.owed, pos.paid) = (owed(t.booked, s.seats[poolId][account]), s.debts[poolId][period][account].paid);
        (pos.credit, pos.entitlement, pos.withdrawn) = (c.credit, entitlement(c.credit, t), c.withdrawn);
        (pos.debt, pos.collectable) = (pos.owed - pos.paid, pos.entitlement - pos.withdrawn);
    }

    // ------------------------------------------------------------------------------- assets

    /// @notice Pulls exactly `amount` of `token` from the caller (fee-on-transfer tokens are refused).
    function pull(address token, uint256 amount) internal {
        uint256 before = IERC20(token).balanceOf(address(this));
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = IERC20(token).balanceOf(address(this)) - before;
        if (received != amount) revert ICostSharing.CostSharingTransferShortfall(token, amount, received);
    }

    /// @notice Sends `amount` of `asset` (zero: ether) to `to`.
    function send(address asset, address payable to, uint256 amount) internal {
        if (asset != address(0)) {
            IERC20(asset).safeTransfer(to, amount);
        } else {
            (bool ok,) = to.call{value: amount}("");
            if (!ok) revert ICostSharing.CostSharingEtherTransferFailed(to, amount);
        }
    }
}
