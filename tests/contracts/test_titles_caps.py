"""The cap rule of title classes (TitleRegistry.maxSupply / setMaxSupply) on a real EVM, through the
generated bindings: issuing beyond the cap is refused; lowering is free down to the supply; raising
or removing the cap needs the consortium's quorum AND consents (EIP-712 or on chain) of holders of
more than half of the issued titles, each consent usable once, before its deadline."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest
from _titles_env import (
    ACME,
    BOND,
    BOND_CAP,
    GLOBEX,
    HOUR,
    INITECH,
    OUTSIDER,
    SHARES,
    TitlesWorld,
    restore,
    snapshot,
)

from coopetition._domain.titles_caps import CapConsent, sign_cap_consent
from coopetition.bindings.title_registry import (
    MaxSupplyChangedEvent,
    TitleRegistry,
    TitleRegistryConsentExpired,
    TitleRegistryConsentsNotSorted,
    TitleRegistryInsufficientConsent,
    TitleRegistryInvalidConsent,
    TitleRegistryMaxSupplyBelowIssued,
    TitleRegistryMaxSupplyExceeded,
    TitleRegistryMaxSupplyUnchanged,
    TitleRegistryUnknownClass,
)


@pytest.fixture(scope="module")
def base() -> TitlesWorld:
    return TitlesWorld.start()


@pytest.fixture
def world(base: TitlesWorld) -> Iterator[TitlesWorld]:
    snap = snapshot(base)
    yield base
    restore(base, snap)


def _consent(world: TitlesWorld, who: int, new_cap: int, *, class_id: int = BOND, deadline: int | None = None,
             nonce: int | None = None, registry: str | None = None, chain_id: int | None = None) -> CapConsent:
    reg = world.registry()
    return sign_cap_consent(
        world.env.accounts[who], chain_id=chain_id or world.env.w3.eth.chain_id,
        registry=registry or world.registry_address, class_id=class_id, max_supply=new_cap,
        cap_nonce=reg.title_class(class_id).cap_nonce if nonce is None else nonce,
        deadline=deadline if deadline is not None else world.env.now() + HOUR,
    )


def _set_cap(world: TitlesWorld, new_cap: int, consents: Sequence[CapConsent] = (), *, class_id: int = BOND,
             deadline: int | None = None) -> object:
    when = deadline if deadline is not None else (consents[0].deadline if consents else world.env.now() + HOUR)
    ordered = sorted(consents, key=lambda c: int(c.holder, 16))
    return world.govern(TitleRegistry.encode_set_max_supply(class_id, new_cap, when,
                                                            [c.holder_consent() for c in ordered]))


def _changed(world: TitlesWorld, result: object) -> MaxSupplyChangedEvent:
    return world.registry().events.max_supply_changed(from_block=result.block_number)[-1]  # type: ignore[attr-defined]


def test_issuing_up_to_the_cap_works_and_beyond_it_is_refused(world: TitlesWorld) -> None:
    world.govern(TitleRegistry.encode_issue(BOND, world.addr(ACME), BOND_CAP - 600))
    assert world.registry().issued(BOND) == BOND_CAP
    with pytest.raises(TitleRegistryMaxSupplyExceeded) as err:
        world.govern(TitleRegistry.encode_issue(BOND, world.addr(ACME), 1))
    assert err.value.args_values == (BOND, BOND_CAP, 1, BOND_CAP)


def test_a_quorum_of_non_holders_cannot_dilute_a_capped_class(world: TitlesWorld) -> None:
    """Finding 2, as the attacker would do it: Acme and Initech (quorum 2) hold 300 of 600 bonds... Acme
    holds none; the quorum tries to issue 10x the supply to Acme, then to lift the cap without consent."""
    with pytest.raises(TitleRegistryMaxSupplyExceeded):
        world.govern(TitleRegistry.encode_issue(BOND, world.addr(ACME), 6000))
    with pytest.raises(TitleRegistryInsufficientConsent) as err:
        _set_cap(world, 0)
    assert err.value.args_values == (BOND, 0, 600)
    with pytest.raises(TitleRegistryInsufficientConsent):  # exactly half (Initech's 300 of 600) is not enough
        _set_cap(world, 7000, [_consent(world, INITECH, 7000)])
    assert world.registry().max_supply(BOND) == BOND_CAP and world.balance(GLOBEX, BOND) == 300


def test_lowering_the_cap_is_free_down_to_the_supply(world: TitlesWorld) -> None:
    result = _set_cap(world, 600)
    event = _changed(world, result)
    assert (event.class_id, event.old_max_supply, event.new_max_supply, event.consenting) == (BOND, BOND_CAP, 600, 0)
    with pytest.raises(TitleRegistryMaxSupplyBelowIssued) as err:
        _set_cap(world, 599)
    assert err.value.args_values == (BOND, 599, 600)
    with pytest.raises(TitleRegistryMaxSupplyUnchanged):
        _set_cap(world, 600)
    _set_cap(world, 2000, [_consent(world, INITECH, 2000)], class_id=SHARES)  # capping an uncapped class: free
    assert world.registry().max_supply(SHARES) == 2000


def test_raising_the_cap_with_signed_consents_of_a_majority_of_holders(world: TitlesWorld) -> None:
    world.registry(ACME).safe_transfer_from(world.addr(ACME), world.addr(INITECH), SHARES, 1, b"")  # noise
    world.registry(GLOBEX).safe_transfer_from(world.addr(GLOBEX), world.addr(INITECH), BOND, 1, b"")
    # Initech now holds 301 of 600: a strict majority on its own
    result = _set_cap(world, 5000, [_consent(world, INITECH, 5000)])
    event = _changed(world, result)
    assert (event.new_max_supply, event.consenting, event.issued) == (5000, 301, 600)
    world.govern(TitleRegistry.encode_issue(BOND, world.addr(ACME), 4400))
    assert world.registry().issued(BOND) == 5000


def test_two_holders_together_can_remove_the_cap(world: TitlesWorld) -> None:
    _set_cap(world, 0, [_consent(world, GLOBEX, 0), _consent(world, INITECH, 0)])
    assert world.registry().max_supply(BOND) == 0
    world.govern(TitleRegistry.encode_issue(BOND, world.addr(ACME), 10**6))


def test_an_on_chain_consent_counts_like_a_signature(world: TitlesWorld) -> None:
    deadline = world.env.now() + HOUR
    world.registry(GLOBEX).consent_to_max_supply(BOND, 3000, deadline)
    assert world.registry().has_consented(BOND, 3000, deadline, world.addr(GLOBEX))
    on_chain = CapConsent(BOND, 3000, 0, deadline, world.addr(GLOBEX))
    _set_cap(world, 3000, [on_chain, _consent(world, INITECH, 3000, deadline=deadline)])
    assert world.registry().max_supply(BOND) == 3000


def test_a_consent_serves_once_and_not_for_another_cap_class_or_registry(world: TitlesWorld) -> None:
    g, i = _consent(world, GLOBEX, 3000), _consent(world, INITECH, 3000)
    _set_cap(world, 3000, [g, i])
    _set_cap(world, 1000)  # lowered again (free): capNonce moved on twice
    with pytest.raises(TitleRegistryInvalidConsent):  # replay of the same consents
        _set_cap(world, 3000, [g, i])
    with pytest.raises(TitleRegistryInvalidConsent):  # consent to another cap
        _set_cap(world, 4000, [_consent(world, GLOBEX, 3000), _consent(world, INITECH, 4000)], deadline=g.deadline)
    other = world.env.deploy("TitleRegistry", [world.consortium_address])
    with pytest.raises(TitleRegistryInvalidConsent):  # signed for another registry
        _set_cap(world, 3000, [_consent(world, GLOBEX, 3000, registry=other), _consent(world, INITECH, 3000)])
    with pytest.raises(TitleRegistryInvalidConsent):  # signed for another chain
        _set_cap(world, 3000, [_consent(world, GLOBEX, 3000, chain_id=999), _consent(world, INITECH, 3000)])


def test_a_holder_cannot_count_twice_and_a_forger_counts_nothing(world: TitlesWorld) -> None:
    i = _consent(world, INITECH, 3000)
    with pytest.raises(TitleRegistryConsentsNotSorted):
        world.govern(TitleRegistry.encode_set_max_supply(BOND, 3000, i.deadline, [i.holder_consent()] * 2))
    forged = CapConsent(BOND, 3000, 0, i.deadline, world.addr(GLOBEX), i.signature)  # Initech's signature
    with pytest.raises(TitleRegistryInvalidConsent) as err:
        _set_cap(world, 3000, [forged, i])
    assert err.value.args_values[0] == world.addr(GLOBEX)
    no_record = CapConsent(BOND, 3000, 0, i.deadline, world.addr(GLOBEX))  # empty signature, nothing on chain
    with pytest.raises(TitleRegistryInvalidConsent):
        _set_cap(world, 3000, [no_record, i])


def test_a_non_holders_consent_weighs_nothing(world: TitlesWorld) -> None:
    with pytest.raises(TitleRegistryInsufficientConsent) as err:
        _set_cap(world, 3000, [_consent(world, ACME, 3000), _consent(world, INITECH, 3000)])
    assert err.value.args_values == (BOND, 300, 600)


def test_consents_past_their_deadline_are_void(world: TitlesWorld) -> None:
    late = world.env.now() - 1
    with pytest.raises(TitleRegistryConsentExpired):
        _set_cap(world, 3000, [_consent(world, GLOBEX, 3000, deadline=late), _consent(world, INITECH, 3000,
                                                                                       deadline=late)])
    with pytest.raises(TitleRegistryConsentExpired):
        world.registry(GLOBEX).consent_to_max_supply(BOND, 3000, late)


def test_raising_the_cap_of_a_class_with_nothing_issued_needs_no_consent(world: TitlesWorld) -> None:
    world.govern(TitleRegistry.encode_create_class_and_issue("Later", b"\x00" * 32, 10, [], []))
    _set_cap(world, 100, class_id=3)
    assert world.registry().max_supply(3) == 100


def test_cap_functions_refuse_an_unknown_class(world: TitlesWorld) -> None:
    with pytest.raises(TitleRegistryUnknownClass):
        _set_cap(world, 5, class_id=9)
    with pytest.raises(TitleRegistryUnknownClass):
        world.registry(OUTSIDER).consent_to_max_supply(9, 5, world.env.now() + HOUR)


def test_the_digest_the_library_signs_is_the_registrys(world: TitlesWorld) -> None:
    from eth_account.messages import _hash_eip191_message, encode_typed_data

    from coopetition._domain.titles_caps import cap_change_typed_data

    deadline = world.env.now() + HOUR
    data = cap_change_typed_data(world.env.w3.eth.chain_id, world.registry_address, BOND, 3000, 0, deadline)
    assert _hash_eip191_message(encode_typed_data(full_message=data)) == world.registry().cap_change_digest(
        BOND, 3000, deadline)
