"""Once the suite is deployed, the deployer alone can change nothing.

For every contract of the suite, every state-changing function of its ABI is called from the
deployer's account with plausible arguments (drawn per ABI type from a pool: the deployer's own
address, members, existing ids, governed calldata, ...), through the real transaction pipeline.
Every call must revert, and the contract's governance state must be unchanged afterwards.

Where the deployer is also a member, the member's own powers (proposing, revoking its approval,
cancelling its proposal) may succeed, and the test then shows they give no control: the deployer's
proposal still needs the quorum.

To cover a new contract, add a :class:`PowerlessCase` to :data:`CASES`.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest
from _consortium import Gov
from _embedded import EmbeddedEnv

from coopetition._abi import canonical_type, function_signature
from coopetition._runtime import BoundContract
from coopetition.bindings.consortium import Consortium, ConsortiumThresholdNotReached, Signature
from coopetition.exceptions import ContractRevertError

DEPLOYER = 0
MAX_COMBINATIONS = 12  # all combinations up to this many per function, else each-choice coverage


@dataclass
class Deployed:
    """A contract of the suite as the deployer sees it, plus what the pools may draw from."""

    contract: BoundContract
    pools: dict[str, list[Any]] = field(default_factory=dict)
    """Extra candidate values per canonical ABI type (merged before the default pool)."""
    snapshot: Callable[[], Any] = lambda: None
    """Governance state that must not change (members, quorum, executed actions, balances...)."""


@dataclass(frozen=True)
class PowerlessCase:
    name: str
    deploy: Callable[[EmbeddedEnv], Deployed]
    allowed: frozenset[str] = frozenset()
    """Functions the deployer may call successfully because it is also a member (its own proposals
    and approvals); the snapshot must still be unchanged."""
    after: Callable[[EmbeddedEnv, Deployed], None] | None = None
    """Checks that the allowed successes gave the deployer no control."""
    must_succeed: frozenset[str] = frozenset()
    """Allowed functions that must really have succeeded (so they were exercised, not skipped)."""


def default_pool(env: EmbeddedEnv, typ: str) -> list[Any]:
    me = env.address(DEPLOYER)
    pools: dict[str, list[Any]] = {
        "address": [me, env.address(1), "0x" + "00" * 20],
        "uint256": [0, 1, 2],
        "uint64": [env.now() + 86_400, 1],
        "uint8": [0, 1],
        "bool": [True, False],
        "string": ["Deployer"],
        "bytes": [b"\x00"],
        "bytes32": [b"\x11" * 32],
    }
    if typ.endswith("[]"):
        inner = typ[:-2]
        return [[v] for v in pools.get(inner, default_pool(env, inner))]
    return pools.get(typ, [])


def argument_sets(env: EmbeddedEnv, entry: Mapping[str, Any], extra: Mapping[str, list[Any]]) -> list[tuple[Any, ...]]:
    choices: list[list[Any]] = []
    for param in entry.get("inputs", ()):
        typ = canonical_type(param)
        values = list(extra.get(typ, [])) + default_pool(env, typ)
        if not values:
            raise AssertionError(f"no plausible values for ABI type {typ}: extend default_pool")
        choices.append(values)
    combos = list(itertools.islice(itertools.product(*choices), MAX_COMBINATIONS + 1))
    if len(combos) <= MAX_COMBINATIONS:
        return combos
    # too many: every value of every parameter at least once (each-choice coverage)
    width = max(len(c) for c in choices)
    return [tuple(c[k % len(c)] for c in choices) for k in range(width)]


def state_changing(abi: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    return [
        e for e in abi
        if e.get("type") == "function" and e.get("stateMutability") in ("nonpayable", "payable")
    ]


# ----------------------------------------------------------------------------------- Consortium


def _consortium(env: EmbeddedEnv, *, deployer_is_member: bool) -> Deployed:
    founders = [env.address(DEPLOYER)] if deployer_is_member else []
    founders += [env.address(1), env.address(2)]
    labels = [f"Founder{i}" for i in range(len(founders))]
    gov = Gov.deploy(env, founders, labels, 2)
    address = gov.address
    governed = [
        Consortium.encode_set_quorum(1),
        Consortium.encode_add_member(env.address(DEPLOYER), "Deployer"),
        gov.removal(env.address(1)),
    ]
    existing: list[bytes] = []
    if not deployer_is_member:
        # open proposals by a member, below the quorum, that the deployer could try to push
        existing = [gov.propose(1, data, description=f"pending {i}", ttl=8 * 86_400) for i, data in enumerate(governed)]
    view = gov.view
    me = env.address(DEPLOYER)
    env.send_ether(DEPLOYER, address, 10**18)

    def snapshot() -> Any:
        """Members, quorum, epoch, decisions executed, the others' open proposals, the balance."""
        others = [(view.proposal(pid), view.approvers(pid), view.objectors(pid)) for pid in existing]
        return (view.member_list(), view.quorum(), view.epoch(), view.decision_nonce(),
                len(view.events.proposal_executed()), others, env.balance(address))

    return Deployed(
        contract=Consortium(env.w3, address, env.pipeline(DEPLOYER)),
        pools={"bytes32": existing, "bytes": governed, "bytes[]": [governed, [governed[0]]], "address": [address],
               "(address,bytes)[]": [[Signature(me, b"\x01" * 65).to_abi()], [Signature(env.address(1), b"\x01" * 65).to_abi()], []]},
        snapshot=snapshot,
    )


