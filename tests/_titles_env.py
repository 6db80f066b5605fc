"""A deployed consortium + title registry + exchange on a fresh embedded chain, for the titles tests.

``TitlesWorld.start()`` founds a consortium of Acme, Globex and Initech (quorum 2; Umbrella and an
outsider are funded accounts that are not members), deploys the TitleRegistry (which deploys its
TitleExchange), and passes one governance proposal that creates two classes and issues titles:

* class 1 "JV Hydrogen shares": Acme 1,000, Globex 500 (no cap);
* class 2 "Bond 2027":           Globex 300, Initech 300 (cap 1,000).

Everything goes through the generated bindings and the real transaction pipeline.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _consortium import _SERIAL, Gov, removal
from _embedded import EmbeddedEnv

from coopetition._artifacts import load_artifact
from coopetition._chain.deployments import deploy_contract
from coopetition._chain.records import DeploymentStore
from coopetition._domain.titles_orders import SignedOrder, sign_order
from coopetition.bindings.consortium import Consortium
from coopetition.bindings.title_exchange import (
    OfferMadeEvent,
    OfferTerms,
    PaymentKind,
    TitleExchange,
)
from coopetition.bindings.title_registry import TitleRegistry
from coopetition.consortium import ConsortiumService
from coopetition.titles import TitlesService

DEPLOYER, ACME, GLOBEX, INITECH, UMBRELLA, OUTSIDER = 0, 1, 2, 3, 4, 5
LABELS = {ACME: "Acme", GLOBEX: "Globex", INITECH: "Initech"}
HOUR = 3600
ETHER = 10**18
ANY = 2**256 - 1
"""A maxPayment that bounds nothing (tests that are not about the bound)."""
ZERO = "0x" + "00" * 20
TEST_ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
SHARES, BOND = 1, 2
BOND_CAP = 1000


@dataclass
class TitlesWorld:
    env: EmbeddedEnv
    consortium_address: str
    registry_address: str
    exchange_address: str

    @classmethod
    def start(cls, *, issue: bool = True, env: EmbeddedEnv | None = None) -> TitlesWorld:
        env = env or EmbeddedEnv.start()
        members = [env.address(i) for i in LABELS]
        consortium = env.deploy("Consortium", [members, list(LABELS.values()), 2, 0, False])
        registry = env.deploy("TitleRegistry", [consortium])
        exchange = TitleRegistry(env.w3, registry).exchange()
        world = cls(env, consortium, registry, exchange)
        if issue:
            world.govern(TitleRegistry.encode_multicall([
                TitleRegistry.encode_create_class_and_issue(
                    "JV Hydrogen shares", b"\x11" * 32, 0, [world.addr(ACME), world.addr(GLOBEX)], [1000, 500]),
                TitleRegistry.encode_create_class_and_issue(
                    "Bond 2027", b"\x22" * 32, BOND_CAP, [world.addr(GLOBEX), world.addr(INITECH)], [300, 300]),
            ]))
        return world

    # ---------------------------------------------------------------------------- bindings

    def addr(self, index: int) -> str:
        return self.env.address(index)

    def consortium(self, by: int = ACME) -> Consortium:
        return Consortium(self.env.w3, self.consortium_address, self.env.pipeline(by))

    def registry(self, by: int | None = None) -> TitleRegistry:
        return TitleRegistry(self.env.w3, self.registry_address, None if by is None else self.env.pipeline(by))

    def exchange(self, by: int | None = None) -> TitleExchange:
        return TitleExchange(self.env.w3, self.exchange_address, None if by is None else self.env.pipeline(by))

    def service(self, by: int = ACME) -> TitlesService:
        sender = self.env.pipeline(by)
        consortium = ConsortiumService(Consortium(self.env.w3, self.consortium_address, sender))
        return TitlesService.at(self.env.w3, self.registry_address, sender, consortium=consortium)

    # -------------------------------------------------------------------------- governance

    def govern(self, data: bytes, *, target: str | None = None) -> Any:
        """Propose (Acme), approve (Globex) and execute (Initech) a call; the execution's TxResult."""
        gov = Gov(self.env, self.consortium_address)
        pid = gov.propose(ACME, data, target=target or self.registry_address, description=f"test {next(_SERIAL)}")
        self.consortium(GLOBEX).approve(pid)
        return gov.execute(pid, by=INITECH)

    def add_member(self, address: str, label: str) -> None:
        self.govern(Consortium.encode_add_member(address, label), target=self.consortium_address)

    def remove_member(self, address: str) -> None:
        self.govern(removal(Consortium(self.env.w3, self.consortium_address), address), target=self.consortium_address)

    # ------------------------------------------------------------------------------ offers

    def terms(
        self, *, title_id: int = SHARES, amount: int = 100, kind: PaymentKind = PaymentKind.ETHER,
        token: str = ZERO, payment_title_id: int = 0, price: int = 10**18, counterparty: str = ZERO,
        ttl: int = HOUR, partial: bool = False,
    ) -> OfferTerms:
        return OfferTerms(title_id, amount, kind, token, payment_title_id, price, counterparty,
                          self.env.now() + ttl, partial)

    def make_offer(self, by: int = ACME, **kw: Any) -> int:
        result = self.exchange(by).make_offer(self.terms(**kw))
        return OfferMadeEvent.from_result(result)[0].offer_id

    # ------------------------------------------------------------------------ signed orders

    def sign(
        self, maker: int = ACME, *, title_id: int = SHARES, amount: int = 100, price: int = 10**18,
        asset: str | None = None, taker: str | None = None, ttl: int = HOUR, nonce: int = 0, partial: bool = False,
        chain_id: int | None = None, exchange: str | None = None,
    ) -> SignedOrder:
        """``maker``'s EIP-712 signature of an order (ether when ``asset`` is None)."""
        return sign_order(
            self.env.accounts[maker], chain_id=chain_id or self.env.w3.eth.chain_id,
            exchange=exchange or self.exchange_address, title_id=title_id, amount=amount, price=price, asset=asset,
            taker=taker, expiry=self.env.now() + ttl, nonce=nonce, partial_fills=partial,
        )

    def take(self, by: int, order: SignedOrder, amount: int | None = None, *, max_payment: int = ANY,
             value: int = 0) -> Any:
        return self.exchange(by).fill_order(order.order(), order.signature_bytes,
                                            order.amount if amount is None else amount, max_payment, value=value)

    def usdc(self, holders: Sequence[int] = (ACME, GLOBEX, INITECH), amount: int = 10**12) -> str:
        """A 6-decimal MockERC20 "USDC"; each of ``holders`` gets ``amount`` and approves the exchange for all."""
        from mocks.mock_erc20 import MockERC20

        token = self.deploy_mock("MockERC20", ["USD Coin", "USDC", 6])
        for who in holders:
            bound = MockERC20(self.env.w3, token, self.env.pipeline(who))
            bound.mint(self.addr(who), amount)
            bound.approve(self.exchange_address, 2**256 - 1)
        return token

    def balance(self, who: str | int, class_id: int) -> int:
        address = who if isinstance(who, str) else self.addr(who)
        return self.registry().balance_of(address, class_id)

    # ------------------------------------------------------------------------------- mocks

    def deploy_mock(self, name: str, args: Sequence[Any], *, by: int = DEPLOYER, value: int = 0) -> str:
        artifact = load_artifact(name, search=[TEST_ARTIFACTS])
        if value:
            from coopetition._seam import PendingCall

            data = bytes.fromhex(artifact.bytecode.removeprefix("0x")) + _encode_args(artifact.abi, args)
            result = self.env.pipeline(by).send(PendingCall(name, "", "constructor", tuple(args), data, value,
                                                            tuple(artifact.abi)))
            return str(result.contract_address)
        deployment = deploy_contract(
            self.env.pipeline(by), DeploymentStore(None, "embedded"), name=name,
            abi=artifact.abi, bytecode=artifact.bytecode, args=list(args), reset=True,
        )
        return deployment.address


