"""``coopetition titles cap ...``: a title class's cap (its most titles ever issued) and changes to it.

Lowering a cap (to no less than the titles issued) needs the consortium's quorum only; raising or
removing it also needs the consent of holders of more than half of the titles issued. A holder
consents off chain with ``cap sign`` (an EIP-712 signature, written to a file) or on chain with ``cap
consent`` (which writes the same kind of file, without signature); whoever proposes the change gives
the files to ``cap propose --consent FILE``. ``cap show`` shows the cap, the supply and what given
consents weigh now. Every consent names one deadline, which the proposal must reach before.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

from ._connect import open_suite, proposal_options, sending_options
from ._context import CliContext, pass_cli
from .output import report, report_proposal, when
from .params import DEADLINE, ID, SUPPLY

if TYPE_CHECKING:
    from ..titles import CapConsent, TitlesService

CONSENT_FILE = click.Path(exists=True, dir_okay=False, path_type=Path)
_HINT = "; members approve it with `coopetition consortium approve` (or `consortium sign`)"


@click.group("cap")
def cap() -> None:
    """A class's cap on its supply: show it, consent to a change (signed or on chain), propose it."""


def _consents(service: TitlesService, paths: Sequence[Path]) -> list[CapConsent]:
    from ..titles import CapConsent

    chain_id, registry = int(service.registry.w3.eth.chain_id), service.registry.address
    return [CapConsent.from_json(p.read_text(encoding="utf-8"), chain_id=chain_id, registry=registry,
                                 source=str(p)) for p in paths]


def _cap_words(cap: int) -> str:
    return "NO CAP" if cap == 0 else f"a cap of {cap}"


def _write(cli: CliContext, service: TitlesService, consent: CapConsent, output: Path | None) -> str:
    text = consent.to_json(chain_id=int(service.registry.w3.eth.chain_id), registry=service.registry.address)
    if output is not None:
        output.write_text(text, encoding="utf-8")
        return f": {output} (the proposer gives it to `coopetition titles cap propose --consent {output}`)"
    return "" if cli.json else "\n" + text.rstrip("\n")


@cap.command("show")
@click.argument("class_id", metavar="CLASS", type=ID)
@click.option("--max", "max_supply", type=SUPPLY, default=None, help="Also weigh consents to this cap (0: no cap).")
@click.option("--consent", "consent_files", type=CONSENT_FILE, multiple=True,
              help="A consent file (from `cap sign` or `cap consent`) to weigh; repeatable. Needs --max.")
@pass_cli
def show_cmd(cli: CliContext, class_id: int, max_supply: int | None, consent_files: tuple[Path, ...]) -> None:
    """The cap of CLASS, its supply, its cap change number and what the given consents weigh now."""
    from ..exceptions import InputError

    if consent_files and max_supply is None:
        raise InputError("--consent needs --max: say which cap the consents are for")
    service = open_suite(cli, read_only=True).titles
    tally = service.cap_tally(class_id, max_supply, _consents(service, consent_files))
    lines = [f"class #{tally.class_id}: {_cap_words(tally.max_supply)}, {tally.issued} titles issued, "
             f"cap change #{tally.cap_nonce} next"]
    if tally.max_supply == 0:
        lines.append("NO CAP: the consortium's quorum alone may issue more titles of this class at any time")
    if tally.proposed is not None:
        if not tally.needs_consent:
            lines.append(f"changing it to {_cap_words(tally.proposed)} needs the quorum only (no holder consent)")
        else:
            verdict = "enough" if tally.enough else f"not enough: {tally.needed} needed"
            lines.append(f"changing it to {_cap_words(tally.proposed)} needs holders of more than half of the "
                         f"{tally.issued} titles: the consents counted weigh {tally.consenting} ({verdict})")
        lines += [f"  counted: {holder}" for holder in tally.counted]
        lines += [f"  not counted: {holder} ({why})" for holder, why in tally.refused]
    cli.emit("\n".join(lines), {
        "classId": tally.class_id, "maxSupply": tally.max_supply, "capped": tally.max_supply != 0,
        "issued": tally.issued, "capNonce": tally.cap_nonce, "proposedMaxSupply": tally.proposed,
        "needsConsent": tally.needs_consent, "consenting": tally.consenting, "needed": tally.needed,
        "enough": tally.enough, "counted": list(tally.counted),
        "notCounted": [{"holder": h, "reason": why} for h, why in tally.refused],
    })


