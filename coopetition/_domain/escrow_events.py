"""A joint venture's history: the escrow's typed event records, gathered and described in words."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from ..bindings.joint_venture_escrow import (
    CancelReason,
    ContributionSetEvent,
    DepositedEvent,
    DissolutionVotedEvent,
    DissolutionVoteWithdrawnEvent,
    JointVentureEscrow,
    MilestoneApprovedEvent,
    MilestoneReleasableEvent,
    MilestoneReleasedEvent,
    MilestoneSetEvent,
    RefundedEvent,
    ReserveReleasedEvent,
    VentureActivatedEvent,
    VentureCancelledEvent,
    VentureCompletedEvent,
    VentureCreatedEvent,
    WithdrawnEvent,
)
from .activity import BlockSpan, Row, kind_of
from .asset import Asset
from .escrow_records import when

__all__ = ["VentureEvent", "describe_event", "venture_history", "venture_rows"]

_REASONS = {
    CancelReason.DEADLINE_MISSED: "deadline missed",
    CancelReason.DISSOLVED: "dissolved by vote",
    CancelReason.LONG_STOP_PASSED: "long-stop passed",
}

VentureEvent: TypeAlias = (
    VentureCreatedEvent
    | ContributionSetEvent
    | MilestoneSetEvent
    | DepositedEvent
    | VentureActivatedEvent
    | MilestoneApprovedEvent
    | MilestoneReleasableEvent
    | MilestoneReleasedEvent
    | VentureCompletedEvent
    | WithdrawnEvent
    | DissolutionVotedEvent
    | DissolutionVoteWithdrawnEvent
    | VentureCancelledEvent
    | RefundedEvent
    | ReserveReleasedEvent
)
"""One typed record of a venture's history (the binding's event dataclasses)."""


def venture_history(contract: JointVentureEscrow, venture_id: int | None, *, from_block: int = 0,
                    span: BlockSpan | None = None) -> tuple[VentureEvent, ...]:
    """Every event of venture ``venture_id`` (of every venture if ``None``), oldest first; read over
    ``span`` in block ranges when given, else in one query from ``from_block``."""
    ev = contract.events
    queries = (
        ev.venture_created, ev.contribution_set, ev.milestone_set, ev.deposited, ev.venture_activated,
        ev.milestone_approved, ev.milestone_releasable, ev.milestone_released, ev.venture_completed,
        ev.withdrawn, ev.dissolution_voted, ev.dissolution_vote_withdrawn, ev.venture_cancelled, ev.refunded,
        ev.reserve_released,
    )
    found: list[VentureEvent] = []
    for query in queries:
        found.extend(span.logs(query, venture_id=venture_id) if span is not None
                     else query(from_block=from_block, venture_id=venture_id))
    return tuple(sorted(found, key=lambda e: (e.block_number, e.log_index)))


def venture_rows(events: tuple[VentureEvent, ...], asset_of: Callable[[int], Asset]) -> list[Row]:
    """``events`` described, each in its venture's asset (``asset_of(venture_id)``)."""
    rows: list[Row] = []
    for e in events:
        asset = asset_of(e.venture_id)
        actor = getattr(e, "partner", None) or getattr(e, "creator", None) or getattr(e, "beneficiary", None)
        rows.append((e, kind_of(e), actor, f"venture #{e.venture_id}: {describe_event(e, asset)}",
                     getattr(e, "amount", None), asset))
    return rows


def describe_event(event: VentureEvent, asset: Asset) -> str:
    """One line saying what ``event`` did, amounts in ``asset``'s units."""
    if isinstance(event, VentureCreatedEvent):
        return (f"created {event.name!r} by {event.creator}: total {asset.format(event.total)}, quorum "
                f"{event.quorum}, dissolution by {event.dissolution_quorum} vote(s), long-stop {when(event.long_stop)}")
    if isinstance(event, ContributionSetEvent):
        return f"partner {event.index} {event.partner} owes {asset.format(event.amount)}"
    if isinstance(event, MilestoneSetEvent):
        return f"milestone {event.index} pays {asset.format(event.amount)}"
    if isinstance(event, DepositedEvent):
        return f"{event.partner} deposited {asset.format(event.amount)} (paid {asset.format(event.paid)})"
    if isinstance(event, VentureActivatedEvent):
        return "fully funded: Active"
    if isinstance(event, MilestoneApprovedEvent):
        return f"{event.partner} approved milestone {event.index} ({event.approvals} approval(s))"
    if isinstance(event, MilestoneReleasableEvent):
        return f"milestone {event.index} reached the quorum: releasable"
    if isinstance(event, MilestoneReleasedEvent):
        return f"milestone {event.index} released: {asset.format(event.amount)} to {event.beneficiary}"
    if isinstance(event, VentureCompletedEvent):
        return "every milestone released: Completed"
    if isinstance(event, WithdrawnEvent):
        return f"{asset.format(event.amount)} paid to the beneficiary at {event.to}"
    if isinstance(event, DissolutionVotedEvent):
        return f"{event.partner} voted to dissolve ({event.votes} vote(s))"
    if isinstance(event, DissolutionVoteWithdrawnEvent):
        return f"{event.partner} withdrew its dissolution vote ({event.votes} vote(s))"
    if isinstance(event, VentureCancelledEvent):
        return f"cancelled: {_REASONS[event.reason]}"
    if isinstance(event, ReserveReleasedEvent):
        return f"reserve lowered by {asset.format(event.amount)} to {asset.format(event.reserve)}"
    return f"{event.partner} refunded {asset.format(event.amount)} to {event.to}"
