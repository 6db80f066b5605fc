"""A fresh embedded chain (eth-tester, in process) with funded accounts, for contract tests.

Shared by the contract test modules: ``env = EmbeddedEnv.start()`` gives a chain with the real
transaction pipeline per account (simulate → estimate → sign → send → wait → decode), so a revert
arrives as the generated binding's typed exception, exactly as users see it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests
from web3 import HTTPProvider, Web3

from coopetition._abi import decode_logs, decode_revert, revert_data
from coopetition._artifacts import load_artifact
from coopetition._chain.deployments import deploy_contract
from coopetition._chain.network import Chain, connect_chain, resolve_network
from coopetition._chain.nonce import NonceManager
from coopetition._chain.records import DeploymentStore
from coopetition._chain.tx import TransactionPipeline
from coopetition._seam import PendingCall, TxResult
from coopetition.exceptions import TransactionFailedError

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount


@dataclass
class EmbeddedEnv:
    chain: Chain
    accounts: tuple[LocalAccount, ...]
    nonces: NonceManager
    _pipelines: dict[int, TransactionPipeline] = field(default_factory=dict)

    @classmethod
    def start(cls) -> EmbeddedEnv:
        chain = connect_chain(resolve_network("embedded"))
        return cls(chain=chain, accounts=chain.dev_accounts(), nonces=NonceManager())

    @property
    def w3(self) -> Web3:
        return self.chain.w3

    def address(self, index: int) -> str:
        return str(self.accounts[index].address)

    def pipeline(self, index: int) -> TransactionPipeline:
        """The transaction pipeline signing as account ``index`` (one per account, cached)."""
        if index not in self._pipelines:
            self._pipelines[index] = TransactionPipeline(
                self.w3, self.accounts[index], network="embedded", is_dev=True,
                nonce_manager=self.nonces,
            )
        return self._pipelines[index]

    def deploy(self, name: str, args: Sequence[Any], *, by: int = 0, direct: bool = False) -> str:
        """Deploy contract ``name`` from the package artifacts as account ``by``; its address.

        ``direct`` sends through a :class:`DirectSender` (one EVM execution instead of three)."""
        artifact = load_artifact(name)
        if direct:
            factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
            data = bytes.fromhex(factory.constructor(*args).data_in_transaction[2:])
            call = PendingCall(contract=name, address="", function="constructor", args=tuple(args),
                               data=data, abi=tuple(artifact.abi))
            result = self.direct(by).send(call)
            assert result.contract_address
            return str(result.contract_address)
        deployment = deploy_contract(
            self.pipeline(by), DeploymentStore(None, "embedded"), name=name,
            abi=artifact.abi, bytecode=artifact.bytecode, args=list(args), reset=True,
        )
        return deployment.address

    # ---------------------------------------------------------------------------- time

    def now(self) -> int:
        """Timestamp of the latest block."""
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def time_travel(self, seconds: int) -> int:
        """Move the chain's clock ``seconds`` forward and mine a block there; the new timestamp."""
        tester = self.w3.provider.ethereum_tester  # type: ignore[attr-defined]
        target = self.now() + seconds
        tester.time_travel(target)
        tester.mine_blocks(1)
        return self.now()

    def direct(self, index: int) -> DirectSender:
        """A :class:`DirectSender` for account ``index`` (no simulation, fixed gas: fast)."""
        return DirectSender(self.w3, self.address(index))

    def balance(self, address: str) -> int:
        return int(self.w3.eth.get_balance(address))  # type: ignore[arg-type]

    def send_ether(self, sender: int, to: str, value: int) -> None:
        tx = self.w3.eth.send_transaction(
            {"from": self.address(sender), "to": to, "value": value}  # type: ignore[typeddict-item]
        )
        self.w3.eth.wait_for_transaction_receipt(tx)


