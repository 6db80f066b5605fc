"""The runtime under every generated binding (coopetition._abi, coopetition._runtime), unit and end to end.

End-to-end tests deploy the committed fixture (tests/fixtures/bindings/Fixture.json, compiled from
Fixture.sol) on the in-process eth-tester chain with plain web3, bind it with the generated module,
and drive it as a back-office script would.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from eth_abi.abi import encode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from coopetition._abi import (
    decode_log,
    decode_logs,
    decode_revert,
    register_errors,
    registered_errors,
    revert_data,
    selector,
)
from coopetition._bindgen import generate_binding
from coopetition._runtime import BoundContract
from coopetition._seam import PendingCall, TxResult
from coopetition.exceptions import (
    AccountError,
    ChainError,
    ContractCustomError,
    ContractRevertError,
    InputError,
    PanicError,
    RevertReasonError,
    UnknownRevertError,
)

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "bindings"
ARTIFACT = FIXTURES / "Fixture.json"

ERROR_ABI: list[dict[str, Any]] = [
    {
        "type": "error",
        "name": "VaultShort",
        "inputs": [
            {"name": "who", "type": "address", "internalType": "address"},
            {"name": "needed", "type": "uint256", "internalType": "uint256"},
        ],
    }
]
SHORT_SIG = "VaultShort(address,uint256)"
ALICE = "0x" + "ab" * 20


def import_generated(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------------------------- decode_revert


def test_decode_revert_empty_data_says_no_reason() -> None:
    err = decode_revert(b"", contract="Vault")
    assert type(err) is ContractRevertError
    assert str(err) == "Vault reverted without a reason"


def test_decode_revert_error_string_gives_reason() -> None:
    data = bytes.fromhex("08c379a0") + encode(["string"], ["not enough"])
    err = decode_revert(data, contract="Vault")
    assert isinstance(err, RevertReasonError)
    assert err.reason == "not enough"
    assert err.data == data


def test_decode_revert_panic_explains_code() -> None:
    err = decode_revert(bytes.fromhex("4e487b71") + encode(["uint256"], [0x32]))
    assert isinstance(err, PanicError)
    assert err.code == 0x32
    assert "out of bounds" in str(err)


def test_decode_revert_unknown_selector_names_it() -> None:
    err = decode_revert(bytes.fromhex("deadbeef") + b"\x00" * 32, contract="Vault")
    assert isinstance(err, UnknownRevertError)
    assert "0xdeadbeef" in str(err)
    assert "\n" not in str(err)


def test_decode_revert_accepts_hex_strings() -> None:
    hexed = "0x08c379a0" + encode(["string"], ["hi"]).hex()
    err = decode_revert(hexed)
    assert isinstance(err, RevertReasonError) and err.reason == "hi"


def test_decode_revert_decodes_custom_error_from_abi() -> None:
    data = selector(SHORT_SIG) + encode(["address", "uint256"], [ALICE, 7])
    err = decode_revert(data, contract="Vault", abi=ERROR_ABI)
    assert isinstance(err, ContractCustomError)
    assert type(err).__name__ == "VaultShort"
    who = to_checksum_address(ALICE)
    assert err.args_values == (who, 7)
    assert err.who == who
    assert err.needed == 7
    assert str(err) == f"Vault: VaultShort(who={who}, needed=7)"
    # the same error decoded twice is the same class, so it can be caught by type
    again = decode_revert(data, contract="Vault", abi=ERROR_ABI)
    assert type(again) is type(err)


def test_decode_revert_prefers_class_registered_for_the_contract() -> None:
    def make(contract: str) -> type[ContractCustomError]:
        return type(
            f"Short{contract}", (ContractCustomError,),
            {"error_name": "VaultShort", "signature": SHORT_SIG, "selector": selector(SHORT_SIG),
             "arg_names": ("who", "needed")},
        )

    for_a, for_b = make("A"), make("B")
    register_errors("RuntimeTestA", [for_a])
    register_errors("RuntimeTestB", [for_b])
    data = selector(SHORT_SIG) + encode(["address", "uint256"], [ALICE, 1])
    assert type(decode_revert(data, contract="RuntimeTestA")) is for_a
    assert type(decode_revert(data, contract="RuntimeTestB")) is for_b
    # another contract reverting with the same error still gets a registered class, not raw hex
    assert type(decode_revert(data, contract="Elsewhere", abi=ERROR_ABI)) in (for_a, for_b)


def test_register_errors_replaces_a_reimported_class() -> None:
    sig = "ReimportedError(uint256)"
    attrs = {"error_name": "ReimportedError", "signature": sig, "selector": selector(sig),
             "arg_names": ("n",)}
    first = type("ReimportedError", (ContractCustomError,), dict(attrs))
    second = type("ReimportedError", (ContractCustomError,), dict(attrs))
    register_errors("Reimport", [first])
    register_errors("Reimport", [second])
    assert [cls for _, cls in registered_errors(selector(sig))] == [second]


def test_decode_revert_with_undecodable_args_is_unknown() -> None:
    data = selector(SHORT_SIG) + b"\x01"  # too short for (address,uint256)
    err = decode_revert(data, contract="Vault", abi=ERROR_ABI)
    assert isinstance(err, UnknownRevertError)
    assert selector(SHORT_SIG).hex() in str(err)


# ------------------------------------------------------------------------------------ revert_data


class FakeWeb3Error(Exception):
    def __init__(self, message: str, data: Any) -> None:
        super().__init__(message, data)
        self.data = data


def test_revert_data_reads_web3_hex_and_nested_dicts() -> None:
    assert revert_data(FakeWeb3Error("execution reverted", "0xdeadbeef")) == bytes.fromhex("deadbeef")
    nested = FakeWeb3Error("execution reverted", {"message": "x", "data": "0x01"})
    assert revert_data(nested) == b"\x01"


def test_revert_data_reads_eth_tester_messages() -> None:
    class TransactionFailed(Exception):
        pass

    raw = bytes.fromhex("c463f025") + encode(["uint256", "uint256"], [2000, 1000])
    assert revert_data(TransactionFailed(f"execution reverted: {raw!r}")) == raw
    assert revert_data(TransactionFailed("execution reverted: b''")) == b""
    reason = revert_data(TransactionFailed("execution reverted: unlucky"))
    assert reason is not None
    err = decode_revert(reason)
    assert isinstance(err, RevertReasonError) and err.reason == "unlucky"


def test_revert_data_is_none_for_other_errors() -> None:
    assert revert_data(ConnectionError("connection refused")) is None


# ------------------------------------------------------------------------------------------ logs


EVENT = {
    "type": "event", "name": "Paid", "anonymous": False,
    "inputs": [
        {"name": "to", "type": "address", "indexed": True},
        {"name": "amount", "type": "uint256", "indexed": False},
    ],
}


def _log(topic0: bytes, to: str, amount: int, address: str = ALICE) -> dict[str, Any]:
    return {
        "address": address,
        "topics": [topic0, b"\x00" * 12 + bytes.fromhex(to[2:])],
        "data": encode(["uint256"], [amount]),
        "logIndex": 3, "blockNumber": 9, "transactionHash": b"\x11" * 32,
    }


def test_decode_log_decodes_indexed_and_plain_arguments() -> None:
    topic0 = keccak(text="Paid(address,uint256)")
    event = decode_log(EVENT, _log(topic0, "0x" + "cd" * 20, 5))
    assert event is not None
    assert event.name == "Paid"
    assert event.args == {"to": to_checksum_address("0x" + "cd" * 20), "amount": 5}
    assert (event.log_index, event.block_number) == (3, 9)
    assert event.transaction_hash == "0x" + "11" * 32


def test_decode_logs_skips_logs_of_other_events_and_addresses() -> None:
    topic0 = keccak(text="Paid(address,uint256)")
    logs = [
        _log(keccak(text="Other(address,uint256)"), ALICE, 1),
        _log(topic0, ALICE, 2),
        _log(topic0, ALICE, 3, address="0x" + "ef" * 20),
    ]
    assert [e.args["amount"] for e in decode_logs([EVENT], logs)] == [2, 3]
    assert [e.args["amount"] for e in decode_logs([EVENT], logs, address=ALICE)] == [2]


# ---------------------------------------------------------------------------- end to end (chain)


class ChainSender:
    """A minimal Sender for tests: simulate, decode a revert, else send and wait."""

    def __init__(self, w3: Any, address: str) -> None:
        self.w3 = w3
        self.address = address
        self.sent: list[PendingCall] = []

    def send(self, call: PendingCall) -> TxResult:
        self.sent.append(call)
        tx = {"from": self.address, "to": call.address, "data": "0x" + call.data.hex(), "value": call.value}
        try:
            self.w3.eth.call(tx)
        except Exception as exc:
            data = revert_data(exc)
            if data is None:
                raise
            raise decode_revert(data, contract=call.contract, abi=call.abi) from None
        tx_hash = self.w3.eth.send_transaction(tx)
        receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash)
        return TxResult(
            transaction_hash="0x" + bytes(tx_hash).hex(),
            block_number=int(receipt["blockNumber"]),
            gas_used=int(receipt["gasUsed"]),
            effective_gas_price=int(receipt.get("effectiveGasPrice") or 0),
            status=int(receipt["status"]),
            sender=self.address,
            to=call.address,
            contract_address=None,
            events=decode_logs(call.abi, receipt["logs"]),
        )


@pytest.fixture(scope="module")
def fx(tmp_path_factory: pytest.TempPathFactory) -> ModuleType:
    """The generated binding of the fixture contract, imported."""
    path = tmp_path_factory.mktemp("bindings") / "fixture_e2e.py"
    path.write_text(generate_binding(ARTIFACT))
    return import_generated(path, "fixture_e2e")


@pytest.fixture(scope="module")
def chain(fx: ModuleType) -> Iterator[tuple[Any, str]]:
    from web3 import EthereumTesterProvider, Web3

    w3 = Web3(EthereumTesterProvider())
    artifact = json.loads(ARTIFACT.read_text())
    init = artifact["bytecode"] + fx.Fixture.encode_deploy_args(7).hex()
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_transaction({"from": w3.eth.accounts[0], "data": init})
    )
    yield w3, str(receipt["contractAddress"])


@pytest.fixture
def fixture(fx: ModuleType, chain: tuple[Any, str]) -> Any:
    w3, address = chain
    register_errors("Fixture", fx.ERRORS)  # other tests may have imported another Fixture binding
    return fx.Fixture(w3, address, ChainSender(w3, w3.eth.accounts[0]))


def _shape(fx: ModuleType, owner: str, label: str = "tri") -> Any:
    return fx.Shape(
        label=label,
        origin=fx.Point(1, 2),
        vertices=(fx.Point(0, 0), fx.Point(5, -3), fx.Point(-2, 4)),
        status=fx.Status.ACTIVE,
        owner=owner,
        tag=b"\x07" * 32,
    )


def test_views_return_typed_values(fixture: Any, fx: ModuleType, chain: tuple[Any, str]) -> None:
    w3, _ = chain
    assert fixture.counter() == 7
    assert fixture.max() == 1000
    assert fixture.owner() == w3.eth.accounts[0]
    stats = fixture.stats()
    assert isinstance(stats, fx.StatsResult)
    assert (stats.out0, stats.out1) == (7, w3.eth.accounts[0])
    assert fixture.corners() == ((-1, -2), (3, 4))
    echo = fixture.echo(b"\x00\x01", "text", b"\xde\xad\xbe\xef")
    assert echo == fx.EchoResult(out0=b"\x00\x01", out1="text", out2=b"\xde\xad\xbe\xef")


def test_state_change_through_sender_returns_typed_structs_and_events(
    fixture: Any, fx: ModuleType, chain: tuple[Any, str]
) -> None:
    w3, address = chain
    me = w3.eth.accounts[0]
    result = fixture.add_shape(_shape(fx, me))
    assert isinstance(result, TxResult) and result.status == 1
    (added,) = fx.ShapeAddedEvent.from_result(result)
    shape_id = added.id
    assert added.owner == me and added.label == "tri" and added.status is fx.Status.PENDING
    assert added.address == address and added.transaction_hash == result.transaction_hash

    stored = fixture.get_shape(shape_id)
    assert isinstance(stored, fx.Shape)
    assert stored.vertices == (fx.Point(0, 0), fx.Point(5, -3), fx.Point(-2, 4))
    assert stored.status is fx.Status.PENDING  # the contract ignores the given status
    assert stored.owner == me and stored.tag == b"\x07" * 32
    box = fixture.bounds(shape_id)
    assert box == fx.BoundsResult(min=fx.Point(-2, -3), max=fx.Point(5, 4), count=3)
    assert fixture.status_of(shape_id) is fx.Status.PENDING
    assert fixture.find_uint256(shape_id) == "tri"
    assert shape_id in fixture.find_string_uint256("tri", 10)
    assert fixture.labels([shape_id, 999]) == ("tri", "")

    fixture.set_status(shape_id, fx.Status.CLOSED)
    assert fixture.status_of(shape_id) is fx.Status.CLOSED
    changes = fixture.events.status_changed(id_=shape_id)
    assert [(c.from_, c.to) for c in changes] == [(fx.Status.PENDING, fx.Status.CLOSED)]


def test_event_queries_filter_on_indexed_arguments(
    fixture: Any, fx: ModuleType, chain: tuple[Any, str]
) -> None:
    w3, _ = chain
    alice, bob = w3.eth.accounts[1], w3.eth.accounts[2]
    start = w3.eth.block_number + 1
    fixture.deposit_address(alice, value=5)
    fixture.deposit_address(bob, value=6)
    fixture.deposit_noargs(value=7)
    assert fixture.deposits(alice) == 5
    everything = fixture.events.deposited(from_block=start)
    assert [e.value for e in everything] == [5, 6, 7]
    assert all(isinstance(e, fx.DepositedEvent) for e in everything)
    only_bob = fixture.events.deposited(from_block=start, beneficiary=bob)
    assert [(e.beneficiary, e.value) for e in only_bob] == [(bob, 6)]
    assert fixture.events.deposited(from_block=start, from_=alice) == []

    fixture.tag("hello", b"\x02", [1, 2])
    (tagged,) = fixture.events.tagged(from_block=start, tag="hello")
    assert tagged.tag == keccak(text="hello")  # indexed strings arrive hashed
    assert tagged.data == b"\x02" and tagged.ids == (1, 2)
    assert fixture.events.tagged(from_block=start, tag="other") == []


def test_custom_error_on_a_read_is_typed_with_its_arguments(fixture: Any, fx: ModuleType) -> None:
    with pytest.raises(fx.FixtureTooLarge) as caught:
        fixture.check_value(2000)
    assert (caught.value.value, caught.value.max) == (2000, 1000)
    assert str(caught.value) == "Fixture: FixtureTooLarge(value=2000, max=1000)"
    with pytest.raises(fx.FixtureEmpty):
        fixture.fail_empty()


def test_read_depending_on_caller_uses_the_senders_address(
    fixture: Any, fx: ModuleType, chain: tuple[Any, str]
) -> None:
    w3, _ = chain
    assert fixture.require_owner() is True
    stranger = fixture.with_sender(ChainSender(w3, w3.eth.accounts[3]))
    with pytest.raises(fx.FixtureNotOwner) as caught:
        stranger.require_owner()
    assert caught.value.caller == w3.eth.accounts[3]
    assert caught.value.owner == w3.eth.accounts[0]


def test_error_string_and_panic_on_reads(fixture: Any) -> None:
    with pytest.raises(RevertReasonError) as reason:
        fixture.check_value(13)
    assert reason.value.reason == "unlucky number"
    with pytest.raises(PanicError) as panic:
        fixture.divide(1, 0)
    assert panic.value.code == 0x12
    with pytest.raises(ContractRevertError) as bare:
        fixture.fail_bare()
    assert type(bare.value) is ContractRevertError
    assert str(bare.value) == "Fixture reverted without a reason"


def test_custom_errors_through_the_sender_are_typed(
    fixture: Any, fx: ModuleType, chain: tuple[Any, str]
) -> None:
    w3, _ = chain
    me = w3.eth.accounts[0]
    shape_id = fx.ShapeAddedEvent.from_result(fixture.add_shape(_shape(fx, me)))[0].id
    with pytest.raises(fx.FixtureBadStatus) as bad_status:
        fixture.set_status(shape_id, fx.Status.PENDING)
    assert bad_status.value.id == shape_id and bad_status.value.status is fx.Status.PENDING

    stranger = fixture.with_sender(ChainSender(w3, w3.eth.accounts[4]))
    with pytest.raises(fx.FixtureNotOwner) as not_owner:
        stranger.set_status(shape_id, fx.Status.ACTIVE)
    assert not_owner.value.caller == w3.eth.accounts[4]

    with pytest.raises(fx.FixtureBadPoint) as bad_point:
        fixture.move(shape_id, fx.Point(-1, 0))
    assert bad_point.value.at == fx.Point(-1, 0) and bad_point.value.why == "negative"

    with pytest.raises(fx.FixtureTooLarge) as too_large:
        fixture.transfer(me, me, 5000, 1)
    assert too_large.value.value == 5000

    with pytest.raises(fx.FixtureEmpty):
        fixture.add_shape(_shape(fx, me, label=""))


def test_write_without_sender_fails_with_one_line(fx: ModuleType, chain: tuple[Any, str]) -> None:
    w3, address = chain
    readonly = fx.Fixture(w3, address)
    assert readonly.counter() == 7  # reads need no sender
    with pytest.raises(AccountError) as caught:
        readonly.set_status(1, fx.Status.ACTIVE)
    assert "connect with an account" in str(caught.value) and "\n" not in str(caught.value)


def test_write_builds_the_pending_call_the_seam_expects(
    fixture: Any, fx: ModuleType, chain: tuple[Any, str]
) -> None:
    w3, address = chain
    sender = ChainSender(w3, w3.eth.accounts[0])
    fixture.with_sender(sender).deposit_noargs(value=3)
    (call,) = sender.sent
    assert call.contract == "Fixture" and call.address == address
    assert call.function == "deposit()" and call.value == 3
    assert call.data == keccak(text="deposit()")[:4] == fx.Fixture.encode_deposit_noargs()
    assert any(e.get("name") == "Deposited" for e in call.abi)


def test_encode_helpers_give_calldata_without_a_chain(fx: ModuleType) -> None:
    data = fx.Fixture.encode_set_status(3, fx.Status.CLOSED)
    assert data == keccak(text="setStatus(uint256,uint8)")[:4] + encode(["uint256", "uint8"], [3, 2])
    moved = fx.Fixture.encode_move(1, fx.Point(4, -5))
    assert moved[4:] == encode(["uint256", "(int64,int64)"], [1, (4, -5)])


def test_bad_arguments_fail_before_anything_is_sent(fixture: Any, fx: ModuleType) -> None:
    sender = fixture.sender
    before = len(sender.sent)
    with pytest.raises(InputError) as caught:
        fixture.deposit_address("0x1234", value=1)
    assert "deposit" in str(caught.value) and "\n" not in str(caught.value)
    with pytest.raises(InputError):
        fixture.set_status(-1, fx.Status.ACTIVE)
    assert len(sender.sent) == before  # nothing reached the sender


def test_binding_a_malformed_address_fails(fx: ModuleType, chain: tuple[Any, str]) -> None:
    w3, _ = chain
    with pytest.raises(InputError, match="not an address"):
        fx.Fixture(w3, "0xnothex")


def test_reading_where_no_contract_is_deployed_says_so(fx: ModuleType, chain: tuple[Any, str]) -> None:
    w3, _ = chain
    nowhere = fx.Fixture(w3, "0x" + "12" * 20)
    with pytest.raises(ChainError, match="is a Fixture deployed at that address"):
        nowhere.counter()


def test_receipt_events_decoded_by_web3_are_typed_too(fixture: Any, fx: ModuleType) -> None:
    """The pipeline may decode logs with web3 (checksummed addresses, struct tuples): same types."""
    result = fixture.move(1, fx.Point(3, 4))
    raw = result.events_named("Moved")[0]
    as_web3 = type(raw)(
        name=raw.name, address=raw.address, args={"id": raw.args["id"], "to": {"x": 3, "y": 4}},
        log_index=raw.log_index, block_number=raw.block_number, transaction_hash=raw.transaction_hash,
    )
    assert fx.MovedEvent.from_decoded(as_web3).to == fx.Point(3, 4)


def test_bound_contract_base_is_what_generated_classes_extend(fx: ModuleType) -> None:
    assert issubclass(fx.Fixture, BoundContract)
    assert fx.Fixture.contract_name == "Fixture"
    assert isinstance(fx.Fixture.abi, tuple) and all(isinstance(e, Mapping) for e in fx.Fixture.abi)


def test_reading_from_a_dead_node_is_one_line(fx: ModuleType) -> None:
    import socket

    from web3 import Web3

    from coopetition.exceptions import NodeUnreachableError

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    w3 = Web3(Web3.HTTPProvider(f"http://127.0.0.1:{port}", request_kwargs={"timeout": 2}))
    with pytest.raises(NodeUnreachableError) as caught:
        fx.Fixture(w3, "0x" + "12" * 20).counter()
    assert f"127.0.0.1:{port}" in str(caught.value) and "\n" not in str(caught.value)


@pytest.mark.anvil
def test_reverts_on_reads_are_typed_on_a_json_rpc_node(fx: ModuleType, anvil: Any) -> None:
    """Same decoding through a real node (anvil), where web3 raises ContractLogicError with hex data."""
    from web3 import Web3

    w3 = Web3(Web3.HTTPProvider(anvil.url))
    artifact = json.loads(ARTIFACT.read_text())
    init = artifact["bytecode"] + fx.Fixture.encode_deploy_args(7).hex()
    receipt = w3.eth.wait_for_transaction_receipt(
        w3.eth.send_transaction({"from": w3.eth.accounts[0], "data": init})
    )
    register_errors("Fixture", fx.ERRORS)
    contract = fx.Fixture(w3, receipt["contractAddress"])
    assert contract.counter() == 7
    with pytest.raises(fx.FixtureTooLarge) as too_large:
        contract.check_value(2000)
    assert too_large.value.max == 1000
    with pytest.raises(RevertReasonError, match="unlucky number"):
        contract.check_value(13)
    with pytest.raises(PanicError):
        contract.divide(1, 0)
    with pytest.raises(fx.FixtureEmpty):
        contract.fail_empty()
