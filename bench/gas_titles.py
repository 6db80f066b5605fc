"""Gas of the title registry and exchange (TitleRegistry, TitleExchange), side by side with the plain
OpenZeppelin 5 ERC-1155 and ERC-20 transfers measured in the same run and the published AirSwap
``swap`` / ``swapLight`` figures, against the ceilings of issue 14.

Everything runs on the ``embedded`` chain (eth-tester); the measured transactions go through the
library's real transaction pipeline and the titles service (``suite.titles``). Each scenario starts on
a fresh chain, so the figures are deterministic.

Scenario (:func:`measure_titles`): the suite for Acme, Globex and Initech (quorum 2), two title
classes issued by one proposal, an ERC-20 "USDC", and a member contract (contracts/test/
TitlesOfferBatch.sol) that makes 1,000 one-title offers (ids 1..1,000) and then cancels all but
``open_others`` of them, so the measured offers always get ids from 1,001 (same calldata) and the
exchange always holds some titles of the class (same storage warmth). Measured, one transaction each:

1. ``offer``: Acme offers 100 shares for 1 ether, partial fills allowed;
2. ``fill (part, ETH)``: Globex takes 40; ``fill (rest, ETH)``: Initech takes the last 60;
3. ``offer + fill (ERC-20)``: Acme offers 100 shares for 12,000 USDC, Globex takes them all;
4. ``offer + fill (titles)``: Acme offers 100 shares for 40 bonds, Globex takes them all;
5. ``cancel``: Acme cancels a fresh offer; ``reclaim``: Acme reclaims an expired one;
6. ``withdraw``: Acme withdraws its ether proceeds;
7. ``transfer``: Acme sends 10 shares to Globex (who already holds some) with ``safeTransferFrom``;
8. signed private orders (``TitlesService.quote`` / ``take``): ``signed (ERC-20, existing holders)`` —
   Acme's quote of 10 shares for 100 USDC, taken by Globex, both already holding shares and USDC, and
   Acme's nonce word already in use (its first quote, taken just before, is ``signed (first quote of a
   maker)``); ``signed (ERC-20, new holders)`` — Acme's quote for 100 "EURC", a token Acme never held,
   taken by Initech, who holds no shares; ``signed (ether)`` — 10 shares for 0.1 ether. Takers approved
   the exchange once for the maximum (``type(uint256).max``, so the token does not rewrite it).

Baselines: a plain OpenZeppelin 5 ERC-1155 ``safeTransferFrom`` (contracts/test/TitlesPlainERC1155.sol)
and a plain OpenZeppelin 5 ERC-20 ``transfer`` (the MockERC20), each to a recipient that already holds
the asset and to a new one, measured in the same run; and AirSwap's published ``swap`` (≤ 115,799) and
``swapLight`` (≤ 95,223) figures (not measured here). Ceilings of issue 14: a signed ERC-20 fill with
existing holders ≤ 85,700 (≈ 1.15 x the two plain transfers it performs), with new holders ≤ 125,000;
an on-chain offer fill ≤ 110,000; making an offer ≤ 130,000.

The titles registry and exchange are compiled through the IR pipeline with 1,000,000 optimizer runs
(the ``titles`` compiler profile in pyproject.toml); the baselines' OpenZeppelin tokens, like every
other contract, with 200 runs and no IR, the settings the anchors were published with.

"Per-user gas unchanged" is shown by running the scenario with 1 and with 1,000 other open offers in
the same run: every operation costs the same gas, to the unit.

Run alone: ``.venv/bin/python bench/gas_titles.py`` prints the table.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gas_common import GasRow, GasTable, deploy, markdown_table, raw_send

if TYPE_CHECKING:
    pass

__all__ = ["TitlesGas", "gas_report", "measure_titles"]

ETHER = 10**18
USDC = 10**6
AIRSWAP = "AirSwap `swap` (published, ≤115,799)"
AIRSWAP_GAS = 115_799
AIRSWAP_LIGHT = "AirSwap `swapLight` (published, ≤95,223)"
AIRSWAP_LIGHT_GAS = 95_223
PLAIN = "OpenZeppelin 5 ERC-1155 `safeTransferFrom` (measured)"
PLAIN_PAIR = "plain ERC-1155 + ERC-20 transfers (measured)"
SIGNED_EXISTING_CEILING = 85_700
SIGNED_NEW_CEILING = 125_000
FILL_CEILING = 110_000
OFFER_CEILING = 130_000
SPAM = 1000
QUOTE_EXPIRY = "2090-01-01"
PER_USER = ("offer", "fill_part", "fill_rest", "offer_token", "fill_token", "offer_titles", "fill_titles",
            "cancel", "reclaim", "withdraw", "transfer", "signed_token", "signed_token_new", "signed_ether")


@dataclass(frozen=True)
class TitlesGas:
    open_others: int
    offer: int
    fill_part: int
    fill_rest: int
    offer_token: int
    fill_token: int
    offer_titles: int
    fill_titles: int
    cancel: int
    reclaim: int
    withdraw: int
    transfer: int
    plain_transfer: int
    plain_transfer_new: int
    erc20_transfer: int
    erc20_transfer_new: int
    signed_first: int
    signed_token: int
    signed_token_new: int
    signed_ether: int






def _govern(services: Sequence[Any], target: str, data: bytes) -> None:
    """Propose (Acme), approve (Globex), execute (Initech)."""
    ref = services[0].propose(target, data, "bench setup", "1d")
    services[1].approve(ref.id)
    services[2].execute(ref.id)


def measure_titles(open_others: int = 1) -> TitlesGas:
    """The scenario of the module docstring with ``open_others`` other offers open (1..1,000)."""
    from eth_abi import abi as eth_abi

    from coopetition import connect
    from coopetition._abi import selector
    from coopetition._session import SuiteMember, deploy_suite
    from coopetition.bindings.consortium import Consortium
    from coopetition.bindings.title_exchange import OfferTerms, PaymentKind
    from coopetition.bindings.title_registry import TitleRegistry

    assert 1 <= open_others <= SPAM
    conn = connect("embedded", 0)
    accounts = conn.chain.dev_accounts()
    acme, globex, initech = (str(accounts[i].address) for i in (1, 2, 3))
    deploy_suite(conn, [SuiteMember("Acme", acme), SuiteMember("Globex", globex), SuiteMember("Initech", initech)], 2)
    as_acme, as_globex, as_initech = (conn.as_account(accounts[i]) for i in (1, 2, 3))
    governors = [c.suite().consortium for c in (as_acme, as_globex, as_initech)]
    titles_acme = as_acme.suite().titles
    titles_globex = as_globex.suite().titles
    titles_initech = as_initech.suite().titles
    registry, exchange = titles_acme.registry.address, titles_acme.exchange.address
    consortium = governors[0].address

    # setup: a batch member, two classes, titles, USDC, a plain ERC-1155
    batch = deploy(conn, "TitlesOfferBatch", [], test=True)
    _govern(governors, consortium, Consortium.encode_add_member(batch, "Batch"))
    umbrella = str(accounts[4].address)  # a member that never holds titles before the new-holders quote
    _govern(governors, consortium, Consortium.encode_add_member(umbrella, "Umbrella"))
    titles_umbrella = conn.as_account(accounts[4]).suite().titles
    shares, bonds = 1, 2
    _govern(governors, registry, TitleRegistry.encode_multicall([
        TitleRegistry.encode_create_class_and_issue("JV Hydrogen shares", b"\x11" * 32, 0,
                                                    [acme, globex, batch], [10_000, 100, SPAM]),
        TitleRegistry.encode_create_class_and_issue("Bond 2027", b"\x22" * 32, 0, [globex], [10_000]),
    ]))
    usdc = deploy(conn, "MockERC20", ["USD Coin", "USDC", 6], test=True)
    eurc = deploy(conn, "MockERC20", ["Euro Coin", "EURC", 6], test=True)
    plain = deploy(conn, "TitlesPlainERC1155", [], test=True)
    deployer = str(accounts[0].address)
    mint = selector("mint(address,uint256)")
    for token, holder in ((usdc, globex), (usdc, acme), (eurc, umbrella)):
        raw_send(conn, deployer, token, mint + eth_abi.encode(["address", "uint256"], [holder, 10**6 * USDC]))
    approve = selector("approve(address,uint256)")
    for token, holder in ((usdc, globex), (eurc, umbrella)):
        raw_send(conn, holder, token, approve + eth_abi.encode(["address", "uint256"], [exchange, 2**256 - 1]))
    mint1155 = selector("mint(address,uint256,uint256)")
    for holder in (acme, globex):
        raw_send(conn, deployer, plain, mint1155 + eth_abi.encode(["address", "uint256", "uint256"], [holder, 1, 1000]))

    # 1,000 one-title offers by the batch member, then all but `open_others` cancelled
    far = int(conn.w3.eth.get_block("latest")["timestamp"]) + 365 * 86400
    spam = OfferTerms(shares, 1, PaymentKind.ETHER, "0x" + "00" * 20, 0, 10**15, "0x" + "00" * 20, far, False)
    make = selector("makeOffers(address,(uint256,uint256,uint8,address,uint256,uint256,address,uint64,bool),uint256)")
    for _ in range(SPAM // 100):
        raw_send(conn, deployer, batch, make + eth_abi.encode(
            ["address", "(uint256,uint256,uint8,address,uint256,uint256,address,uint64,bool)", "uint256"],
            [exchange, spam.to_abi(), 100]), gas=25_000_000)
    cancel = selector("cancelOffers(address,uint256,uint256)")
    first, last = 1, SPAM - open_others
    while first <= last:
        upto = min(first + 399, last)
        raw_send(conn, deployer, batch, cancel + eth_abi.encode(["address", "uint256", "uint256"],
                                                                 [exchange, first, upto]), gas=25_000_000)
        first = upto + 1
    assert len(titles_acme.book()) == open_others

    # measured
    price = titles_acme.price("1 ether")
    made = titles_acme.offer(shares, 100, price, partial=True, expiry="30d")
    assert made.id == SPAM + 1
    fill_part = titles_globex.fill(made.id, 40)
    fill_rest = titles_initech.fill(made.id, 60)
    token_offer = titles_acme.offer(shares, 100, titles_acme.price("12000 USDC", token=usdc), expiry="30d")
    fill_token = titles_globex.fill(token_offer.id)
    title_offer = titles_acme.offer(shares, 100, titles_acme.price(40, title_class=bonds), expiry="30d")
    fill_titles = titles_globex.fill(title_offer.id)
    to_cancel = titles_acme.offer(shares, 100, price, expiry="30d")
    cancelled = titles_acme.cancel(to_cancel.id)
    to_reclaim = titles_acme.offer(shares, 100, price, expiry="1h")
    withdrawn = titles_acme.withdraw()
    transfer = titles_acme.transfer(globex, shares, 10)
    plain_tx = conn.as_account(accounts[1]).sender
    assert plain_tx is not None
    from coopetition._seam import PendingCall

    data = selector("safeTransferFrom(address,address,uint256,uint256,bytes)") + eth_abi.encode(
        ["address", "address", "uint256", "uint256", "bytes"], [acme, globex, 1, 10, b""])
    plain_transfer = plain_tx.send(PendingCall("TitlesPlainERC1155", plain,
                                               "safeTransferFrom(address,address,uint256,uint256,bytes)",
                                               (acme, globex, 1, 10, b""), data))
    data_new = selector("safeTransferFrom(address,address,uint256,uint256,bytes)") + eth_abi.encode(
        ["address", "address", "uint256", "uint256", "bytes"], [acme, initech, 1, 10, b""])
    plain_transfer_new = plain_tx.send(PendingCall("TitlesPlainERC1155", plain,
                                                   "safeTransferFrom(address,address,uint256,uint256,bytes)",
                                                   (acme, initech, 1, 10, b""), data_new))
    transfer20 = selector("transfer(address,uint256)")
    erc20_transfer = plain_tx.send(PendingCall("MockERC20", usdc, "transfer(address,uint256)", (globex, 5),
                                               transfer20 + eth_abi.encode(["address", "uint256"], [globex, 5])))
    fresh = str(accounts[7].address)
    erc20_transfer_new = plain_tx.send(PendingCall("MockERC20", usdc, "transfer(address,uint256)", (fresh, 5),
                                                   transfer20 + eth_abi.encode(["address", "uint256"], [fresh, 5])))

    # signed private orders: Acme quotes, the taker takes (one transaction each); a fixed expiry keeps the
    # signatures, hence the calldata and the gas, identical from run to run
    until = QUOTE_EXPIRY
    first = titles_acme.quote(shares, 10, titles_acme.price("100 USDC", token=usdc), to="Globex", expires=until)
    signed_first = titles_globex.take(first)
    existing = titles_acme.quote(shares, 10, titles_acme.price("100 USDC", token=usdc), to="Globex", expires=until)
    signed_token = titles_globex.take(existing)
    newcomers = titles_acme.quote(shares, 10, titles_acme.price("100 EURC", token=eurc), to="Umbrella",
                                  expires=until)
    assert titles_acme.balance(umbrella, shares) == 0
    signed_token_new = titles_umbrella.take(newcomers)
    by_ether = titles_acme.quote(shares, 10, titles_acme.price("0.1 ether"), expires=until)
    signed_ether = titles_globex.take(by_ether)
    tester = conn.w3.provider.ethereum_tester  # type: ignore[attr-defined]
    tester.time_travel(int(conn.w3.eth.get_block("latest")["timestamp"]) + 7200)
    tester.mine_blocks(1)
    reclaimed = titles_acme.reclaim(to_reclaim.id)
    return TitlesGas(
        open_others, made.tx.gas_used, fill_part.gas_used, fill_rest.gas_used, token_offer.tx.gas_used,
        fill_token.gas_used, title_offer.tx.gas_used, fill_titles.gas_used, cancelled.gas_used,
        reclaimed.gas_used, withdrawn.gas_used, transfer.gas_used, plain_transfer.gas_used,
        plain_transfer_new.gas_used, erc20_transfer.gas_used, erc20_transfer_new.gas_used, signed_first.gas_used,
        signed_token.gas_used, signed_token_new.gas_used, signed_ether.gas_used,
    )


def _verdict(gas: int, ceiling: int) -> str:
    return f"ceiling {ceiling:,} (issue 14): {'met' if gas <= ceiling else f'NOT met, {gas - ceiling:,} over'}"


def gas_report() -> GasTable:
    """The titles gas table for ``make bench`` (bench/run.py)."""
    one = measure_titles(1)
    many = measure_titles(SPAM)
    pair = one.plain_transfer + one.erc20_transfer
    pair_new = one.plain_transfer_new + one.erc20_transfer_new
    rows: list[GasRow] = [
        GasRow("**signed order** taken, ERC-20, existing holders (`fillOrder`)", one.signed_token, PLAIN_PAIR, pair,
               f"{_verdict(one.signed_token, SIGNED_EXISTING_CEILING)}; {one.signed_token / pair:.2f} x the two plain "
               f"transfers; {AIRSWAP_LIGHT}"),
        GasRow("**signed order** taken, ERC-20, new holders", one.signed_token_new, PLAIN_PAIR + ", new holders",
               pair_new, _verdict(one.signed_token_new, SIGNED_NEW_CEILING)),
        GasRow("signed order: a maker's first quote ever (its nonce word is written from zero)", one.signed_first,
               PLAIN_PAIR, pair, "once per 256 nonces of a maker"),
        GasRow("signed order taken, ether (maker credited, excess refunded)", one.signed_ether),
        GasRow("**transfer** titles member → member (`safeTransferFrom`)", one.transfer, PLAIN, one.plain_transfer,
               "the difference is the membership check (one call to the consortium)"),
        GasRow("**offer** (100 titles for ether, partial fills; escrowed)", one.offer, "ceiling (issue 14)",
               OFFER_CEILING, "packed in four slots, three written for an ether offer"),
        GasRow("**fill** part of an offer, ether (taker pays, titles delivered)", one.fill_part, AIRSWAP,
               AIRSWAP_GAS, "maker credited (pull payment); its first proceeds write a slot from zero"),
        GasRow("fill the rest (offer becomes Filled)", one.fill_rest, AIRSWAP, AIRSWAP_GAS, ""),
        GasRow("**fill** whole, ERC-20 (USDC straight to the maker)", one.fill_token, "ceiling (issue 14)",
               FILL_CEILING, "includes the balance check against fee-on-transfer tokens"),
        GasRow("offer + fill, ERC-20 (both on chain)", one.offer_token + one.fill_token, AIRSWAP, AIRSWAP_GAS,
               f"offer {one.offer_token:,} + fill {one.fill_token:,}: the public book's price of one trade"),
        GasRow("**fill** whole, paid in titles of another class", one.fill_titles, AIRSWAP, AIRSWAP_GAS, ""),
        GasRow("**cancel** (titles back to the maker)", one.cancel),
        GasRow("**reclaim** an expired offer", one.reclaim),
        GasRow("**withdraw** ether proceeds", one.withdraw),
        GasRow("plain ERC-1155 transfer, new holder (anchor)", one.plain_transfer_new, "issue 14 anchor", 57_088),
        GasRow("plain ERC-20 transfer, existing / new holder (anchor)", one.erc20_transfer, "issue 14 anchor", 34_501,
               f"new holder: {one.erc20_transfer_new:,} (anchor 51,601)"),
    ]
    for key in PER_USER:
        low, high = getattr(one, key), getattr(many, key)
        rows.append(GasRow(f"{key.replace('_', ' ')}: {SPAM:,} other open offers", high,
                           f"{key.replace('_', ' ')}: 1 other open offer", low,
                           "unchanged" if low == high else "CHANGED"))
    intro = (
        "A signed private order (EIP-712, negotiated off chain) settles both legs in one transaction, titles "
        "straight from the maker's balance; the public book escrows each offer in four packed slots. Every "
        "function touches only the offer or order it names and the accounts involved, so every per-user "
        "action costs the same gas whatever the number of open offers (rows marked 'unchanged': whole "
        f"transactions with 1 and with {SPAM:,} other open offers in the same run). Baselines: plain "
        "OpenZeppelin 5 ERC-1155 and ERC-20 transfers measured in the same run, the ceilings of issue 14, and "
        "AirSwap's published `swap` / `swapLight` figures (not measured here)."
    )
    details = {"scenarios": [asdict(x) for x in (one, many)], "airswapSwapPublished": AIRSWAP_GAS,
               "airswapSwapLightPublished": AIRSWAP_LIGHT_GAS}
    return GasTable("titles", "Titles (TitleRegistry + TitleExchange)", tuple(rows), intro, details)


if __name__ == "__main__":
    table = gas_report()
    print(table.intro)
    print()
    print("\n".join(markdown_table(table.rows)))
