"""``coopetition escrow round ...`` as partners type it, through click's CliRunner against an anvil the
module starts itself: the whole flow (the salt in a 0600 file, never printed), what ``show`` lets a
reader see in each phase, every bad input as one ``Error:`` line with nothing sent, and a crash
between the salt's write and the send (or just after the send) losing nothing."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from _cli_env import ADDR, deployed_project, js, module_node, ok, run
from click.testing import Result
from conftest import AnvilNode, rpc

from coopetition.rounds import RoundsService

pytestmark = pytest.mark.anvil

ETHER = 10**18
ACCOUNT = {"Acme": "1", "Globex": "2", "Initech": "3"}


@pytest.fixture(scope="module")
def node() -> Iterator[AnvilNode]:
    yield from module_node()


@pytest.fixture(scope="module")
def project(node: AnvilNode, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return deployed_project(tmp_path_factory.mktemp("rounds-cli"), node)


def one_error(result: Result, message: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.stdout == "" and len(result.stderr.splitlines()) == 1, result.output
    assert result.stderr.startswith("Error: ") and message in result.stderr, result.stderr


def travel(node: AnvilNode, seconds: int) -> None:
    rpc(node.url, "evm_increaseTime", [seconds])
    rpc(node.url, "evm_mine")


def open_round(project: Path, *extra: str) -> int:
    data = js(run(project, "--json", "escrow", "round", "open", "Sodium-ion line", "--budget", "6 ether",
                  "--bond", "0.1 ether", "--partner", "Acme,Globex", "--partner", "Initech",
                  "--beneficiary", ADDR[5], "--milestone", "2 ether", "--milestone", "4 ether",
                  "--commit-by", "1h", "--reveal-by", "2h", "--quorum", "2", *extra))
    rid = data["roundId"]
    assert isinstance(rid, int) and rid >= 1
    assert data["partners"] == ADDR[1:4]
    return rid


def test_a_sealed_round_from_open_to_bonds(project: Path, node: AnvilNode) -> None:
    rid = open_round(project)
    pledges = {"Acme": "3.1 ether", "Globex": "4.2 ether", "Initech": "2.3 ether"}  # amounts found nowhere else
    wei = [31 * ETHER // 10, 42 * ETHER // 10, 23 * ETHER // 10]
    files = {}
    for label, amount in pledges.items():
        human = ok(run(project, "escrow", "round", "commit", str(rid), amount, account=ACCOUNT[label])).output
        assert f"sealed pledge committed to round #{rid} (hash 0x" in human and "; salt kept in " in human
        where = Path(human.split("; salt kept in ")[1].split(":")[0])
        assert where.is_file() and stat.S_IMODE(where.stat().st_mode) == 0o600
        assert where.is_relative_to(project / ".coopetition" / "salts")
        salt = json.loads(where.read_text())["salt"]
        assert salt[2:] not in human and salt not in human  # never printed
        files[label] = where

    shown = js(run(project, "--json", "escrow", "round", "show", str(rid), account="3"))
    assert shown["phase"] == "commit" and shown["committed"] == 3 and shown["revealed"] == 0
    partners = shown["partners"]
    assert isinstance(partners, list)
    assert [p["commitment"] for p in partners] == [json.loads(f.read_text())["commitment"] for f in files.values()]
    assert all(p["pledge"] is None and p["allocation"] is None for p in partners)
    assert shown["revealedTotal"] is None and shown["ventureId"] is None
    text = json.dumps(shown)
    for amount in wei:
        assert str(amount) not in text and f"{amount:064x}" not in text  # no pledge anywhere a reader looks
    human = ok(run(project, "escrow", "round", "show", str(rid))).output
    assert f"Round #{rid} 'Sodium-ion line': commit phase until" in human and "Acme (" in human

    travel(node, 3601)
    for label, amount in pledges.items():
        revealed = js(run(project, "--json", "escrow", "round", "reveal", str(rid), account=ACCOUNT[label]))
        assert revealed["pledgeFormatted"] == amount.replace("ether", "ETH")
    shown = js(run(project, "--json", "escrow", "round", "show", str(rid)))
    assert shown["phase"] == "reveal" and shown["revealedTotal"] == str(sum(wei))
    assert [p["pledge"] for p in shown["partners"]] == [str(v) for v in wei]  # type: ignore[union-attr, index]

    one_error(run(project, "escrow", "round", "settle", str(rid)), "settles after its reveal deadline")
    travel(node, 3600)
    settled = js(run(project, "--json", "escrow", "round", "settle", str(rid), account="3"))
    vid = settled["ventureId"]
    assert isinstance(vid, int) and vid >= 1 and settled["state"] == "settled"
    budget = 6 * ETHER
    cumulative = [budget * sum(wei[:k]) // sum(wei) for k in range(4)]  # the cumulative-floor rule
    expected = [cumulative[k + 1] - cumulative[k] for k in range(3)]
    assert sum(expected) == budget and all(e <= w for e, w in zip(expected, wei, strict=True))
    assert [(a["partner"], a["amount"]) for a in settled["allocations"]] == [  # type: ignore[attr-defined, index]
        (a, str(v)) for a, v in zip(ADDR[1:4], expected, strict=True)]
    shown = js(run(project, "--json", "escrow", "round", "show", str(rid)))
    assert shown["phase"] == "settled" and shown["ventureId"] == vid
    assert [p["allocation"] for p in shown["partners"]] == [str(v) for v in expected]  # type: ignore[union-attr, index]
    venture = js(run(project, "--json", "escrow", "show", str(vid)))
    assert [p["owed"] for p in venture["partners"]] == [str(v) for v in expected]  # type: ignore[union-attr, index]
    human = ok(run(project, "escrow", "round", "show", str(rid))).output
    assert f"settled into venture #{vid}" in human and "allocation" in human

    taken = js(run(project, "--json", "escrow", "round", "withdraw-bond", str(rid)))
    assert taken["amount"] == str(ETHER // 10)
    ok(run(project, "escrow", "round", "push-bond", str(rid), "Globex"))
    one_error(run(project, "escrow", "round", "withdraw-bond", str(rid)), "it was paid already")
    ok(run(project, "escrow", "round", "withdraw-bond", str(rid), account="3"))
    listed = ok(run(project, "escrow", "round", "list")).output
    assert "Sodium-ion line" in listed and "settled" in listed and f"#{vid}" in listed


def test_bad_input_is_one_line_and_sends_nothing(project: Path, node: AnvilNode) -> None:
    rid = open_round(project)
    ok(run(project, "escrow", "round", "commit", str(rid), "1 ether", account="2"))
    block = rpc(node.url, "eth_blockNumber")
    cases: list[tuple[tuple[str, ...], str, str]] = [
        (("commit", str(rid), "1 ether"), "5", "is not invited to round"),
        (("commit", str(rid), "1 ether"), "2", "already committed"),
        (("commit", str(rid), "lots"), "1", "cannot read amount"),
        (("commit", str(rid), str(2**112)), "1", "at most 2**112 - 1"),
        (("commit", "999", "1 ether"), "1", "there is no round #999"),
        (("commit", "0", "1 ether"), "1", "Invalid value"),
        (("reveal", str(rid)), "2", "takes reveals after"),
        (("settle", str(rid)), "1", "settles after its reveal deadline"),
        (("withdraw-bond", str(rid)), "2", "bonds are paid after the reveal deadline"),
        (("push-bond", str(rid), "Nobody"), "1", "no member is labelled 'Nobody'"),
        (("show", "999"), "1", "there is no round #999"),
        (("open", "x", "--budget", "1 ether", "--partner", "Acme", "--beneficiary", ADDR[5]), "1",
         "a round invites 2 to 20 partners, not 1"),
        (("open", "x", "--budget", "1 ether", "--partner", "Acme,,Globex", "--beneficiary", ADDR[5]), "1",
         "has an empty item"),
        (("open", "x", "--budget", "1 ether", "--partner", "Acme,Acme", "--beneficiary", ADDR[5]), "1",
         "invited twice"),
        (("open", "x", "--budget", "1 ether", "--partner", "Acme,0x123", "--beneficiary", ADDR[5]), "1",
         "is not an address"),
        (("open", "x", "--budget", "1 ether", "--partner", "Acme,Globex", "--beneficiary", ADDR[5],
          "--commit-by", "2d", "--reveal-by", "1d"), "1", "must come after the commit deadline"),
        (("open", "x", "--budget", "1 ether", "--partner", "Acme,Globex", "--beneficiary", ADDR[5],
          "--milestone", "2 ether"), "1", "more than the budget"),
        (("open", "x", "--budget", "1 ether", "--partner", "Acme,Globex", "--beneficiary", ADDR[5],
          "--funding-by", "400d"), "1", "is more than 365 days from now"),
        (("open", "x", "--budget", "1 ether", "--partner", "Acme,Globex", "--beneficiary", ADDR[5],
          "--long-stop", "1900d"), "1", "is more than 1825 days from now"),
        (("open", "x", "--budget", "0", "--partner", "Acme,Globex", "--beneficiary", ADDR[5]), "1",
         "budget must be more than zero"),
        (("open", "x", "--budget", "1 ether", "--partner", "Acme,Globex", "--beneficiary", ADDR[5]), "5",
         "JointVentureEscrowNotMember"),
    ]
    for args, account, message in cases:
        one_error(run(project, "escrow", "round", *args, account=account), message)
    assert rpc(node.url, "eth_blockNumber") == block

    travel(node, 3601)
    one_error(run(project, "escrow", "round", "commit", str(rid), "1 ether", account="3"), "takes commitments until")
    one_error(run(project, "escrow", "round", "reveal", str(rid), account="3"), "did not commit")
    salt = next((project / ".coopetition" / "salts").rglob(f"round-{rid}/{ADDR[2]}.json"))
    moved = salt.with_name("moved.json")
    salt.rename(moved)
    try:
        one_error(run(project, "escrow", "round", "reveal", str(rid), account="2"), f"no salt file at {salt}")
    finally:
        moved.rename(salt)
    kept = salt.read_text()
    tampered = kept.replace(f'"pledge": "{ETHER}"', f'"pledge": "{2 * ETHER}"')
    assert tampered != kept
    salt.write_text(tampered)  # a file edited by hand (or by someone else)
    try:
        one_error(run(project, "escrow", "round", "reveal", str(rid), account="2"), "do not match")
    finally:
        salt.write_text(kept)
    assert rpc(node.url, "eth_blockNumber") != block  # travel mined a block
    block = rpc(node.url, "eth_blockNumber")
    ok(run(project, "escrow", "round", "reveal", str(rid), account="2"))
    one_error(run(project, "escrow", "round", "reveal", str(rid), account="2"), "already revealed")
    assert int(str(rpc(node.url, "eth_blockNumber")), 16) == int(str(block), 16) + 1


def test_dry_run_sends_nothing_and_writes_no_salt(project: Path, node: AnvilNode) -> None:
    rid = open_round(project)
    block = rpc(node.url, "eth_blockNumber")
    dry = js(run(project, "--json", "escrow", "round", "commit", str(rid), "1 ether", "--dry-run"))
    assert dry["dryRun"] is True and dry["saltFile"] is None
    assert not list((project / ".coopetition" / "salts").rglob(f"round-{rid}/*"))
    assert "dry run" in ok(run(project, "escrow", "round", "open", "x", "--budget", "1 ether", "--partner",
                               "Acme,Globex", "--beneficiary", ADDR[5], "--dry-run")).output
    assert rpc(node.url, "eth_blockNumber") == block


def test_json_never_holds_the_salt(project: Path) -> None:
    rid = open_round(project)
    data = js(run(project, "--json", "escrow", "round", "commit", str(rid), "1 ether"))
    where = Path(str(data["saltFile"]))
    salt = json.loads(where.read_text())["salt"]
    assert "salt" not in data and salt[2:] not in json.dumps(data)
    assert data["commitment"] == json.loads(where.read_text())["commitment"] and data["saltReused"] is False


def test_a_crash_between_the_salt_write_and_the_send_loses_nothing(
        project: Path, node: AnvilNode, monkeypatch: pytest.MonkeyPatch) -> None:
    rid = open_round(project)
    block = rpc(node.url, "eth_blockNumber")

    def dies(*args: object, **kwargs: object) -> object:
        raise KeyboardInterrupt  # the process goes away before anything reaches the node

    monkeypatch.setattr(RoundsService, "_send_commit", dies)
    crashed = run(project, "escrow", "round", "commit", str(rid), "3 ether")
    assert crashed.exit_code != 0 and "Traceback" not in crashed.output
    assert rpc(node.url, "eth_blockNumber") == block
    salt = next((project / ".coopetition" / "salts").rglob(f"round-{rid}/{ADDR[1]}.json"))
    saved = json.loads(salt.read_text())
    assert saved["pledge"] == str(3 * ETHER) and stat.S_IMODE(salt.stat().st_mode) == 0o600
    monkeypatch.undo()

    other = run(project, "escrow", "round", "commit", str(rid), "4 ether")
    one_error(other, f"the salt file {salt} holds a pledge of 3 ETH that was never committed")
    assert json.loads(salt.read_text()) == saved  # not overwritten
    again = js(run(project, "--json", "escrow", "round", "commit", str(rid), "3 ether"))
    assert again["saltReused"] is True and again["commitment"] == saved["commitment"]


def test_a_crash_just_after_the_send_keeps_the_salt_for_the_reveal(
        project: Path, node: AnvilNode, monkeypatch: pytest.MonkeyPatch) -> None:
    rid = open_round(project)
    real = RoundsService._send_commit

    def sends_then_dies(self: RoundsService, *args: object) -> object:
        real(self, *args)  # type: ignore[arg-type]
        raise KeyboardInterrupt

    monkeypatch.setattr(RoundsService, "_send_commit", sends_then_dies)
    assert run(project, "escrow", "round", "commit", str(rid), "2 ether", account="3").exit_code != 0
    monkeypatch.undo()
    one_error(run(project, "escrow", "round", "commit", str(rid), "2 ether", account="3"), "already committed")
    shown = js(run(project, "--json", "escrow", "round", "show", str(rid)))
    assert shown["partners"][2]["committed"] is True  # type: ignore[index]
    travel(node, 3601)
    revealed = js(run(project, "--json", "escrow", "round", "reveal", str(rid), account="3"))
    assert revealed["pledge"] == str(2 * ETHER)


def test_list_pages_with_limit_and_after(project: Path) -> None:
    ids = [open_round(project) for _ in range(3)]
    page = json.loads(ok(run(project, "--json", "escrow", "round", "list", "--after", str(ids[0]),
                             "--limit", "1")).stdout)
    assert [r["id"] for r in page] == [ids[1]] and page[0]["phase"] == "commit"
    human = ok(run(project, "escrow", "round", "list", "--after", str(ids[0]), "--limit", "1")).output
    assert f"--after {ids[1]}" in human
    assert "More rounds" not in ok(run(project, "escrow", "round", "list", "--after", str(ids[1]))).output
    assert "No round after" in ok(run(project, "escrow", "round", "list", "--after", str(ids[2]))).output
