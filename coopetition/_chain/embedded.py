"""The embedded chain: eth-tester's py-evm backend, funded, with Multicall3, a quick gas estimate and
transaction look-ups by index.

py-evm's default ``eth_estimateGas`` is a binary search: about 13 executions of the transaction per
estimate, which was 40 % of the demo's time. :func:`quick_gas_estimate` executes the transaction once
at the block gas limit, takes the gas it used before refunds plus a margin for the 63/64 rule of
calls, and checks that limit with a second execution; only if that one fails (deeply nested calls)
does it fall back to the binary search. Errors (a revert) come out exactly as before, from the
binary search's own first execution.
"""

from __future__ import annotations

from typing import Any

__all__ = ["embedded_web3", "quick_gas_estimate"]

_MARGIN = 5_000
"""Above the 64/63 share: the SSTORE stipend check (2,300) and a call's own overhead."""


def quick_gas_estimate(state: Any, transaction: Any) -> int:
    """A gas limit the transaction succeeds with, in two executions (see the module docstring)."""
    from eth.estimators.gas import binary_gas_search_intrinsic_tolerance
    from eth.vm.spoof import SpoofTransaction

    limit = int(state.gas_limit)
    snapshot = state.snapshot()
    try:
        computation = state.apply_transaction(SpoofTransaction(transaction, gas=limit, gas_price=0))
    finally:
        state.revert(snapshot)
    if not computation.is_error:
        used = int(computation.get_gas_used())
        if used == 0:  # no code ran (a plain transfer): the intrinsic gas is exact
            return int(transaction.intrinsic_gas)
        needed = int(transaction.intrinsic_gas) + used
        candidate = max(int(transaction.intrinsic_gas), min(limit, needed * 64 // 63 + _MARGIN))
        snapshot = state.snapshot()
        try:
            ok = not state.apply_transaction(SpoofTransaction(transaction, gas=candidate)).is_error
        finally:
            state.revert(snapshot)
        if ok:
            return candidate
    return int(binary_gas_search_intrinsic_tolerance(state, transaction))


def _find_transaction(chain: Any, transaction_hash: bytes) -> tuple[Any, Any, int]:
    """(block, transaction, index) of a transaction: the pending block, then py-evm's own index of
    canonical transactions (checked), and only then eth-tester's scan of every block from the head."""
    from eth.exceptions import BlockNotFound, HeaderNotFound, TransactionNotFound
    from eth_tester.backends.pyevm.main import _get_transaction_by_hash

    head = chain.get_block()
    for index, transaction in enumerate(head.transactions):
        if transaction.hash == transaction_hash:
            return head, transaction, index
    try:
        number, index = chain.chaindb.get_transaction_index(transaction_hash)
        block = chain.get_canonical_block_by_number(number)
        if index < len(block.transactions) and block.transactions[index].hash == transaction_hash:
            return block, block.transactions[index], index
    except (TransactionNotFound, HeaderNotFound, BlockNotFound):
        pass  # not indexed (or reverted away): the full scan decides
    found: tuple[Any, Any, int] = _get_transaction_by_hash(chain, transaction_hash)
    return found


def _backend_class() -> Any:
    """eth-tester's py-evm backend with transaction look-ups by py-evm's index: its own look-up scans
    every block from the head, so each ``eth_getLogs`` (a receipt per transaction in range) grew with
    the square of the chain's length."""
    from eth_tester import PyEVMBackend
    from eth_tester.backends.pyevm.serializers import (
        serialize_transaction,
        serialize_transaction_receipt,
    )

    class EmbeddedBackend(PyEVMBackend):  # type: ignore[misc]
        def get_transaction_by_hash(self, transaction_hash: bytes) -> Any:
            block, transaction, index = _find_transaction(self.chain, transaction_hash)
            pending = block.number == self.chain.get_block().number
            return serialize_transaction(block, transaction, index, pending)

        def get_transaction_receipt(self, transaction_hash: bytes) -> Any:
            block, transaction, index = _find_transaction(self.chain, transaction_hash)
            pending = block.number == self.chain.get_block().number
            receipts = block.get_receipts(self.chain.chaindb)
            return serialize_transaction_receipt(block, receipts, transaction, index, pending, self.chain.get_vm())

    return EmbeddedBackend


def embedded_web3() -> Any:
    """A :class:`~web3.Web3` on a fresh embedded chain: the ten funded tester accounts, Multicall3 at
    its canonical address, and :func:`quick_gas_estimate`."""
    from eth_tester import EthereumTester
    from web3 import EthereumTesterProvider, Web3

    from .multicall import multicall3_genesis

    backend_class = _backend_class()
    state = {**backend_class.generate_genesis_state(num_accounts=10), **multicall3_genesis()}
    backend = backend_class(genesis_state=state)
    backend.account_keys = backend.account_keys[:10]
    # on the chain object (py-evm copies its class's default into it when it is built) and on its
    # class (eth-tester builds a new chain object when it reverts to a snapshot)
    backend.chain.gas_estimator = quick_gas_estimate
    type(backend.chain).gas_estimator = staticmethod(quick_gas_estimate)
    return Web3(EthereumTesterProvider(EthereumTester(backend)))
