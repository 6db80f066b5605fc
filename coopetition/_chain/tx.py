"""The transaction pipeline: the one way anything in coopetition changes chain state.

``estimate (= simulate) → fees → funds check → confirm → sign → send → wait → decode``

* **Estimate, which simulates.** An ``eth_estimateGas`` that succeeds has executed the call from
  the sender with the same value and data: it proves the call does not revert. It travels in one
  JSON-RPC batch with the latest block, priority fee, balance and pending nonce
  (:mod:`coopetition._chain.quote`): preparing is one round trip. When it fails (or the provider
  cannot batch, or with state overrides) the steps run one by one: value against balance,
  ``eth_call`` at ``latest`` raising the decoded, typed revert (custom error, ``Error(string)``,
  ``Panic``), the estimate. Nothing is signed, so no gas is spent and no nonce is used. Gas limit =
  estimate x ``gas_margin`` (default 1.2), capped at the block gas limit: other transactions mined
  first may change the branch taken or the slots touched (zero to non-zero costs 20,000 gas instead
  of 2,900), a transaction short of gas fails *and* pays, and unused gas is refunded.
* **Fees** (:mod:`coopetition._chain.fees`): EIP-1559 (``maxFee = 2 x baseFee + tip``) when the
  block has ``baseFeePerGas``, else legacy ``gasPrice``; free-gas chains get a zero quote.
* **Funds**: ``balance ≥ value + gas x max fee`` before signing, in one line with the figures.
* **Confirm**: an optional callback receives a :class:`TxPreview` (the CLI prompts with it on
  non-dev networks unless ``--yes``); returning ``False`` stops with nothing sent.
* **Sign** locally (eth-account, nonce from the :class:`~coopetition._chain.nonce.NonceManager`), **send**
  with ``eth_sendRawTransaction``; "nonce too low" / "replacement underpriced": resync, sign again.
* **Wait** for the receipt and ``confirmations`` more blocks, telling an optional ``progress``
  callback each change (:func:`~coopetition._chain.receipts.await_receipt`; the CLI shows it).
  Status 0 replays the call at the receipt's block to recover and decode the revert.

Deployments go through the same steps (a :class:`~coopetition._seam.PendingCall` with an empty
address, ``function="constructor"``); :func:`coopetition._chain.deployments.deploy_contract` uses the split
API (:meth:`TransactionPipeline.prepare`, :meth:`~TransactionPipeline.submit` with a ``before_broadcast``
hook, :meth:`~TransactionPipeline.wait`) to persist the transaction between signing and waiting.
"""

from __future__ import annotations

import random
import time
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager, suppress
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Literal, NoReturn, cast

from eth_typing import ChecksumAddress
from eth_utils.address import to_checksum_address

from .._seam import PendingCall, TxResult
from ..exceptions import (
    CoopetitionError,
    InsufficientFundsError,
    NodeUnreachableError,
    NonceError,
    TransactionError,
)
from .failures import (
    CONNECTION_ERRORS,
    NonceRejected,
    call_failure,
    error_text,
    ether,
    hex_str,
    insufficient_funds,
    one_line,
    refusal,
    replay_failure,
    unreachable_message,
)
from .fees import FeeQuote, quote_fees
from .nonce import NonceManager, default_nonce_manager
from .quote import quote_send
from .receipts import await_receipt, call_label, mined_receipts, result_from_receipt
from .txdata import PreparedTx, SignedTx, TxPreview, create_address, interrupted

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3 import Web3

    from .receipts import ProgressCallback

__all__ = ["DEFAULT_GAS_MARGIN", "TransactionPipeline"]

DEFAULT_GAS_MARGIN = 1.2
"""Gas limit = estimate x margin; see the module docstring for why 20%."""

_NONCE_ATTEMPTS = 8
"""Sign-and-send attempts when the node says another sender took the nonce (with random backoff)."""


