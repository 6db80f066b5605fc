"""Gas of the sealed negotiation rounds of the JointVentureEscrow (issue 17).

Everything runs on the ``embedded`` chain (eth-tester) through the library's transaction pipeline and
the typed binding; each scenario starts on a fresh chain, so the figures are deterministic.

Scenario (:func:`measure_rounds`): a consortium of ``partners`` members (A, B, C, fillers); one unrelated
venture is created first (so that the venture counter is not written from zero by the measured
transactions). A opens a round of all partners, budget 3 ether, two milestones, bond ``bond`` in
``asset`` (ether, or an ERC-20 MockERC20). Measured, one transaction each:

1. ``open``: A opens the round (records every partner: grows with them);
2. ``commit``: A's commitment (with its bond); ``commit (last)``: the last partner's;
3. ``reveal``: A's reveal; ``reveal (last)``: the last partner's;
4. ``create (direct)``: A creates *the same venture* directly (same partners, contributions, milestones,
   beneficiary, dates and quorums) with ``createVenture``;
5. ``settle``: anyone settles the round into its venture; issue 17's ceiling is ``create (direct)`` +
   30,000, both measured in the same run;
6. ``withdraw bond``: A pulls its bond; ``push bond``: an outsider pushes B's.

Issue 17's ceilings: commit <= 50,000 and reveal <= 50,000 (met for an ether bond and for no bond; an
ERC-20 bond adds the token's transferFrom and the two balance reads of the exact-amount check).
"""

from __future__ import annotations

import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gas_common import GasRow, GasTable, deploy, fresh_connection, markdown_table, raw_send

from coopetition import pledge_commitment

if TYPE_CHECKING:
    from coopetition._session import Connection

__all__ = ["COMMIT_CEILING", "REVEAL_CEILING", "SETTLE_MARGIN", "RoundsGas", "gas_report", "measure_rounds"]

ETHER = 10**18
ETH = "0x" + "00" * 20
COMMIT_CEILING = 50_000
REVEAL_CEILING = 50_000
START = 1_900_000_000
SETTLE_MARGIN = 30_000
"""Issue 17: settle <= the same venture created directly + 30,000."""


@dataclass(frozen=True)
class RoundsGas:
    partners: int
    bond_kind: str
    open: int
    commit: int
    commit_last: int
    reveal: int
    reveal_last: int
    create_direct: int
    settle: int
    withdraw_bond: int
    push_bond: int


def _fillers(conn: Connection, count: int) -> list[Any]:
    from eth_account import Account
    from eth_utils import keccak

    tester = conn.w3.provider.ethereum_tester  # type: ignore[attr-defined]
    funder = str(conn.chain.dev_accounts()[0].address)
    out = []
    for i in range(count):
        acct = Account.from_key(keccak(text=f"rounds bench filler {i}"))  # fixed: the figures are exact
        tester.add_account("0x" + bytes(acct.key).hex())
        conn.w3.eth.send_transaction({"from": funder, "to": acct.address, "value": 10 * ETHER})  # type: ignore[typeddict-item]
        out.append(acct)
    return out