def _deployer_member_gains_nothing(env: EmbeddedEnv, deployed: Deployed) -> None:
    gov = Gov(env, deployed.contract.address)
    pid = gov.propose(DEPLOYER, Consortium.encode_add_member(env.address(5), "Deployer's friend"))
    with pytest.raises(ConsortiumThresholdNotReached) as err:
        gov.execute(pid, by=DEPLOYER)
    assert (err.value.approvals, err.value.threshold) == (1, 2)
    assert not gov.view.is_member(env.address(5))


# -------------------------------------------------------------------------------- CostSharing


def _cost_sharing(env: EmbeddedEnv) -> Deployed:
    import dataclasses

    from coopetition.bindings.cost_sharing import CostSharing, Terms

    consortium = _consortium_of_two(env)
    address = env.deploy("CostSharing", [consortium], by=DEPLOYER)
    a, b = CostSharing(env.w3, address, env.pipeline(1)), CostSharing(env.w3, address, env.pipeline(2))
    terms = Terms("R&D", "0x" + "00" * 20, (env.address(1), env.address(2)), (6000, 4000), 5000, 2, 3_600, 86_400,
                  30 * 86_400)
    a.create_pool(terms)
    b.join_pool(1, a.pool_info(1).terms_hash)  # live: both accepted
    for n in (1, 2):  # expense 1 booked (payee: account 3), expense 2 pending
        a.submit_expense(1, 1000 * n, env.address(3), bytes([n]) * 32, "INV")
    a.approve_expense(1)
    b.approve_expense(1)
    env.time_travel(86_400 + 3_600)  # period 0 and its dispute window are over
    a.pay(1, 0, env.address(1), 100, value=100)  # the pool holds funds the deployer could try to take
    a.create_pool(dataclasses.replace(terms, name="Pending"))  # pool 2: B has not accepted (a forged acceptance?)
    view = CostSharing(env.w3, address)

    def snapshot() -> Any:
        people = [env.address(i) for i in range(4)]
        return (view.pool_count(), view.pool_info(1), view.pool_info(2), view.expense_count(),
                [view.expense(i) for i in (1, 2)], [view.position(1, 0, x) for x in people],
                env.balance(address))

    me = env.address(DEPLOYER)
    return Deployed(
        contract=CostSharing(env.w3, address, env.pipeline(DEPLOYER)),
        pools={"uint256": [0, 1, 2, 100], "uint16": [1, 2], "uint16[]": [[10_000]],
               "(string,address,address[],uint16[],uint16,uint8,uint32,uint32,uint32)": [
                   Terms("Mine", "0x" + "00" * 20, (me, env.address(1)), (5000, 5000), 5000, 2, 3_600, 86_400,
                         86_400).to_abi()],
               "(address,uint256,bytes)[]": [[(env.address(2), 2**40, b"\x01" * 65)], [(me, 2**40, b"\x01" * 65)]],
               "bytes[]": [[CostSharing.encode_approve_expense(2)],
                           [CostSharing.encode_claim(1, 0, 100, env.address(0))]]},
        snapshot=snapshot,
    )


