"""The consortium's history: members, quorum, proposals and their approvals, in words."""

from __future__ import annotations

from typing import Any

from ..bindings.consortium import (
    ApprovalRevokedEvent,
    Consortium,
    EtherReceivedEvent,
    MemberAddedEvent,
    MemberRemovedEvent,
    ProposalApprovedEvent,
    ProposalCreatedEvent,
    ProposalExecutedEvent,
    ProposalObjectedEvent,
    ProposalQueuedEvent,
    ProposalVetoedEvent,
    QuorumChangedEvent,
)
from .activity import BlockSpan, Row, kind_of
from .asset import ETHER
from .escrow_records import when

__all__ = ["consortium_rows"]


def consortium_rows(contract: Consortium, span: BlockSpan) -> list[Row]:
    """Every event of the consortium in ``span``, described (proposals by their number ``#N``)."""
    ev = contract.events
    queries = (ev.member_added, ev.member_removed, ev.quorum_changed, ev.proposal_created, ev.proposal_approved,
               ev.approval_revoked, ev.proposal_objected, ev.proposal_queued, ev.proposal_dequeued,
               ev.proposal_vetoed, ev.proposal_executed, ev.proposal_cancelled, ev.ether_received)
    events: list[Any] = []
    for query in queries:
        events.extend(span.logs(query))
    events.sort(key=lambda e: (e.block_number, e.log_index))
    names: dict[bytes, str] = {}
    for e in events:
        if isinstance(e, ProposalCreatedEvent):
            names[e.proposal_id] = (f"proposal #{sum(1 for n in names.values() if n.startswith('proposal')) + 1}"
                                    if e.nonce == 0 else f"decision {e.nonce}")
    return [_row(e, names.get(getattr(e, "proposal_id", b""), "a proposal")) for e in events]


def _row(e: Any, name: str) -> Row:
    kind = kind_of(e)
    if isinstance(e, (MemberAddedEvent, MemberRemovedEvent)):
        verb = "joined" if isinstance(e, MemberAddedEvent) else "left"
        return e, kind, e.account, f"{e.label or e.account} {verb} (epoch {e.epoch})", None, ETHER
    if isinstance(e, QuorumChangedEvent):
        return e, kind, None, f"quorum {e.old_quorum} -> {e.new_quorum} (epoch {e.epoch})", None, ETHER
    if isinstance(e, ProposalCreatedEvent):
        if e.nonce:
            return e, kind, None, f"{name} executed from signatures: call {e.target}", e.value, ETHER
        text = f"{name} created: {e.description or 'call ' + e.target}, expires {when(e.expiry)}"
        return e, kind, e.proposer, text, e.value or None, ETHER
    if isinstance(e, ProposalApprovedEvent):
        return e, kind, e.member, f"{name} approved ({e.approvals} approval(s))", None, ETHER
    if isinstance(e, ApprovalRevokedEvent):
        return e, kind, e.member, f"{name}: approval withdrawn ({e.approvals} left)", None, ETHER
    if isinstance(e, ProposalObjectedEvent):
        return e, kind, e.member, f"{name} objected to ({e.objections} objection(s))", None, ETHER
    if isinstance(e, ProposalQueuedEvent):
        return e, kind, None, f"{name} queued, executable from {when(e.eta)}", None, ETHER
    if isinstance(e, ProposalVetoedEvent):
        return e, kind, None, f"{name} vetoed ({e.objections} objection(s))", None, ETHER
    if isinstance(e, ProposalExecutedEvent):
        return e, kind, e.executor, f"{name} executed", None, ETHER
    if isinstance(e, EtherReceivedEvent):
        return e, kind, e.sender, f"received {ETHER.format(e.amount)} from {e.sender}", e.amount, ETHER
    verb = "dequeued" if kind == "ProposalDequeued" else "cancelled"
    return e, kind, None, f"{name} {verb}", None, ETHER
