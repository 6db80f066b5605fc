"""The runtime base of the generated bindings in :mod:`coopetition.bindings`.

Generated modules contain only typed glue: ABI, dataclasses, enums, exception classes and thin
methods. What touches web3 lives here, once; the ABI codec (signatures, selectors, the error
registry, revert and log decoding) is :mod:`coopetition._abi`.

* :class:`BoundContract` is the base of every generated contract class: reads via ``eth_call``
  (reverts raised as the typed error), writes as a :class:`~coopetition._seam.PendingCall` handed to
  the :class:`~coopetition._seam.Sender`, log queries.
* :class:`EventsBase` is the base of the generated ``<Contract>Events`` accessors, :func:`events_in`
  picks a contract's events out of a :class:`~coopetition._seam.TxResult`, :func:`field` reads one
  field of a decoded struct.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any, ClassVar, cast
from weakref import WeakKeyDictionary

from eth_abi.exceptions import DecodingError, EncodingError
from eth_utils.address import is_address
from eth_utils.crypto import keccak

from . import _codec
from ._abi import (
    canonical_type,
    checksum,
    decode_log,
    decode_revert,
    event_signature,
    event_topic,
    revert_data,
    selector,
    split_types,
)
from ._seam import DecodedEvent, PendingCall, Sender, TxResult
from .exceptions import (
    AccountError,
    ChainError,
    ContractRevertError,
    InputError,
    NodeUnreachableError,
)

if TYPE_CHECKING:
    from web3 import Web3
    from web3.types import BlockIdentifier

__all__ = ["BoundContract", "EventsBase", "ReadBatch", "events_in", "field", "known_block_times", "read_batch"]


class _Deferred(Exception):
    """A read asked for while a :class:`ReadBatch` records: fetched with the others, then re-run."""


class ReadBatch:
    """Binding reads served from batched ``eth_call`` results (Multicall3, one round trip).

    :meth:`prefetch` runs each thunk (one binding read each, e.g. ``partial(c.venture, 7)``) in
    recording mode to learn its calldata, fetches every read not yet known in one
    :func:`~coopetition._chain.multicall.batch_calls`, and keeps the answers; afterwards the same
    binding calls (at ``latest``) are answered from them, reverts included. Reads it does not know go
    to the node as usual."""

    def __init__(self, w3: Web3) -> None:
        self.w3 = w3
        self._results: dict[tuple[str, bytes], tuple[bool, bytes]] = {}
        self._recording: list[tuple[str, bytes]] | None = None
        self._encoded: dict[tuple[str, str, tuple[Any, ...]], bytes] = {}
        self._decoded: dict[tuple[str, bytes], tuple[Any, ...]] = {}

    def prefetch(self, thunks: Iterable[Callable[[], object]]) -> None:
        from ._chain.multicall import batch_calls

        wanted: list[tuple[str, bytes]] = []
        for thunk in thunks:
            self._recording = wanted
            try:
                thunk()
            except Exception:
                pass
            finally:
                self._recording = None
        fresh = list(dict.fromkeys(key for key in wanted if key not in self._results))
        for key, result in zip(fresh, batch_calls(self.w3, fresh), strict=True):
            self._results[key] = (result.success, result.data)

    def _answer(self, address: str, data: bytes) -> tuple[bool, bytes] | None:
        key = (address, data)
        known = self._results.get(key)
        if known is None and self._recording is not None:
            self._recording.append(key)
            raise _Deferred
        return known


_BATCH: ContextVar[ReadBatch | None] = ContextVar("coopetition_read_batch", default=None)

_BLOCK_TIMES: WeakKeyDictionary[Any, dict[int, int]] = WeakKeyDictionary()


def known_block_times(w3: Web3) -> dict[int, int]:
    """Block number -> timestamp of the blocks whose logs this connection read with a node that puts
    ``blockTimestamp`` in its logs (anvil, recent geth): histories need no block read for them."""
    return _BLOCK_TIMES.setdefault(w3, {})


@contextmanager
def read_batch(w3: Web3) -> Iterator[ReadBatch]:
    """The :class:`ReadBatch` binding reads on ``w3`` use inside the block (the enclosing one if any)."""
    current = _BATCH.get()
    if current is not None and current.w3 is w3:
        yield current
        return
    token = _BATCH.set(ReadBatch(w3))
    try:
        yield cast(ReadBatch, _BATCH.get())
    finally:
        _BATCH.reset(token)


def field(raw: Any, index: int, name: str) -> Any:
    """Field ``index``/``name`` of a decoded struct, whether eth-abi gave a tuple or web3 a mapping."""
    if type(raw) is tuple:
        return raw[index]
    if isinstance(raw, Mapping):
        return raw[name] if name in raw else list(raw.values())[index]
    return raw[index]


def _topic_for(typ: str, value: Any) -> str:
    if typ in ("string", "bytes"):
        raw = value.encode() if isinstance(value, str) else bytes(value)
        return "0x" + keccak(raw).hex()
    return "0x" + _codec.encode([typ], [value]).hex()


# --------------------------------------------------------------------------------- bound contract


class BoundContract:
    """Base of every generated contract class: a contract at an address, bound to a web3 and
    (optionally) a :class:`~coopetition._seam.Sender` for state-changing calls."""

    contract_name: ClassVar[str] = ""
    abi: ClassVar[tuple[Mapping[str, Any], ...]] = ()

    def __init__(self, w3: Web3, address: str, sender: Sender | None = None) -> None:
        if not isinstance(address, str) or not is_address(address):
            raise InputError(f"{self.contract_name or 'contract'}: {address!r} is not an address")
        self.w3 = w3
        self.address: str = checksum(address)
        self.sender = sender

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.address})"

    def with_sender(self, sender: Sender | None) -> BoundContract:
        """The same contract bound to another sender (subclasses return their own type)."""
        return type(self)(self.w3, self.address, sender)

    # -- encoding ---------------------------------------------------------------------------

    @classmethod
    def _encode(cls, signature: str, args: Sequence[Any]) -> bytes:
        """Calldata: selector of ``signature`` plus its ABI-encoded arguments."""
        try:
            values = args if isinstance(args, (list, tuple)) else list(args)
            return selector(signature) + _codec.encode(split_types(signature), values)
        except (EncodingError, ValueError, TypeError, OverflowError) as exc:
            name = signature[: signature.index("(")]
            raise InputError(
                f"{cls.contract_name}.{name}: cannot encode the arguments for {signature}: {exc}"
            ) from None

    # -- reads ------------------------------------------------------------------------------

    def _call(
        self,
        signature: str,
        args: Sequence[Any],
        output_types: Sequence[str],
        block_identifier: BlockIdentifier = "latest",
        value: int = 0,
    ) -> tuple[Any, ...]:
        """``eth_call`` and decode; a revert is raised as the decoded typed error."""
        batch = _BATCH.get()
        if batch is not None and batch.w3 is self.w3 and block_identifier == "latest" and not value:
            done = self._batched(batch, signature, args, output_types)
            if done is not None:
                return done
        from web3.exceptions import ContractLogicError

        data = self._encode(signature, args)
        tx: dict[str, Any] = {"to": self.address, "data": "0x" + data.hex()}
        if value:
            tx["value"] = value
        sender_address = getattr(self.sender, "address", None)
        if isinstance(sender_address, str) and is_address(sender_address):
            tx["from"] = sender_address
        try:
            result = bytes(self.w3.eth.call(cast(Any, tx), block_identifier))
        except OSError as exc:
            raise self._unreachable(exc) from None
        except Exception as exc:
            # web3's ContractLogicError family, eth-tester's TransactionFailed, or a node's RPC error
            # whose message says it reverted
            if isinstance(exc, ContractLogicError) or type(exc).__name__ == "TransactionFailed":
                raise self._revert(revert_data(exc) or b"") from None
            reverted = revert_data(exc) if "revert" in str(exc).lower() else None
            if reverted is None:
                raise
            raise self._revert(reverted) from None
        return self._decode_output(signature, output_types, result)

    def _batched(self, batch: ReadBatch, signature: str, args: Sequence[Any],
                 output_types: Sequence[str]) -> tuple[Any, ...] | None:
        """A read inside a :class:`ReadBatch`: encoded and decoded once however often it is asked;
        None when the batch does not have it (then the node is asked as usual)."""
        try:
            key = (self.address, signature, tuple(args))
            data = batch._encoded.get(key) or batch._encoded.setdefault(key, self._encode(signature, args))
        except TypeError:  # unhashable arguments: encode every time
            data = self._encode(signature, args)
        known = batch._answer(self.address, data)
        if known is None:
            return None
        if not known[0]:
            raise self._revert(known[1])
        decoded = batch._decoded.get((self.address, data))
        if decoded is None:
            decoded = batch._decoded[(self.address, data)] = self._decode_output(signature, output_types, known[1])
        return decoded

    def _decode_output(self, signature: str, output_types: Sequence[str], result: bytes) -> tuple[Any, ...]:
        if not output_types:
            return ()
        try:
            return _codec.decode(tuple(output_types), result)
        except (DecodingError, ValueError) as exc:
            if not result:
                raise ChainError(
                    f"{self.contract_name} at {self.address}: {signature} returned no data;"
                    f" is a {self.contract_name} deployed at that address on this network?"
                ) from None
            raise ChainError(
                f"{self.contract_name} at {self.address}: cannot decode the result of {signature}: {exc}"
            ) from None

    def _unreachable(self, exc: BaseException) -> NodeUnreachableError:
        endpoint = getattr(self.w3.provider, "endpoint_uri", None) or "the network's URL"
        return NodeUnreachableError(
            f"no node answers at {endpoint} ({type(exc).__name__}): check the URL and that the node is running"
        )

    def _revert(self, data: bytes) -> ContractRevertError:
        return decode_revert(data, contract=self.contract_name, abi=self.abi)

    # -- writes -----------------------------------------------------------------------------

    def _pending(self, signature: str, args: Sequence[Any], value: int = 0) -> PendingCall:
        if value < 0:
            raise InputError(f"{self.contract_name}: value must not be negative, got {value}")
        return PendingCall(
            contract=self.contract_name,
            address=self.address,
            function=signature,
            args=tuple(args),
            data=self._encode(signature, args),
            value=value,
            abi=self.abi,
        )

    def _transact(self, method: str, signature: str, args: Sequence[Any], value: int = 0) -> TxResult:
        call = self._pending(signature, args, value)
        if self.sender is None:
            raise AccountError(
                f"{self.contract_name}.{method} sends a transaction, but this {self.contract_name}"
                " has no sender: connect with an account (--account, or pass sender= when binding)"
            )
        return self.sender.send(call)

    # -- events -----------------------------------------------------------------------------

    def _event_entry(self, signature: str) -> Mapping[str, Any]:
        for entry in self.abi:
            if entry.get("type") == "event" and event_signature(entry) == signature:
                return entry
        raise KeyError(signature)  # pragma: no cover - generated code only asks for its own events

    def _get_logs(
        self,
        signature: str,
        from_block: BlockIdentifier,
        to_block: BlockIdentifier,
        filters: Mapping[str, Any],
    ) -> list[DecodedEvent]:
        entry = self._event_entry(signature)
        topics: list[Any] = []
        if not entry.get("anonymous"):
            topics.append("0x" + event_topic(signature).hex())
        for i, param in enumerate(p for p in entry.get("inputs", ()) if p.get("indexed")):
            wanted = filters.get(str(param.get("name") or f"arg{i}"))
            if wanted is None:
                topics.append(None)
                continue
            typ = canonical_type(param)
            if isinstance(wanted, (list, tuple)) and not typ.endswith("]"):
                topics.append([_topic_for(typ, w) for w in wanted])
            else:
                try:
                    topics.append(_topic_for(typ, wanted))
                except (EncodingError, ValueError, TypeError, OverflowError) as exc:
                    raise InputError(
                        f"{self.contract_name}: bad filter {param.get('name')}={wanted!r}: {exc}"
                    ) from None
        while topics and topics[-1] is None:
            topics.pop()
        params: dict[str, Any] = {
            "address": self.address,
            "fromBlock": from_block,
            "toBlock": to_block,
            "topics": topics,
        }
        try:
            logs = self._raw_logs(params)
        except OSError as exc:
            raise self._unreachable(exc) from None
        found: list[DecodedEvent] = []
        times = known_block_times(self.w3)
        for log in logs:
            event = decode_log(entry, cast(Mapping[str, Any], log))
            if event is not None:
                found.append(event)
                stamp: Any = cast(Mapping[str, Any], log).get("blockTimestamp")
                if stamp is not None:
                    times[event.block_number] = int(stamp, 16) if isinstance(stamp, str) else int(stamp)
        found.sort(key=lambda e: (e.block_number, e.log_index))
        return found

    def _raw_logs(self, params: dict[str, Any]) -> list[Any]:
        """``eth_getLogs`` as the node answers it (hex fields, which :func:`decode_log` reads), past web3's
        per-field result formatting and attribute dicts: most of a history's time at 10,000 logs. Through
        ``w3.eth.get_logs`` for eth-tester's provider, a block hash, or an answer that is not a list."""
        from ._chain.providers import block_param, rpc_error, speaks_json_rpc

        first, last = block_param(params["fromBlock"]), block_param(params["toBlock"])
        if first is not None and last is not None and speaks_json_rpc(self.w3):
            from web3.types import RPCEndpoint

            response = self.w3.provider.make_request(RPCEndpoint("eth_getLogs"),
                                                     [{**params, "fromBlock": first, "toBlock": last}])
            result = response.get("result") if isinstance(response, Mapping) else None
            if isinstance(result, list):
                return result
            if isinstance(response, Mapping) and "error" in response:
                raise rpc_error(response)
        return list(self.w3.eth.get_logs(cast(Any, params)))


class EventsBase:
    """Base of the generated ``<Contract>Events`` accessor (``contract.events.<name>(...)``)."""

    def __init__(self, contract: BoundContract) -> None:
        self._contract = contract

    def _query(
        self,
        signature: str,
        from_block: BlockIdentifier,
        to_block: BlockIdentifier,
        filters: Mapping[str, Any],
    ) -> list[DecodedEvent]:
        return self._contract._get_logs(signature, from_block, to_block, filters)


def events_in(
    result: TxResult, name: str, arg_keys: Sequence[str], address: str | None = None
) -> tuple[DecodedEvent, ...]:
    """The events of ``result`` named ``name`` whose argument names are ``arg_keys`` (so a same-named
    event of another contract with other arguments is not mistaken for this one)."""
    keys = set(arg_keys)
    want = checksum(address) if address else None
    return tuple(
        e for e in result.events
        if e.name == name and set(e.args) == keys and (want is None or e.address == want)
    )