# ------------------------------------------------------------------------- JointVentureEscrow


def _consortium_of_two(env: EmbeddedEnv) -> str:
    return Gov.deploy(env, [1, 2], ["A", "B"], 2).address


def _escrow(env: EmbeddedEnv) -> Deployed:
    from coopetition.bindings.joint_venture_escrow import JointVentureEscrow, RoundTerms
    from coopetition.escrow import EscrowService

    address = env.deploy("JointVentureEscrow", [_consortium_of_two(env)], by=DEPLOYER)
    member = EscrowService.at(env.w3, address, env.pipeline(1))
    venture = member.create_venture(
        "JV", partners=[(env.address(1), 100), (env.address(2), 100)], milestones=[50],
        beneficiary=env.address(3), deadline="1d", quorum=2,
    )
    member.deposit(venture.id, 100)  # the escrow holds a partner's money the deployer could go after
    view = JointVentureEscrow(env.w3, address)
    me = env.address(DEPLOYER)
    terms = ("Deployer JV", "0x" + "00" * 20, me, [me], [1], [1], env.now() + 86_400, env.now() + 2 * 86_400, 1, 1)
    # a sealed round (issue 17) the deployer could try to commit into, settle or take bonds from
    now = env.now()
    round_terms = RoundTerms("JV round", "0x" + "00" * 20, 100, 10, env.address(3), (env.address(1), env.address(2)),
                             (50,), now + 3600, now + 7200, now + 86_400, now + 2 * 86_400, 2)
    JointVentureEscrow(env.w3, address, env.pipeline(1)).open_round(round_terms)
    JointVentureEscrow(env.w3, address, env.pipeline(1)).commit_pledge(1, b"\x22" * 32, value=10)
    deployer_round = ("Deployer round", "0x" + "00" * 20, 1, 0, me, [me, env.address(1)], [1], now + 3600,
                      now + 7200, now + 86_400, now + 2 * 86_400, 1)

    def snapshot() -> Any:
        return (view.venture_count(), EscrowService.at(env.w3, address).venture(venture.id), env.balance(address),
                view.round_count(), view.round(1), view.round_partner(1, env.address(1)))

    return Deployed(
        contract=JointVentureEscrow(env.w3, address, env.pipeline(DEPLOYER)),
        pools={"uint256": [venture.id], "(string,address,address,address[],uint256[],uint256[],uint64,uint64,uint32,uint32)": [terms],
               "(string,address,uint256,uint256,address,address[],uint256[],uint64,uint64,uint64,uint64,uint32)": [deployer_round]},
        snapshot=snapshot,
    )


# ----------------------------------------------------------------------------------- Titles