@cap.command("sign")
@click.argument("class_id", metavar="CLASS", type=ID)
@click.argument("max_supply", metavar="MAX", type=SUPPLY)
@click.option("--deadline", type=DEADLINE, default="7d", show_default=True,
              help="The consent is void after: 90m, 36h, 7d, or an ISO date (the proposal must execute before).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="Write the signed consent (JSON) here; default: print it.")
@pass_cli
def sign_cmd(cli: CliContext, class_id: int, max_supply: int, deadline: str, output: Path | None) -> None:
    """Sign your consent to the cap of CLASS becoming MAX (0: no cap); nothing is sent."""
    service = open_suite(cli).titles
    consent = service.sign_cap_consent(class_id, max_supply, deadline=deadline)
    where = _write(cli, service, consent, output)
    chain_id, registry = int(service.registry.w3.eth.chain_id), service.registry.address
    cli.emit(f"consent signed: class #{consent.class_id} to {_cap_words(consent.max_supply)} (cap change "
             f"#{consent.cap_nonce}), valid until {when(consent.deadline)}; nothing sent{where}",
             {**json.loads(consent.to_json(chain_id=chain_id, registry=registry)),
              "file": None if output is None else str(output)})


@cap.command("consent")
@click.argument("class_id", metavar="CLASS", type=ID)
@click.argument("max_supply", metavar="MAX", type=SUPPLY)
@click.option("--deadline", type=DEADLINE, default="7d", show_default=True,
              help="The consent is void after: 90m, 36h, 7d, or an ISO date (the proposal must execute before).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True, path_type=Path), default=None,
              help="Write the consent (JSON, no signature) here for the proposer; default: print it.")
@sending_options
@pass_cli
def consent_cmd(cli: CliContext, class_id: int, max_supply: int, deadline: str, output: Path | None,
                dry_run: bool) -> None:
    """Record on chain your consent to the cap of CLASS becoming MAX (0: no cap)."""
    service = open_suite(cli, dry_run=dry_run).titles
    ref = service.consent_to_max_supply(class_id, max_supply, deadline=deadline)
    consent = ref.consent
    where = "" if ref.tx.dry_run else _write(cli, service, consent, output)
    what = (f"consent to class #{consent.class_id} becoming {_cap_words(consent.max_supply)} recorded, valid "
            f"until {when(consent.deadline)}")
    report(cli, what if ref.tx.dry_run else what + where, ref.tx,
           {"classId": consent.class_id, "maxSupply": consent.max_supply, "capNonce": consent.cap_nonce,
            "deadline": consent.deadline, "file": None if output is None else str(output)})


@cap.command("propose")
@click.argument("class_id", metavar="CLASS", type=ID)
@click.argument("max_supply", metavar="MAX", type=SUPPLY)
@click.option("--consent", "consent_files", type=CONSENT_FILE, multiple=True,
              help="A holder's consent file (from `cap sign` or `cap consent`); repeatable. Needed to raise "
                   "or remove the cap: holders of more than half of the titles issued.")
@proposal_options
@sending_options
@pass_cli
def propose_cmd(cli: CliContext, class_id: int, max_supply: int, consent_files: tuple[Path, ...], expiry: str,
                description: str | None, dry_run: bool) -> None:
    """Propose changing the cap of CLASS to MAX (0: no cap), with the holders' consents it needs."""
    service = open_suite(cli, dry_run=dry_run).titles
    ref = service.propose_max_supply(class_id, max_supply, _consents(service, consent_files),
                                     description=description, expiry=expiry)
    if max_supply == 0 and not cli.json:
        click.echo("WARNING: NO CAP: once executed, the consortium's quorum alone may issue more titles of this "
                   "class at any time", err=True)
    report_proposal(cli, f"change the cap of class #{class_id} to {_cap_words(max_supply)}", ref, hint=_HINT)