class TransactionPipeline:
    """The production :class:`~coopetition._seam.Sender`: see the module docstring for the steps.

    ``confirmations``: blocks mined on top of the transaction's before :meth:`send` returns (0: as
    soon as it is included; ignored on ``embedded``, where nothing else mines). ``abis`` maps other
    contracts' addresses to ``(name, abi)`` so their events in a receipt are decoded too; logs from
    unknown contracts keep the name ``"unknown"`` and the raw ``topics``/``data`` as args."""

    def __init__(
        self,
        w3: Web3,
        account: LocalAccount,
        *,
        network: str,
        is_dev: bool,
        confirmations: int = 0,
        timeout: float = 120,
        gas_margin: float = DEFAULT_GAS_MARGIN,
        dry_run: bool = False,
        confirm: Callable[[TxPreview], bool] | None = None,
        nonce_manager: NonceManager | None = None,
        progress: ProgressCallback | None = None,
        abis: Mapping[str, tuple[str, Sequence[Mapping[str, Any]]]] | None = None,
        poll_interval: float | None = None,
    ) -> None:
        if gas_margin < 1:
            raise ValueError("gas_margin must be at least 1")
        self.w3 = w3
        self.account = account
        self.network = network
        self.is_dev = is_dev
        self.confirmations = max(0, int(confirmations))
        self.timeout = float(timeout)
        self.gas_margin = float(gas_margin)
        self.dry_run = dry_run
        self.confirm = confirm
        self.nonces = nonce_manager if nonce_manager is not None else default_nonce_manager()
        self.progress = progress
        self.poll_interval = poll_interval if poll_interval is not None else (0.05 if is_dev else 1.0)
        self._abis: dict[str, tuple[str, tuple[Mapping[str, Any], ...]]] = {}
        for address, (name, abi) in (abis or {}).items():
            self.register_abi(address, name, abi)
        self._chain_id: int | None = None
        self._genesis: str | None = None
        self.sent: deque[TxResult] = deque(maxlen=100)  # the latest results send() returned, labelled

    # ------------------------------------------------------------------ facts about the chain

    @property
    def address(self) -> ChecksumAddress:
        return to_checksum_address(self.account.address)

    @property
    def chain_id(self) -> int:
        if self._chain_id is None:
            with self._node():
                self._chain_id = int(self.w3.eth.chain_id)
        return self._chain_id

    @property
    def genesis_hash(self) -> str:
        if self._genesis is None:
            with self._node():
                self._genesis = hex_str(self.w3.eth.get_block(0)["hash"])
        return self._genesis

    def register_abi(self, address: str, name: str, abi: Sequence[Mapping[str, Any]]) -> None:
        """Decode events emitted by ``address`` in later receipts."""
        self._abis[to_checksum_address(address)] = (name, tuple(abi))

    # ------------------------------------------------------------------ the Sender protocol

    def send(self, call: PendingCall) -> TxResult:
        """Estimate (= simulate), (confirm,) sign, send, wait; a dry run stops after estimating. The
        result carries its ``label`` (``Contract.function``) and ``nonce``, and joins :attr:`sent`."""
        prepared, label = self.prepare(call), call_label(call)
        if self.dry_run:
            self.sent.append(replace(self.dry_run_result(prepared), label=label))
            return self.sent[-1]
        signed = self.submit(prepared)
        with interrupted(signed.transaction_hash, signed.nonce, signed.sender, resumable=False):
            self.sent.append(replace(self.wait(signed.transaction_hash, call), label=label, nonce=signed.nonce))
        return self.sent[-1]

    def send_all(self, calls: Sequence[PendingCall]) -> tuple[TxResult, ...]:
        """Send ``calls`` pipelined: each prepared, signed with the next nonce and broadcast, then every
        receipt awaited in order (joining :attr:`sent`). A call that fails to prepare stops the rest;
        those broadcast before it are awaited, then its error is raised."""
        if self.dry_run:
            return tuple(self.send(call) for call in calls)
        signed: list[SignedTx] = []
        failure: Exception | None = None  # raised once the ones sent before it are mined
        try:
            for call in calls:
                signed.append(self.submit(self.prepare(call)))
        except Exception as exc:  # keep what was broadcast: it is waited for below
            failure = exc
        mined, results = None, []
        if signed and not self.confirmations:  # every receipt in one batch once the last is mined
            last = signed[-1]
            with self._node(), interrupted(last.transaction_hash, last.nonce, last.sender, resumable=False):
                mined = mined_receipts(self.w3, [t.transaction_hash for t in signed], timeout=self.timeout,
                                       poll_interval=self.poll_interval)
        for k, tx in enumerate(signed):
            with interrupted(tx.transaction_hash, tx.nonce, tx.sender, resumable=False):
                result = self.wait(tx.transaction_hash, tx.call, mined=mined[k] if mined else None)
            self.sent.append(replace(result, label=call_label(tx.call), nonce=tx.nonce))
            results.append(self.sent[-1])
        if failure is not None:
            raise failure
        return tuple(results)

    # ------------------------------------------------------------------ the split steps

    def prepare(self, call: PendingCall, *, state_override: Mapping[str, Mapping[str, Any]] | None = None) -> PreparedTx:
        """Simulate (raising the decoded revert), estimate, quote fees and check funds. Sends nothing.
        ``state_override`` (as ``eth_call`` takes it) simulates against a state not on chain yet."""
        overrides = cast(Any, {to_checksum_address(a): dict(v) for a, v in state_override.items()}) if state_override else None
        if overrides and self.network == "embedded":
            raise TransactionError(f"the embedded chain cannot simulate {call.contract} against contracts not deployed "
                                   "yet (eth-tester has no state overrides): dry-run the suite on dev instead")
        with self._node():
            sender = self.address
            quote = None if overrides else quote_send(self.w3, sender, call)
            if quote is None:
                estimate, gas_limit, fees, balance = self._prepare_step_by_step(call, overrides)
            else:
                estimate, gas_limit, fees, balance = quote.estimate, quote.block_gas_limit, quote.fees, quote.balance
            gas = int(estimate * self.gas_margin)
            if gas_limit:
                gas = min(gas, int(gas_limit))
            max_cost = call.value + gas * fees.max_fee_per_gas
            if balance < max_cost:
                raise self._insufficient(balance, call.value, gas, fees.max_fee_per_gas, call)
        preview = TxPreview(
            network=self.network,
            sender=sender,
            to=call.address or None,
            contract=call.contract,
            function=call.function,
            args=tuple(call.args),
            value=call.value,
            gas=gas,
            fee_model=fees.model,
            max_fee_per_gas=fees.max_fee_per_gas,
            max_priority_fee_per_gas=fees.max_priority_fee_per_gas,
            max_cost=max_cost,
        )
        return PreparedTx(call=call, gas_estimate=estimate, gas=gas, fees=fees, preview=preview,
                          pending_nonce=quote.pending_nonce if quote is not None else None)

    def _prepare_step_by_step(self, call: PendingCall, overrides: Any) -> tuple[int, int | None, FeeQuote, int]:
        """One request each (no batching provider, state overrides, or a failed estimate: say why)."""
        sender = self.address
        if call.value:
            balance = int(self.w3.eth.get_balance(sender))
            if balance < call.value:
                raise self._insufficient(balance, call.value, 0, 0, call)
        tx = self._call_fields(call)
        self._simulate(call, tx, "latest", overrides)
        try:
            extra = ("latest", overrides) if overrides else ()
            estimate = int(self.w3.eth.estimate_gas(cast(Any, tx), *extra))
        except CoopetitionError:
            raise
        except Exception as exc:
            self._raise_call_failure(exc, call)
        latest = self.w3.eth.get_block("latest")
        fees = quote_fees(self.w3, latest_block=latest)
        return estimate, latest.get("gasLimit"), fees, int(self.w3.eth.get_balance(sender))

    def dry_run_result(self, prepared: PreparedTx, *, nonce_offset: int = 0) -> TxResult:
        """What :meth:`send` returns with ``dry_run``: the estimate, nothing sent. A deployment's
        address is predicted for the next nonce plus ``nonce_offset`` (the transactions a dry run
        would have sent before this one)."""
        call = prepared.call
        with self._node():
            block = int(self.w3.eth.block_number)
            predicted = None
            if not call.address:
                nonce = int(self.w3.eth.get_transaction_count(self.address, "pending")) + nonce_offset
                predicted = create_address(self.address, nonce)
        return TxResult(transaction_hash="", block_number=block, gas_used=prepared.gas_estimate,
                        effective_gas_price=prepared.fees.max_fee_per_gas, status=1, sender=self.address,
                        to=call.address or None, contract_address=predicted, dry_run=True)

    def submit(
        self,
        prepared: PreparedTx,
        *,
        before_broadcast: Callable[[SignedTx], None] | None = None,
    ) -> SignedTx:
        """Ask ``confirm``, reserve a nonce, sign, call ``before_broadcast``, broadcast.

        ``before_broadcast`` sees every signed transaction before the node does (a deployment
        persists it there); it runs again if the nonce had to be resynced and the transaction
        re-signed. If it raises, the nonce is released and nothing is sent.
        """
        if self.dry_run:
            raise TransactionError("dry run: nothing is sent")
        if self.confirm is not None and not self.confirm(prepared.preview):
            raise TransactionError("cancelled: nothing was sent")
        chain_id = self.chain_id
        last = ""
        # the pending count read with the estimate, unless a person took time to confirm
        hint = prepared.pending_nonce if self.confirm is None else None
        for _attempt in range(_NONCE_ATTEMPTS):
            with self._node():
                nonce = self.nonces.reserve(self.w3, self.address, chain_id=chain_id, pending=hint)
            hint = None
            try:
                signed = self.sign(prepared, nonce=nonce)
                if before_broadcast is not None:
                    before_broadcast(signed)
                resumable = before_broadcast is not None  # a deployment persisted it: a rerun resumes
                with interrupted(signed.transaction_hash, nonce, signed.sender, resumable=resumable):
                    self.broadcast(signed)
            except NonceRejected as rejected:
                last = rejected.text
                self.nonces.discard(self.address, nonce, chain_id=chain_id)
                # Another sender took the nonce: back off a random, growing moment so that
                # concurrent senders sharing the key stop colliding in lock step, then resync.
                time.sleep(random.uniform(0, 0.025 * (_attempt + 1)))
                with self._node():
                    self.nonces.resync(self.w3, self.address, chain_id=chain_id)
                continue
            except BaseException:
                self.nonces.release(self.address, nonce, chain_id=chain_id)
                raise
            self.nonces.sent(self.address, nonce, chain_id=chain_id)
            return signed
        raise NonceError(
            f"the node kept refusing nonces for {self.address} ({one_line(last, 120)}) after "
            f"{_NONCE_ATTEMPTS} attempts: another process is sending from this account; retry"
        )

    def sign(self, prepared: PreparedTx, *, nonce: int) -> SignedTx:
        """Sign locally with the account's key (no node involved)."""
        call = prepared.call
        tx: dict[str, Any] = {
            "chainId": self.chain_id,
            "nonce": nonce,
            "gas": prepared.gas,
            "value": call.value,
            "data": call.data,
            **prepared.fees.tx_fields(),
        }
        if call.address:
            tx["to"] = to_checksum_address(call.address)
        signed = self.account.sign_transaction(tx)
        return SignedTx(
            call=call,
            transaction_hash=hex_str(signed.hash),
            raw_transaction=hex_str(signed.raw_transaction),
            nonce=nonce,
            sender=self.address,
            chain_id=self.chain_id,
            gas=prepared.gas,
            contract_address=None if call.address else create_address(self.address, nonce),
        )

    def broadcast(self, signed: SignedTx) -> str:
        """``eth_sendRawTransaction``; node refusals mapped to one-line errors. Returns the hash.

        "already known" here means another process signed the very same transaction (same key,
        nonce, data and fees): it is treated as a nonce collision, so this call is signed again
        with a fresh nonce instead of silently merging two intended transactions into one.
        """
        return self.broadcast_raw(
            signed.raw_transaction, signed.transaction_hash, signed.call, rebroadcast=False
        )

    def broadcast_raw(
        self, raw: str, tx_hash: str, call: PendingCall | None = None, *, rebroadcast: bool = True
    ) -> str:
        """Send an already signed transaction (by default a re-broadcast of one a node lost, for
        which "already known" is success)."""
        with self._node():
            try:
                self.w3.eth.send_raw_transaction(bytes.fromhex(raw[2:]))
            except CoopetitionError:
                raise
            except CONNECTION_ERRORS:
                raise
            except Exception as exc:
                text = error_text(exc)
                kind = refusal(text)
                if kind == "known" and rebroadcast:
                    return tx_hash
                if kind in ("known", "nonce"):
                    raise NonceRejected(text) from None
                if kind == "funds":
                    balance = int(self.w3.eth.get_balance(self.address))
                    raise InsufficientFundsError(
                        f"{self.address} cannot pay for the transaction: the node says "
                        f"\"{one_line(text, 120)}\" (balance {ether(balance)}); fund the account"
                    ) from None
                raise TransactionError(f"the node refused the transaction: {one_line(text)}") from None
        return tx_hash

    def lookup(self, tx_hash: str) -> Literal["mined", "pending", "unknown"]:
        """Whether the node knows the transaction."""
        from web3.exceptions import TransactionNotFound

        with self._node():
            with suppress(TransactionNotFound):
                self.w3.eth.get_transaction_receipt(cast(Any, tx_hash))
                return "mined"
            try:
                self.w3.eth.get_transaction(cast(Any, tx_hash))
                return "pending"
            except TransactionNotFound:
                return "unknown"

    def wait(self, tx_hash: str, call: PendingCall | None = None, *, mined: Any = None) -> TxResult:
        """Wait for the receipt (``mined``: already read) and the confirmations (telling
        :attr:`progress` each change); decode events, or raise the decoded revert."""
        with self._node():
            receipt = await_receipt(
                self.w3, tx_hash, label=call_label(call), timeout=self.timeout,
                confirmations=0 if self.network == "embedded" else self.confirmations,
                poll_interval=self.poll_interval, progress=self.progress, mined=mined)
            if int(receipt["status"]) == 0:
                raise replay_failure(self.w3, receipt, tx_hash, call)
            return result_from_receipt(receipt, tx_hash, call, self._abis)

    # ------------------------------------------------------------------ internals

    def _call_fields(self, call: PendingCall) -> dict[str, Any]:
        tx: dict[str, Any] = {"from": self.address, "value": call.value, "data": hex_str(call.data)}
        if call.address:
            tx["to"] = to_checksum_address(call.address)
        return tx

    def _simulate(self, call: PendingCall, tx: Mapping[str, Any], block: Any, overrides: Any = None) -> None:
        try:
            self.w3.eth.call(cast(Any, dict(tx)), block, *((overrides,) if overrides else ()))
        except CoopetitionError:
            raise
        except Exception as exc:
            self._raise_call_failure(exc, call)

    def _raise_call_failure(self, exc: Exception, call: PendingCall) -> NoReturn:
        error = call_failure(exc, call, w3=self.w3, sender=self.address, network=self.network)
        if error is exc:
            raise exc
        raise error from None

    def _insufficient(
        self, balance: int, value: int, gas: int, price: int, call: PendingCall
    ) -> InsufficientFundsError:
        return insufficient_funds(self.address, balance, value, gas, price, call, self.network)

    def node_errors(self) -> AbstractContextManager[None]:
        """Context in which a node that does not answer becomes one-line NodeUnreachableError."""
        return self._node()

    @contextmanager
    def _node(self) -> Iterator[None]:
        """Map a node that does not answer to one line."""
        try:
            yield
        except CONNECTION_ERRORS:
            raise NodeUnreachableError(unreachable_message(self.w3, self.network)) from None