def _encode_args(abi: Sequence[Any], args: Sequence[Any]) -> bytes:
    from eth_abi import abi as eth_abi

    ctor = next((e for e in abi if e.get("type") == "constructor"), None)
    if ctor is None:
        return b""
    return eth_abi.encode([i["type"] for i in ctor["inputs"]], list(args))


def snapshot(world: TitlesWorld) -> Any:
    if isinstance(world.env, AnvilEnv):
        return world.env.rpc("evm_snapshot")
    return int(world.env.w3.provider.ethereum_tester.take_snapshot())  # type: ignore[attr-defined]


def restore(world: TitlesWorld, snap: Any) -> None:
    """Back to ``snap``, with fresh nonce bookkeeping (the reverted transactions never happened).
    On anvil a snapshot is used up by reverting to it: take a new one."""
    from coopetition._chain.nonce import NonceManager

    if isinstance(world.env, AnvilEnv):
        assert world.env.rpc("evm_revert", [snap]) is True
    else:
        world.env.w3.provider.ethereum_tester.revert_to_snapshot(snap)  # type: ignore[attr-defined]
    world.env.nonces = NonceManager()
    world.env._pipelines.clear()


class AnvilEnv(EmbeddedEnv):
    """The same helpers on an anvil node (its well-known unlocked dev accounts)."""

    @classmethod
    def at(cls, url: str) -> AnvilEnv:
        from coopetition._chain.devnet import anvil_dev_accounts
        from coopetition._chain.network import connect_chain, resolve_network
        from coopetition._chain.nonce import NonceManager

        chain = connect_chain(resolve_network(url))
        return cls(chain=chain, accounts=anvil_dev_accounts(), nonces=NonceManager())

    def rpc(self, method: str, params: list[Any] | None = None) -> Any:
        response = self.w3.provider.make_request(method, params or [])  # type: ignore[arg-type]
        return response.get("result")

    def time_travel(self, seconds: int) -> int:
        self.rpc("evm_increaseTime", [seconds])
        self.rpc("evm_mine")
        return self.now()
