"""Demo act: titles change hands between members, delivery versus payment (``coopetition demo``).

The consortium creates two capped title classes and issues their first titles, each class with its
titles in one call, by one proposal. Acme sells 30 % of its joint-venture shares to Globex through a
**signed private quote** (negotiated off chain, settled on chain in one transaction, paid in a demo
ERC-20 "USDC"); Globex offers shares on the **public book** for ether allowing partial fills, and
Initech takes part of them at the exact proportional price (the gas of both trades is printed);
Initech offers licences for shares with a short expiry, nobody takes them, and Initech reclaims them
once expired. Holdings are printed at the end.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .._units import format_amount

if TYPE_CHECKING:
    from .._session import Connection
    from ..titles import TitlesService
    from . import DemoMember

__all__ = ["demo_act"]

USDC_DECIMALS = 6


def _deploy_usdc(conn: Connection) -> str | None:
    """A demo ERC-20 "USDC" from the project's test artifacts (a source checkout); None without them."""
    from .._artifacts import load_artifact
    from .._chain.deployments import deploy_contract
    from ..exceptions import ArtifactError

    folder = conn.project.root / "tests" / "artifacts"
    try:
        artifact = load_artifact("MockERC20", search=[folder])
    except ArtifactError:
        return None
    assert conn.sender is not None
    return deploy_contract(conn.sender, conn.store, name="DemoUSDC", abi=artifact.abi, bytecode=artifact.bytecode,
                           args=["Demo USD Coin", "USDC", USDC_DECIMALS], reset=True).address


def _mint(conn: Connection, token: str, to: str, amount: int) -> None:
    from eth_abi import abi as eth_abi

    from .._abi import selector
    from .._seam import PendingCall

    assert conn.sender is not None
    data = selector("mint(address,uint256)") + eth_abi.encode(["address", "uint256"], [to, amount])
    conn.sender.send(PendingCall("MockERC20", token, "mint(address,uint256)", (to, amount), data))


def _holdings(titles: TitlesService, members: Sequence[DemoMember], out: Callable[[str], None]) -> dict[str, Any]:
    classes = titles.classes()
    table: dict[str, Any] = {}
    out("Holdings:")
    for m in members:
        held = {c.name: titles.registry.balance_of(m.address, c.id) for c in classes}
        table[m.label] = held
        shown = ", ".join(f"{amount} {name}" for name, amount in held.items() if amount) or "nothing"
        out(f"  {m.label:<10} {shown}")
    escrow = {c.name: titles.escrowed(c.id) for c in classes}
    out(f"  {'(exchange)':<10} {', '.join(f'{a} {n}' for n, a in escrow.items() if a) or 'nothing'} in open offers")
    return table


