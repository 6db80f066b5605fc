"""`coopetition titles cap ...` through click's CliRunner against an anvil the test starts: show a class's
cap, holders consent to raising it (an EIP-712 signature in a file, or on chain), propose it with the
consents, lower it without any; and bad input failing with one line, sending nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from _cli_env import ADDR, data, deployed_project, one_line_error, passed, run
from conftest import AnvilNode, rpc

pytestmark = pytest.mark.anvil

ACME, GLOBEX, INITECH = "1", "2", "3"
DEADLINE = "2090-01-01"


@pytest.fixture
def capped(tmp_path: Path, anvil: AnvilNode) -> Path:
    """Deployed suite; class 1 capped at 5,000 with Acme 600 and Globex 400 issued."""
    project = deployed_project(tmp_path, anvil)
    passed(project, data(project, "titles", "create-class", "JV shares", "--terms-hash", "0x" + "11" * 32,
                         "--max-supply", "5000", "--issue", "Acme=600", "--issue", "Globex=400"))
    return project


def test_raise_the_cap_with_a_signed_and_an_on_chain_consent(capped: Path, tmp_path: Path, anvil: AnvilNode) -> None:
    shown = data(capped, "titles", "cap", "show", "1")
    assert (shown["maxSupply"], shown["issued"], shown["capNonce"], shown["capped"]) == (5000, 1000, 0, True)
    assert "a cap of 5000, 1000 titles issued" in run(capped, "titles", "cap", "show", "1").output

    acme, globex = tmp_path / "acme.json", tmp_path / "globex.json"
    block = rpc(anvil.url, "eth_blockNumber")
    signed = data(capped, "titles", "cap", "sign", "1", "8000", "--deadline", DEADLINE, "-o", str(acme))
    assert rpc(anvil.url, "eth_blockNumber") == block  # signing sends nothing
    assert signed["holder"] == ADDR[1] and len(bytes.fromhex(signed["signature"][2:])) == 65
    assert json.loads(acme.read_text())["signature"] == signed["signature"]
    recorded = data(capped, "titles", "cap", "consent", "1", "8000", "--deadline", DEADLINE, "-o", str(globex),
                    account=GLOBEX)
    assert recorded["capNonce"] == 0 and recorded["transactionHash"]
    assert json.loads(globex.read_text())["signature"] == "0x"

    alone = data(capped, "titles", "cap", "show", "1", "--max", "8000", "--consent", str(globex))
    assert (alone["consenting"], alone["needed"], alone["enough"], alone["counted"]) == (400, 501, False, [ADDR[2]])
    block = rpc(anvil.url, "eth_blockNumber")
    one_line_error(run(capped, "titles", "cap", "propose", "1", "8000", "--consent", str(globex)),
                   "more than half of the 1000 titles", "weigh 400")
    assert rpc(anvil.url, "eth_blockNumber") == block

    both = data(capped, "titles", "cap", "show", "1", "--max", "8000", "--consent", str(acme), "--consent", str(globex))
    assert (both["consenting"], both["enough"], both["notCounted"]) == (1000, True, [])
    proposal = data(capped, "titles", "cap", "propose", "1", "8000", "--consent", str(acme), "--consent", str(globex))
    passed(capped, proposal)
    after = data(capped, "titles", "cap", "show", "1")
    assert (after["maxSupply"], after["capNonce"]) == (8000, 1)
    # the consents served once: for the next change they are for an old cap change
    stale = data(capped, "titles", "cap", "show", "1", "--max", "8000", "--consent", str(acme))
    assert stale["counted"] == [] and stale["notCounted"][0]["reason"] == "for another class, cap or cap change"


def test_lowering_the_cap_needs_no_consent(capped: Path) -> None:
    human = run(capped, "titles", "cap", "show", "1", "--max", "2000")
    assert "needs the quorum only" in human.output
    passed(capped, data(capped, "titles", "cap", "propose", "1", "2000"))
    assert data(capped, "titles", "cap", "show", "1")["maxSupply"] == 2000


def test_a_forged_signature_is_not_counted(capped: Path, tmp_path: Path) -> None:
    forged = tmp_path / "forged.json"
    data(capped, "titles", "cap", "sign", "1", "0", "--deadline", DEADLINE, "-o", str(forged), account=INITECH)
    consent = json.loads(forged.read_text())
    consent["holder"] = ADDR[1]  # Initech's signature, presented as Acme's
    forged.write_text(json.dumps(consent))
    shown = data(capped, "titles", "cap", "show", "1", "--max", "0", "--consent", str(forged))
    assert shown["counted"] == [] and shown["notCounted"] == [
        {"holder": ADDR[1], "reason": "the signature is not the holder's"}]
    one_line_error(run(capped, "titles", "cap", "propose", "1", "0", "--consent", str(forged)),
                   f"the consent of {ADDR[1]} does not count (the signature is not the holder's)")


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("propose", "1", "500"), "a cap of 500 is below them"),
        (("propose", "1", "5000"), "capped at 5000 already"),
        (("propose", "9", "100"), "no title class #9"),
        (("propose", "1", "lots"), "max must be a whole number, got 'lots'"),
        (("show", "1", "--consent", "{consent}"), "--consent needs --max"),
        (("propose", "1", "9000", "--consent", "{consent}"), "another class, cap or cap change"),
        (("propose", "1", "8000", "--consent", "{junk}"), "is not a cap consent"),
        (("sign", "1", "8000", "--deadline", "soon"), "soon"),
        (("consent", "9", "8000"), "no title class #9"),
    ],
)
def test_bad_input_fails_with_one_line_and_sends_nothing(
    capped: Path, tmp_path: Path, anvil: AnvilNode, args: tuple[str, ...], fragment: str
) -> None:
    consent, junk = tmp_path / "consent.json", tmp_path / "junk.json"
    data(capped, "titles", "cap", "sign", "1", "8000", "--deadline", DEADLINE, "-o", str(consent))
    junk.write_text('{"format": "something else"}')
    words = [w.format(consent=consent, junk=junk) for w in args]
    block = rpc(anvil.url, "eth_blockNumber")
    one_line_error(run(capped, "titles", "cap", *words), fragment)
    assert rpc(anvil.url, "eth_blockNumber") == block
