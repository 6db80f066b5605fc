"""coopetition._domain.members and .service: label <-> address look-ups over the consortium, and the
base every service shares (the sender, ``with_sender``, the chain-clock deadline)."""

from __future__ import annotations

import pytest
from _embedded import EmbeddedEnv

from coopetition._domain.members import Member, Members
from coopetition.bindings.consortium import Consortium
from coopetition.consortium import ConsortiumService, constructor_args
from coopetition.costs import CostSharingService
from coopetition.exceptions import InputError

ACME, GLOBEX, OUTSIDER = 1, 2, 5


@pytest.fixture(scope="module")
def env() -> EmbeddedEnv:
    return EmbeddedEnv.start()


@pytest.fixture(scope="module")
def consortium(env: EmbeddedEnv) -> str:
    return env.deploy("Consortium", constructor_args({"Acme": env.address(ACME), "Globex": env.address(GLOBEX)}, 2))


def test_members_resolve_labels_and_addresses(env: EmbeddedEnv, consortium: str) -> None:
    members = Members.at(env.w3, consortium)
    assert members.all() == (Member(env.address(ACME), "Acme"), Member(env.address(GLOBEX), "Globex"))
    assert members.labels() == {env.address(ACME): "Acme", env.address(GLOBEX): "Globex"}
    assert members.address_of("Globex") == env.address(GLOBEX)
    assert members.address_of(env.address(OUTSIDER).lower(), "payee") == env.address(OUTSIDER)  # any account
    assert members.member(env.address(ACME).lower()) == Member(env.address(ACME), "Acme")
    assert members.is_member(env.address(ACME)) and not members.is_member(env.address(OUTSIDER))
    with pytest.raises(InputError, match=r"no member is labelled 'Nobody' \(members: Acme, Globex\)"):
        members.address_of("Nobody")
    with pytest.raises(InputError, match="is not a member of the consortium"):
        members.member(env.address(OUTSIDER))
    with pytest.raises(InputError, match="payee '0x12' is not an address"):
        members.address_of("0x12", "payee")  # 0x... is read as an address, never as a label


def test_the_sender_accessor_and_with_sender(env: EmbeddedEnv, consortium: str) -> None:
    reader = ConsortiumService.at(env.w3, consortium)
    assert repr(reader) == f"ConsortiumService({consortium})" and reader.w3 is env.w3
    with pytest.raises(InputError, match="needs an account to send from: pass --account, or connect with account="):
        _ = reader.sender_address
    acme = reader.with_sender(env.pipeline(ACME))
    assert isinstance(acme, ConsortiumService) and acme.sender_address == env.address(ACME)
    assert acme.contract.sender is env.pipeline(ACME) and reader.contract.sender is None
    assert acme._membership is reader._membership  # read-only views are shared, not re-read


def test_with_sender_rebinds_every_binding_and_keeps_the_asset_cache(env: EmbeddedEnv, consortium: str) -> None:
    costs = CostSharingService.at(env.w3, env.deploy("CostSharing", [consortium]))
    assert costs.asset_info("ETH").symbol == "ETH"
    globex = costs.with_sender(env.pipeline(GLOBEX))
    assert globex.sender_address == env.address(GLOBEX) and globex._assets is costs._assets
    assert globex.address == costs.address and type(globex.contract) is type(costs.contract)


def test_deadlines_are_measured_on_the_chain_clock(env: EmbeddedEnv, consortium: str) -> None:
    service = ConsortiumService(Consortium(env.w3, consortium))
    env.time_travel(10 * 86400)  # the chain runs ahead of the local clock
    assert service.expiry_timestamp("1h") == env.now() + 3600
    with pytest.raises(InputError, match="too far in the future"):
        service.expiry_timestamp(2**64)
