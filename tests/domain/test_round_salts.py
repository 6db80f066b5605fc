"""The salt store of sealed pledges: one private file per (chain, escrow, round, partner), mode 0600
whatever the umask, written whole or not at all, never overwritten; and the commitment rule."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from coopetition import InputError
from coopetition._domain.round_salts import SaltRecord, SaltStore, new_salt, pledge_commitment

ESCROW = "0x5FbDB2315678afecb367f032d93F642f64180aa3"
ACME = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"
GLOBEX = "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"
GENESIS = "0x" + "ab" * 32


def _record(pledge: int = 10**18, partner: str = ACME, round_id: int = 1) -> SaltRecord:
    salt = new_salt()
    return SaltRecord(chain_id=31337, escrow=ESCROW, round_id=round_id, partner=partner, pledge=pledge, salt=salt,
                      commitment=pledge_commitment(chain_id=31337, escrow=ESCROW, round_id=round_id, partner=partner,
                                                   pledge=pledge, salt=salt))


@pytest.mark.parametrize("umask", [0o000, 0o022, 0o077, 0o277])
def test_the_file_is_0600_and_its_folders_0700_whatever_the_umask(tmp_path: Path, umask: int) -> None:
    store = SaltStore(tmp_path / "salts", chain_id=31337, genesis_hash=GENESIS)
    old = os.umask(umask)
    try:
        where = store.save(_record())
    finally:
        os.umask(old)
    assert stat.S_IMODE(where.stat().st_mode) == 0o600
    for folder in (where.parent, where.parent.parent, store.folder, store.root):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert [p.name for p in where.parent.iterdir()] == [where.name]  # no temporary file left behind


def test_a_saved_record_reads_back_whole(tmp_path: Path) -> None:
    store = SaltStore(tmp_path, chain_id=31337, genesis_hash=GENESIS)
    record = _record(pledge=2**111 + 7)
    where = store.save(record)
    assert where == store.path(ESCROW, 1, ACME)
    assert store.load(ESCROW, 1, ACME) == record
    assert store.load(ESCROW, 2, ACME) is None and store.load(ESCROW, 1, GLOBEX) is None
    assert record.salt.hex() not in repr(record) and len(record.salt) == 32


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    store = SaltStore(tmp_path, chain_id=31337, genesis_hash=GENESIS)
    first = _record(pledge=1)
    where = store.save(first)
    before = where.read_bytes()
    with pytest.raises(InputError, match=f"a salt file already exists at {where}"):
        store.save(_record(pledge=2))
    assert where.read_bytes() == before and store.load(ESCROW, 1, ACME) == first


def test_a_file_appearing_between_the_check_and_the_write_is_not_overwritten(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The final step is a hard link, which refuses an existing name (``os.replace`` would not)."""
    store = SaltStore(tmp_path, chain_id=31337, genesis_hash=GENESIS)
    where = store.save(_record(pledge=1))
    before = where.read_bytes()
    monkeypatch.setattr(Path, "exists", lambda self: False)  # as if another process wrote it just now
    with pytest.raises(InputError, match="not overwritten"):
        store.save(_record(pledge=2))
    assert where.read_bytes() == before
    assert [p.name for p in where.parent.iterdir()] == [where.name]


def test_files_are_keyed_by_chain_escrow_round_and_partner(tmp_path: Path) -> None:
    one = SaltStore(tmp_path, chain_id=31337, genesis_hash=GENESIS)
    reset = SaltStore(tmp_path, chain_id=31337, genesis_hash="0x" + "cd" * 32)  # a reset dev chain
    other = SaltStore(tmp_path, chain_id=1, genesis_hash=GENESIS)
    paths = {one.path(ESCROW, 1, ACME), one.path(ESCROW, 2, ACME), one.path(ESCROW, 1, GLOBEX),
             one.path(GLOBEX, 1, ACME), reset.path(ESCROW, 1, ACME), other.path(ESCROW, 1, ACME)}
    assert len(paths) == 6
    one.save(_record())
    assert reset.load(ESCROW, 1, ACME) is None and other.load(ESCROW, 1, ACME) is None


def test_a_damaged_file_is_one_clear_error(tmp_path: Path) -> None:
    store = SaltStore(tmp_path, chain_id=31337, genesis_hash=GENESIS)
    where = store.save(_record())
    where.write_text("{not json")
    with pytest.raises(InputError, match=f"the salt file {where} is damaged"):
        store.load(ESCROW, 1, ACME)


def test_the_commitment_binds_every_input() -> None:
    salt = bytes(range(32))
    base = dict(chain_id=31337, escrow=ESCROW, round_id=1, partner=ACME, pledge=10**18, salt=salt)
    reference = pledge_commitment(**base)  # type: ignore[arg-type]
    changed = [dict(base, chain_id=1), dict(base, escrow=GLOBEX), dict(base, round_id=2), dict(base, partner=GLOBEX),
               dict(base, pledge=10**18 + 1), dict(base, salt=bytes(31) + b"\x01")]
    hashes = {pledge_commitment(**c) for c in changed}  # type: ignore[arg-type]
    assert len(hashes) == len(changed) and reference not in hashes and len(reference) == 32
    with pytest.raises(InputError, match="a salt is 32 bytes"):
        pledge_commitment(**dict(base, salt=b"short"))  # type: ignore[arg-type]


def test_fresh_salts_differ() -> None:
    assert len({new_salt() for _ in range(64)}) == 64


def test_missing_parent_folders_are_made_private_too(tmp_path: Path) -> None:
    root = tmp_path / "project" / ".coopetition" / "salts"  # a fresh project: no state folder yet
    where = SaltStore(root, chain_id=31337, genesis_hash=GENESIS).save(_record())
    assert where.is_file()
    for folder in (root, root.parent, root.parent.parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
