"""Count JSON-RPC round trips on a web3 connection, by method (a batch is one round trip).

    counter = RpcCounter.install(w3)
    ...                                   # reads
    counter.total, counter.by_method      # round trips; Counter of methods ("batch" for a batch)

Installed on the provider instance (below every middleware), so it counts what reaches the node:
web3's own extra requests (a validation middleware's ``eth_chainId``) included.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from web3 import Web3


@dataclass
class RpcCounter:
    trips: list[tuple[str, ...]] = field(default_factory=list)
    """One entry per round trip: the methods it carried (one, or every request of a batch)."""

    @classmethod
    def install(cls, w3: Web3) -> RpcCounter:
        counter = cls()
        provider: Any = w3.provider
        single = provider.make_request
        batch = getattr(provider, "make_batch_request", None)

        def make_request(method: Any, params: Any) -> Any:
            counter.trips.append((str(method),))
            return single(method, params)

        provider.make_request = make_request
        if batch is not None:
            def make_batch_request(requests: Any) -> Any:
                counter.trips.append(tuple(str(method) for method, _ in requests))
                return batch(requests)

            provider.make_batch_request = make_batch_request
        # web3 caches the middleware chain built around the provider's methods: rebuild it
        provider._request_func_cache = (None, None)
        if hasattr(provider, "_batch_request_func_cache"):
            provider._batch_request_func_cache = (None, None)
        return counter

    @property
    def total(self) -> int:
        return len(self.trips)

    @property
    def by_method(self) -> Counter[str]:
        return Counter(trip[0] if len(trip) == 1 else "batch" for trip in self.trips)

    @property
    def requests(self) -> int:
        """JSON-RPC requests inside the round trips (a batch of n counts n)."""
        return sum(len(trip) for trip in self.trips)

    def reset(self) -> None:
        self.trips.clear()


def send_many(w3: Web3, sender: str, to: str, calls: list[bytes], gas: int = 1_000_000) -> None:
    """Populate a dev node fast: each calldata sent to ``to`` by unlocked ``sender`` without waiting
    for its receipt (anvil mines each at once), then the last receipt awaited; every one must succeed
    (a reverted one fails the last receipt's status or leaves its nonce unused)."""
    provider: Any = w3.provider
    nonce = w3.eth.get_transaction_count(w3.to_checksum_address(sender))
    last = None
    for k, data in enumerate(calls):
        answer = provider.make_request("eth_sendTransaction", [{
            "from": sender, "to": to, "data": "0x" + data.hex(), "gas": hex(gas), "gasPrice": hex(10**10),
            "nonce": hex(nonce + k)}])
        last = answer["result"]
    if last is not None:
        assert w3.eth.wait_for_transaction_receipt(last, timeout=120, poll_latency=0.01)["status"] == 1