def demo_act(conn: Connection, members: Sequence[DemoMember], out: Callable[[str], None]) -> dict[str, object]:
    """Run the titles act on ``conn``'s chain (the suite already deployed); returns a summary."""
    from ..bindings.title_registry import TitleRegistry

    by_label = {m.label: m for m in members}
    acme, globex, initech = by_label["Acme"], by_label["Globex"], by_label["Initech"]
    titles = {m.label: m.connection.suite().titles for m in members}
    t_acme, t_globex, t_initech = titles["Acme"], titles["Globex"], titles["Initech"]

    out("")
    out("== Act: titles change hands, delivery versus payment ==")
    calls = [
        TitleRegistry.encode_create_class_and_issue("JV Hydrogen shares", b"\x11" * 32, 2000,
                                                    [acme.address, globex.address], [1000, 500]),
        TitleRegistry.encode_create_class_and_issue("Electrolyser patent licence", b"\x22" * 32, 10,
                                                    [initech.address], [10]),
    ]
    consortium_acme = acme.connection.suite().consortium
    ref = consortium_acme.propose(t_acme.registry.address, TitleRegistry.encode_multicall(calls),
                                  "Create the JV share and licence classes; issue them", "7d")
    globex.connection.suite().consortium.approve(ref.id)
    executed = consortium_acme.execute(ref.id)
    created = t_acme.registry.events.class_created(from_block=executed.block_number, to_block=executed.block_number)
    ids = {c.name: c.class_id for c in created}  # the ids the registry gave, read back from its events
    shares, licence = ids["JV Hydrogen shares"], ids["Electrolyser patent licence"]
    out(f"Proposal #{ref.id} (approved by Acme and Globex, executed): classes #{shares} 'JV Hydrogen shares' "
        f"(max supply 2000; Acme 1000, Globex 500) and #{licence} 'Electrolyser patent licence' (max supply 10; "
        "Initech 10), each created and issued in one call.")
    _holdings(t_acme, members, out)

    # 1. Acme sells 30 % of its shares to Globex for an ERC-20 payment.
    usdc = _deploy_usdc(conn)
    if usdc is not None:
        _mint(conn, usdc, globex.address, 500_000 * 10**USDC_DECIMALS)
        price = t_acme.price("120000 USDC", token=usdc)
    else:  # an installed package without the test artifacts: pay in ether instead
        out("(no demo ERC-20 available outside a source checkout: this sale is paid in ether)")
        price = t_acme.price("40 ether")
    quote = t_acme.quote(shares, 300, price, to="Globex", expires="2h")
    out(f"Acme signs a private quote off chain: 300 JV shares (30 % of its 1000) to Globex only, for "
        f"{price.describe()}, valid two hours (nonce {quote.nonce}); nothing is on chain yet, the JSON is "
        f"{len(quote.to_json())} bytes handed to Globex.")
    taken = t_globex.take(quote)
    out(f"Globex takes the quote: the shares and the {price.describe()} move in one transaction "
        f"(gas {taken.gas_used:,}); only the executed trade is on chain.")

    # 2. A partial fill at the exact proportional price.
    partial = t_globex.offer(shares, 200, t_globex.price("1 ether"), expiry="3d", partial=True)
    due = t_initech.payment_for(partial.id, 75)
    book_fill = t_initech.fill(partial.id, 75)
    left = t_globex.get_offer(partial.id)
    out(f"Globex offers 200 JV shares on the public book for 1 ETH to any member, partial fills allowed (offer "
        f"#{partial.id}); Initech takes 75 and pays exactly {format_amount(due, symbol='ETH')} (gas "
        f"{book_fill.gas_used:,}); {left.remaining} stay on offer.")
    withdrawn = t_globex.proceeds()
    t_globex.withdraw()
    out(f"Globex withdraws its {format_amount(withdrawn, symbol='ETH')} of proceeds (pull payment).")

    # 3. An offer that expires and is reclaimed.
    expiring = t_initech.offer(licence, 5, t_initech.price(40, title_class=shares), expiry="1h")
    out(f"Initech offers 5 patent licences for 40 JV shares, expiring in one hour (offer #{expiring.id}).")
    tester = getattr(conn.w3.provider, "ethereum_tester", None)
    if tester is not None:
        tester.time_travel(int(conn.w3.eth.get_block("latest")["timestamp"]) + 2 * 3600)
        tester.mine_blocks(1)
        state = t_initech.get_offer(expiring.id).state
        out(f"Two hours pass; nobody took it: offer #{expiring.id} is {state.name.lower()}.")
        try:
            t_acme.fill(expiring.id)
        except Exception as exc:  # the one-line refusal a user would see
            out(f"Acme tries to fill it anyway: {exc}")
        t_initech.reclaim(expiring.id)
        out(f"Initech reclaims offer #{expiring.id}: its 5 licences are back.")
    else:
        t_initech.cancel(expiring.id)
        out(f"(no clock to move on this chain) Initech cancels offer #{expiring.id} instead.")

    book = t_acme.book()
    out(f"Open offers now: {', '.join(f'#{o.id} ({o.remaining} left)' for o in book) or 'none'}.")
    holdings = _holdings(t_acme, members, out)
    return {
        "classes": {"shares": shares, "licence": licence},
        "quote": {"nonce": quote.nonce, "gas": taken.gas_used},
        "offers": {"partial": partial.id, "expired": expiring.id},
        "gas": {"signedQuote": taken.gas_used, "publicBook": book_fill.gas_used},
        "paymentToken": usdc,
        "holdings": holdings,
    }
