"""Cost sharing's own arithmetic and inputs: the remainder rule, shares, evidence and reason hashes."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path

from ..exceptions import InputError

__all__ = [
    "TOTAL_SHARES", "hash_evidence", "hash_reason", "owed_after", "parse_evidence_hash", "parse_share", "split",
]

TOTAL_SHARES = 10_000
"""Shares are basis points of this total."""


def owed_after(total_booked: int, lower: int, share: int) -> int:
    """What a participant owning ``[lower, lower + share)`` basis points owes once ``total_booked``
    has been booked: ``floor(T*upper/10000) - floor(T*lower/10000)`` (the contract's remainder rule)."""
    return total_booked * (lower + share) // TOTAL_SHARES - total_booked * lower // TOTAL_SHARES


def split(amount: int, shares: Sequence[int], *, booked_before: int = 0) -> tuple[int, ...]:
    """Each participant's part of an expense of ``amount`` booked on top of ``booked_before`` in the
    same settlement period, for ``shares`` (basis points, in pool order). The parts add up to
    ``amount`` exactly; each lies within ``[floor(amount*share/10000) - 1, floor(amount*share/10000) + 2]``
    (a tiny expense can move a wei of rounding from one participant to another, so a part of it may
    be -1; what each owes for the whole period never is)."""
    parts: list[int] = []
    lower = 0
    for share in shares:
        parts.append(owed_after(booked_before + amount, lower, share) - owed_after(booked_before, lower, share))
        lower += share
    return tuple(parts)


def parse_share(value: str | int) -> int:
    """Basis points from ``5000``, ``"5000"``, ``"5000bps"`` or ``"50%"`` (up to two decimals: ``"33.34%"``)."""
    unreadable = f"cannot read share {value!r}: write basis points (5000) or a percentage (50%)"
    if isinstance(value, int) and not isinstance(value, bool):
        bps = value
    elif isinstance(value, str):
        text = value.strip().lower()
        if text.endswith("%"):
            try:
                scaled = Decimal(text[:-1].strip()) * 100
            except InvalidOperation:
                raise InputError(unreadable) from None
            if scaled != scaled.to_integral_value():
                raise InputError(f"share {value!r} is finer than a basis point (0.01%)")
            bps = int(scaled)
        else:
            try:
                bps = int(text.removesuffix("bps").strip())
            except ValueError:
                raise InputError(unreadable) from None
    else:
        raise InputError(unreadable)
    if bps <= 0 or bps > TOTAL_SHARES:
        raise InputError(f"share {value!r} must be more than 0 and at most 100% ({TOTAL_SHARES} basis points)")
    return bps


def hash_evidence(path: str | Path) -> str:
    """SHA-256 of the file at ``path`` as 0x-hex (computed locally; the file is never sent)."""
    file = Path(path)
    if not file.is_file():
        raise InputError(f"evidence file {str(path)!r} does not exist or is not a file")
    digest = hashlib.sha256()
    with file.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 16), b""):
            digest.update(chunk)
    return "0x" + digest.hexdigest()


def parse_evidence_hash(value: str | bytes) -> str:
    """A 32-byte hash as 0x-hex, from 64 hex digits (with or without 0x) or 32 raw bytes; never zero."""
    if isinstance(value, bytes):
        raw = value
    else:
        text = str(value).strip().lower().removeprefix("0x")
        if len(text) != 64:
            raise InputError(f"evidence hash {value!r} must be 32 bytes: 64 hex digits")
        try:
            raw = bytes.fromhex(text)
        except ValueError:
            raise InputError(f"evidence hash {value!r} is not hex") from None
    if len(raw) != 32:
        raise InputError(f"evidence hash must be 32 bytes, got {len(raw)}")
    if not any(raw):
        raise InputError("evidence hash must not be zero")
    return "0x" + raw.hex()


def hash_reason(value: str | bytes) -> str:
    """The 32-byte hash a dispute records: a given 0x hash (64 hex digits) as is, otherwise
    keccak-256 of the reason's UTF-8 text (the text itself never goes on chain)."""
    from eth_utils.crypto import keccak

    if isinstance(value, bytes):
        return parse_evidence_hash(value)
    text = value.strip()
    if not text:
        raise InputError("a dispute needs a reason")
    if text.lower().startswith("0x") and len(text) == 66:
        return parse_evidence_hash(text)
    return "0x" + keccak(text.encode()).hex()