def _titles(env: EmbeddedEnv, *, exchange: bool) -> Deployed:
    from coopetition.bindings.title_exchange import TitleExchange
    from coopetition.bindings.title_registry import TitleRegistry
    from coopetition.titles import TitlesService

    consortium = _consortium_of_two(env)
    registry = env.deploy("TitleRegistry", [consortium], by=DEPLOYER)
    calls = [TitleRegistry.encode_create_class_and_issue("Shares", b"\x11" * 32, 1000, [env.address(1)], [100]),
             TitleRegistry.encode_issue(1, env.address(1), 100)]
    Gov(env, consortium).govern(TitleRegistry.encode_multicall(calls), target=registry, description="shares")
    member = TitlesService.at(env.w3, registry, env.pipeline(1))
    member.offer(1, 10, member.price("1 ether"))  # titles escrowed by the exchange
    view = TitlesService.at(env.w3, registry)
    exchange_address = view.exchange.address

    def snapshot() -> Any:
        holders = [env.address(i) for i in range(3)] + [exchange_address]
        return (view.classes(), [view.balance(h, 1) for h in holders], view.offers(), env.balance(exchange_address))

    contract: BoundContract = (
        TitleExchange(env.w3, exchange_address, env.pipeline(DEPLOYER)) if exchange
        else TitleRegistry(env.w3, registry, env.pipeline(DEPLOYER))
    )
    offer_terms = (1, 1, 0, "0x" + "00" * 20, 0, 1, "0x" + "00" * 20, env.now() + 86_400, False)
    from coopetition._domain.titles_caps import sign_cap_consent
    from coopetition._domain.titles_orders import sign_order

    signed = sign_order(env.accounts[1], chain_id=env.w3.eth.chain_id, exchange=exchange_address, title_id=1,
                        amount=5, price=1, asset=None, taker=None, expiry=env.now() + 86_400, nonce=0,
                        partial_fills=True)  # a member's real order: the deployer (no member) cannot take it
    consent = sign_cap_consent(env.accounts[1], chain_id=env.w3.eth.chain_id, registry=registry, class_id=1,
                               max_supply=0, cap_nonce=0, deadline=env.now() + 86_400)
    return Deployed(
        contract=contract,
        pools={"uint256": [1, 10], "address": [exchange_address, env.address(1)], "uint256[]": [[1]],
               "bytes[]": [calls], "(uint256,uint256,uint8,address,uint256,uint256,address,uint64,bool)": [offer_terms],
               "(address,uint256,uint256,address,uint256,address,uint64,uint256,bool)": [signed.order().to_abi()],
               "bytes": [signed.signature_bytes], "(address,bytes)[]": [[(consent.holder, consent.signature)]]},
        snapshot=snapshot,
    )


CASES: list[PowerlessCase] = [
    PowerlessCase("CostSharing", _cost_sharing),
    PowerlessCase("Consortium", lambda env: _consortium(env, deployer_is_member=False)),
    PowerlessCase(
        "Consortium (deployer is a founding member)",
        lambda env: _consortium(env, deployer_is_member=True),
        allowed=frozenset({"propose", "approve", "revoke", "cancel", "object"}),
        after=_deployer_member_gains_nothing,
        must_succeed=frozenset({"propose"}),
    ),
    PowerlessCase("JointVentureEscrow", _escrow),
    # setApprovalForAll only concerns the caller's own titles (the deployer holds none and, not
    # being a member, can receive none): it changes nothing the snapshot covers.
    # consentToMaxSupply records the deployer's own consent, which weighs what it holds: nothing.
    PowerlessCase("TitleRegistry", lambda env: _titles(env, exchange=False),
                  allowed=frozenset({"setApprovalForAll", "consentToMaxSupply"})),
    # cancelOrder / cancelOrdersBelow only void the caller's own (here: non-existent) signed orders.
    PowerlessCase("TitleExchange", lambda env: _titles(env, exchange=True),
                  allowed=frozenset({"cancelOrder", "cancelOrdersBelow"})),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_deployer_alone_cannot_change_anything_after_deployment(case: PowerlessCase) -> None:
    env = EmbeddedEnv.start()
    deployed = case.deploy(env)
    before = deployed.snapshot()
    pipeline = env.pipeline(DEPLOYER)
    tried = 0
    succeeded: set[str] = set()
    for entry in state_changing(deployed.contract.abi):
        name = str(entry["name"])
        signature = function_signature(entry)
        for args in argument_sets(env, entry, deployed.pools):
            call = deployed.contract._pending(signature, args)
            tried += 1
            try:
                pipeline.send(call)
            except ContractRevertError:
                continue
            assert name in case.allowed, f"the deployer alone called {signature} with {args} successfully"
            succeeded.add(name)
    assert tried >= len(state_changing(deployed.contract.abi))
    assert case.must_succeed <= succeeded, f"never succeeded: {case.must_succeed - succeeded}"
    assert deployed.snapshot() == before
    if case.after is not None:
        case.after(env, deployed)