class DirectSender:
    """A :class:`~coopetition._seam.Sender` for speed-critical tests (big setups, stateful runs).

    It skips the pipeline's simulation and gas estimate: eth-tester's unlocked account sends with a
    fixed gas limit and the transaction executes once. Reverts are decoded into the same typed
    exceptions as with the pipeline. Everything else should use :meth:`EmbeddedEnv.pipeline`.
    """

    def __init__(self, w3: Web3, address: str, gas: int = 29_000_000, gas_price: int | None = None,
                 simulate_first: bool = False, sync: bool = False) -> None:
        self.w3 = w3
        self.address = address
        self.gas = gas
        self.gas_price = gas_price  # a fixed legacy price saves web3's fee look-up (two requests per send)
        self.simulate_first = simulate_first
        """Simulate before sending, so that a revert is raised without a mined failed transaction (which
        would still take the sender's nonce and gas): for models that track ether balances. A caller
        that expects success may turn it off for a call (one round trip less)."""
        self.sync = sync
        """Send with anvil's ``eth_sendTransactionSync``: the node answers with the receipt, so a
        transaction takes one round trip instead of a send, a receipt look-up and its polls."""

    def send(self, call: PendingCall) -> TxResult:
        tx: dict[str, Any] = {"from": self.address, "value": call.value, "data": call.data, "gas": self.gas}
        if self.gas_price is not None:
            tx["gasPrice"] = self.gas_price
        if call.address:
            tx["to"] = call.address
        if self.simulate_first:
            self._raise_revert(tx, call)
        if self.sync:
            receipt = self._send_sync(tx, call)
            tx_hash = bytes.fromhex(receipt["transactionHash"][2:])
        else:
            tx_hash = self.w3.eth.send_transaction(tx)  # type: ignore[arg-type]
            # eth-tester has the receipt at once; the poll is for anything else
            receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=30, poll_latency=0.002)  # type: ignore[assignment]
        if receipt["status"] != 1:
            # eth-tester mines reverted transactions; a reverted transaction changed nothing but the
            # sender's nonce and balance, so replaying it at `latest` reproduces the revert data.
            self._raise_revert(tx, call)
            raise TransactionFailedError(f"{call.contract}.{call.function} failed without revert data (out of gas?)")
        return TxResult(
            transaction_hash="0x" + bytes(tx_hash).hex(),
            block_number=int(receipt["blockNumber"]),
            gas_used=int(receipt["gasUsed"]),
            effective_gas_price=int(receipt.get("effectiveGasPrice", 0)),
            status=1,
            sender=self.address,
            to=call.address or None,
            contract_address=receipt.get("contractAddress"),
            events=decode_logs(call.abi, receipt["logs"]),  # type: ignore[arg-type]
        )

    def _send_sync(self, tx: dict[str, Any], call: PendingCall) -> dict[str, Any]:
        """``eth_sendTransactionSync`` (raw JSON-RPC); the receipt with its numbers as ints."""
        raw = {k: v if k in ("from", "to") else "0x" + v.hex() if isinstance(v, bytes) else hex(v) for k, v in tx.items()}
        response = self.w3.provider.make_request("eth_sendTransactionSync", [raw])  # type: ignore[arg-type]
        if "error" in response:
            self._raise_revert(tx, call)
            raise TransactionFailedError(f"{call.contract}.{call.function}: {response['error']}")
        receipt = dict(response["result"])
        for key in ("status", "blockNumber", "gasUsed", "effectiveGasPrice"):
            receipt[key] = int(receipt.get(key) or "0x0", 16)
        receipt["logs"] = [{**log, **{k: int(log[k], 16) for k in ("logIndex", "blockNumber") if log.get(k)}}
                           for log in receipt["logs"]]
        if receipt.get("contractAddress"):
            receipt["contractAddress"] = Web3.to_checksum_address(receipt["contractAddress"])
        return receipt

    def _raise_revert(self, tx: dict[str, Any], call: PendingCall) -> None:
        """``eth_call`` the transaction; a revert is raised as the binding's typed exception."""
        try:
            self.w3.eth.call(tx)  # type: ignore[arg-type]
        except Exception as exc:
            data = revert_data(exc)
            if data is None:
                raise
            raise decode_revert(data, contract=call.contract, abi=call.abi) from None


class LeanClient:
    """A web3 client of a node (e.g. anvil) for a state machine's step budget, and its fast senders.

    No middleware (no per-request chain-id validation or fee look-up), a requests session that never
    looks up proxies, and one fixed legacy gas price (twice the base fee when made: base fees only fall
    on a node whose blocks stay below half full) for every :class:`DirectSender` it makes."""

    def __init__(self, url: str) -> None:
        session = requests.Session()
        session.trust_env = False
        self.w3 = Web3(HTTPProvider(url, session=session), middleware=[])
        self.gas_price = 2 * int(self.w3.eth.get_block("latest")["baseFeePerGas"])

    def sender(self, address: str, *, simulate_first: bool = False, gas: int = 29_000_000) -> DirectSender:
        """A direct sender as ``address`` (an unlocked account of the node) sending with anvil's
        ``eth_sendTransactionSync`` (one round trip per transaction)."""
        return DirectSender(self.w3, address, gas=gas, gas_price=self.gas_price, simulate_first=simulate_first,
                            sync=True)

    def rpc(self, method: str, params: list[Any] | None = None) -> Any:
        response = self.w3.provider.make_request(method, params or [])  # type: ignore[arg-type]
        if "error" in response:
            raise RuntimeError(f"{method}: {response['error']}")
        return response.get("result")

    def now(self) -> int:
        """Timestamp of the latest block."""
        return int(self.w3.eth.get_block("latest")["timestamp"])

    def balance(self, address: str) -> int:
        return int(self.w3.eth.get_balance(address))  # type: ignore[arg-type]

    def tick_seconds(self) -> None:
        """From now on every block is mined exactly one second after the one before (anvil), so that a
        transaction runs at the latest block's time + 1, where a model expects it."""
        self.rpc("anvil_setBlockTimestampInterval", [1])

    def time_travel(self, seconds: int) -> None:
        """Mine a block ``seconds`` after the latest one (the blocks after it go on from there)."""
        self.rpc("evm_setNextBlockTimestamp", [self.now() + seconds])
        self.rpc("evm_mine")

    def back_to(self, snapshot: str) -> str:
        """Revert the node to ``snapshot``; a fresh snapshot of the same state (anvil uses one up by
        reverting to it)."""
        assert self.rpc("evm_revert", [snapshot]) is True
        return str(self.rpc("evm_snapshot"))