def measure_rounds(partners: int = 3, bond_kind: str = "ether") -> RoundsGas:
    """The scenario of the module docstring; ``bond_kind`` is ``"ether"``, ``"none"`` or ``"erc20"``."""
    from eth_utils import keccak

    from coopetition.bindings.joint_venture_escrow import (
        JointVentureEscrow,
        RoundOpenedEvent,
        RoundTerms,
        VentureTerms,
    )

    conn = fresh_connection()
    accounts = conn.chain.dev_accounts()
    outsider, beneficiary = accounts[8], accounts[7]
    people = [accounts[i] for i in (1, 2, 3)][:partners] + _fillers(conn, max(0, partners - 3))
    members = [str(p.address) for p in people]
    consortium = deploy(conn, "Consortium", [members, [f"M{i}" for i in range(len(members))], 1, 0, True])
    address = deploy(conn, "JointVentureEscrow", [consortium])

    def as_(who: Any) -> JointVentureEscrow:
        return JointVentureEscrow(conn.w3, address, conn.as_account(who).sender)

    asset, bond = ETH, ETHER // 100
    if bond_kind == "none":
        bond = 0
    elif bond_kind == "erc20":
        asset = deploy(conn, "MockERC20", ["Bond", "BND", 18], test=True)
        from eth_abi import abi as eth_abi

        for who in members:
            mint = keccak(text="mint(address,uint256)")[:4] + eth_abi.encode(["address", "uint256"], [who, ETHER])
            raw_send(conn, str(accounts[0].address), asset, mint)
            approve = keccak(text="approve(address,uint256)")[:4] + eth_abi.encode(["address", "uint256"], [address, ETHER])
            raw_send(conn, who, asset, approve)
    elif bond_kind != "ether":
        raise ValueError(bond_kind)
    tester = conn.w3.provider.ethereum_tester  # type: ignore[attr-defined]
    tester.time_travel(START)  # fixed dates: the calldata (and so the gas) is the same in every run
    tester.mine_blocks(1)
    now = int(conn.w3.eth.get_block("latest")["timestamp"])
    budget, milestones = 3 * ETHER, (ETHER, 2 * ETHER)
    terms = RoundTerms("bench", asset, budget, bond, str(beneficiary.address), tuple(members), milestones,
                       now + 1000, now + 2000, now + 30 * 86400, now + 400 * 86400, 2)
    # an unrelated venture first: the measured creations both write a non-zero venture counter
    raw_send(conn, members[0], address, JointVentureEscrow.encode_create_venture(VentureTerms(
        "other", ETH, str(beneficiary.address), (members[0],), (1,), (1,), now + 86400, now + 2 * 86400, 1, 1)))
    opened = as_(people[0]).open_round(terms)
    rid = RoundOpenedEvent.from_result(opened)[0].round_id
    value = bond if asset == ETH else 0
    pledges = [ETHER * (k + 1) for k in range(partners)]
    salts = [keccak(text=f"salt {k}") for k in range(len(members))]  # fixed: calldata gas is exact
    view = JointVentureEscrow(conn.w3, address, None)
    chain_id = int(conn.w3.eth.chain_id)
    commits = [as_(people[k]).commit_pledge(rid, pledge_commitment(chain_id=chain_id, escrow=address, round_id=rid,
                                                                    partner=who, pledge=pledges[k], salt=salts[k]),
                                            value=value)
               for k, who in enumerate(members)]
    tester.time_travel(terms.commit_deadline + 1)
    tester.mine_blocks(1)
    reveals = [as_(people[k]).reveal_pledge(rid, pledges[k], salts[k]) for k in range(len(members))]
    tester.time_travel(terms.reveal_deadline + 1)
    tester.mine_blocks(1)
    allocation = view.round(rid)  # the state predicted; the same venture, created directly:
    assert allocation.state == 2  # Settled
    total, shares, before = sum(pledges), [], 0
    for p in pledges:
        shares.append(budget * (before + p) // total - budget * before // total)
        before += p
    n = len(members)
    quorum = min(2, n)
    direct = as_(people[0]).create_venture(VentureTerms(
        "bench", asset, str(beneficiary.address), tuple(members), tuple(shares), milestones,
        terms.funding_deadline, terms.long_stop, quorum, n - quorum + 1))
    lists = view.round_lists(rid)  # settle takes them back (checked against the hash recorded at open)
    settle = as_(outsider).settle_round(rid, lists.name, lists.partners, lists.milestones)
    withdraw = as_(people[0]).withdraw_bond(rid, members[0]) if bond else None
    push = as_(outsider).push_bond(rid, members[1]) if bond else None
    return RoundsGas(partners, bond_kind, opened.gas_used, commits[0].gas_used, commits[-1].gas_used,
                     reveals[0].gas_used, reveals[-1].gas_used, direct.gas_used, settle.gas_used,
                     withdraw.gas_used if withdraw else 0, push.gas_used if push else 0)


def gas_report() -> GasTable:
    """The sealed rounds' gas table for ``make bench`` (bench/run.py)."""
    ether = measure_rounds(3, "ether")
    none = measure_rounds(3, "none")
    erc20 = measure_rounds(3, "erc20")
    ten = measure_rounds(10, "ether")

    def verdict(gas: int, ceiling: int) -> str:
        return f"issue 17 ceiling {ceiling:,}: {'met' if gas <= ceiling else 'MISSED'}"

    rows = [
        GasRow("**open** a round (3 partners)", ether.open, "", None, "records every partner once"),
        GasRow("**commit** (ether bond)", ether.commit, "", None, verdict(ether.commit, COMMIT_CEILING)),
        GasRow("commit (no bond)", none.commit, "", None, verdict(none.commit, COMMIT_CEILING)),
        GasRow("commit (ERC-20 bond)", erc20.commit, "", None,
               f"{verdict(erc20.commit, COMMIT_CEILING)}: the token's transferFrom and two balance reads"),
        GasRow("**reveal** (ether bond)", ether.reveal, "", None, verdict(ether.reveal, REVEAL_CEILING)),
        GasRow("reveal (no bond)", none.reveal, "", None, verdict(none.reveal, REVEAL_CEILING)),
        GasRow("reveal (ERC-20 bond)", erc20.reveal, "", None, verdict(erc20.reveal, REVEAL_CEILING)),
        GasRow("**settle** into a venture (3 partners)", ether.settle, "createVenture of the same venture",
               ether.create_direct, verdict(ether.settle, ether.create_direct + SETTLE_MARGIN) + " (direct + 30,000)"),
        GasRow("settle into a venture (10 partners)", ten.settle, "createVenture of the same venture",
               ten.create_direct, verdict(ten.settle, ten.create_direct + SETTLE_MARGIN) + " (direct + 30,000)"),
        GasRow("settle (ERC-20 round, 3 partners)", erc20.settle, "createVenture of the same venture",
               erc20.create_direct, verdict(erc20.settle, erc20.create_direct + SETTLE_MARGIN) + " (direct + 30,000)"),
        GasRow("**withdraw bond** (ether)", ether.withdraw_bond),
        GasRow("push bond (anyone pays the partner, ether)", ether.push_bond),
        GasRow("withdraw bond (ERC-20)", erc20.withdraw_bond),
        GasRow("commit with 10 partners in the round", ten.commit, "commit with 3", ether.commit,
               "unchanged" if ten.commit == ether.commit else "CHANGED"),
        GasRow("reveal with 10 partners in the round", ten.reveal, "reveal with 3", ether.reveal,
               "unchanged" if ten.reveal == ether.reveal else "CHANGED"),
    ]
    intro = ("Sealed rounds (issue 17): a commit and a reveal each touch the round's first slot, the partner's "
             "slot and its commitment word (written non-zero at open, so a commit overwrites a non-zero word); "
             "settling reads the round's partners (at most 20) and creates the venture through the same code as "
             "createVenture, whose direct cost is measured beside it in the same run.")
    details = {"scenarios": [asdict(x) for x in (ether, none, erc20, ten)]}
    return GasTable("rounds", "Sealed negotiation rounds (JointVentureEscrow)", tuple(rows), intro, details)


if __name__ == "__main__":
    table = gas_report()
    print(table.intro)
    print()
    print("\n".join(markdown_table(table.rows)))
