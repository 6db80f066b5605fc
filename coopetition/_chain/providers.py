"""Web3 providers for a node URL: HTTP, or a small synchronous WebSocket provider (web3 8 ships
only an async one). Importing this module does not import web3."""

from __future__ import annotations

import contextlib
import json
import threading
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from web3 import Web3
    from web3.types import RPCEndpoint, RPCResponse

__all__ = ["BATCH_SIZE", "block_param", "in_batches", "make_provider", "pin_chain_id", "rpc_error", "speaks_json_rpc",
           "websocket_provider"]

BATCH_SIZE = 500
"""Most requests in one JSON-RPC batch (well under a node's request-size cap)."""


def websocket_provider(url: str, timeout: float) -> Any:
    """A minimal synchronous JSON-RPC provider over one WebSocket (web3 8 has only an async one).

    Requests are serialised by a lock; replies are matched by id, subscription notifications skipped.
    Defined inside a function so importing this module does not import web3.
    """
    from web3.providers.base import JSONBaseProvider

    class _Provider(JSONBaseProvider):
        def __init__(self) -> None:
            super().__init__()
            self.endpoint_uri = url
            self._timeout = timeout
            self._conn: Any = None
            self._lock = threading.Lock()

        def _connection(self) -> Any:
            if self._conn is None:
                from websockets.sync.client import connect

                # __enter__ gives the open connection on every websockets version (17 deprecates
                # using connect() without a context manager); _drop() closes it
                self._conn = connect(url, open_timeout=self._timeout, max_size=None).__enter__()
            return self._conn

        def make_request(self, method: RPCEndpoint, params: Any) -> RPCResponse:
            request = self.encode_rpc_request(method, params)
            request_id = json.loads(request)["id"]
            with self._lock:
                try:
                    conn = self._connection()
                    conn.send(request.decode())
                    while True:
                        raw = conn.recv(timeout=self._timeout)
                        data = raw.encode() if isinstance(raw, str) else raw
                        response = self.decode_rpc_response(data)
                        if isinstance(response, dict) and response.get("id") == request_id:
                            return response
                except OSError:
                    self._drop()
                    raise
                except Exception as exc:  # websockets' own errors are not OSError
                    self._drop()
                    raise ConnectionError(str(exc)) from exc

        def _drop(self) -> None:
            conn, self._conn = self._conn, None
            if conn is not None:
                with contextlib.suppress(Exception):  # closing a broken socket
                    conn.close()

        def __str__(self) -> str:
            return f"WebSocket connection: {url}"

    return _Provider()


def speaks_json_rpc(w3: Web3) -> bool:
    """Whether ``w3``'s provider takes raw JSON-RPC requests (HTTP, WebSocket, IPC), not web3's
    formatted ones (eth-tester's provider, which the embedded chain uses)."""
    from web3.providers.base import JSONBaseProvider

    return isinstance(w3.provider, JSONBaseProvider)


def block_param(block: Any) -> str | None:
    """``block`` as a raw JSON-RPC block parameter: a number in hex, a tag or hex number as given;
    None for a block hash or anything else (which goes through web3's formatting instead)."""
    if isinstance(block, bool):
        return None
    if isinstance(block, int):
        return hex(block)
    if isinstance(block, str) and not (block.startswith("0x") and len(block) == 66):
        return block
    return None


def rpc_error(response: Any) -> Exception:
    """A raw JSON-RPC error answer as web3's ``Web3RPCError``, carrying the response (where
    :func:`~coopetition._abi.revert_data` finds any revert data)."""
    from web3.exceptions import Web3RPCError

    error = response.get("error") if isinstance(response, dict) else response
    message = error.get("message", error) if isinstance(error, dict) else error
    return Web3RPCError(str(message), rpc_response=cast(Any, response) if isinstance(response, dict) else None)


def make_provider(url: str, timeout: float) -> Any:
    """The web3 provider for ``url``: WebSocket for ``ws(s)://``, else HTTP."""
    scheme = urlsplit(url).scheme.lower()
    if scheme in ("ws", "wss"):
        return websocket_provider(url, timeout)
    from web3 import HTTPProvider

    # the probe must fail fast on a dead node; receipts are waited for by polling, not by one request
    return HTTPProvider(url, request_kwargs={"timeout": min(timeout, 30.0)})


def pin_chain_id(w3: Web3, chain_id: int) -> None:
    """Answer ``eth_chainId`` with ``chain_id`` (checked once at connect) without asking the node, and
    drop web3's request-validation middleware, which asks for the chain id before every ``eth_call``
    and gas estimate (two extra round trips per read). Transactions are signed with the chain id the
    pipeline holds, so the node still refuses one meant for another chain."""
    from web3.middleware.base import Web3Middleware

    class _PinnedChainId(Web3Middleware):
        def wrap_make_request(self, make_request: Any) -> Any:
            def middleware(method: RPCEndpoint, params: Any) -> RPCResponse:
                if method == "eth_chainId":
                    return {"jsonrpc": "2.0", "id": 0, "result": chain_id}
                return cast("RPCResponse", make_request(method, params))

            return middleware

    onion = w3.middleware_onion
    if "validation" in onion:
        onion.remove("validation")
    if "pinned_chain_id" not in onion:
        onion.inject(_PinnedChainId, name="pinned_chain_id", layer=0)


def in_batches(w3: Web3, requests: Sequence[Callable[[], Any]], size: int = BATCH_SIZE) -> list[Any]:
    """Each of ``requests`` (a web3 call such as ``partial(w3.eth.get_block, 7)``), answered in order,
    ``size`` to a JSON-RPC batch (one round trip each) where the provider batches, else one by one.
    An error answer raises as web3 raises it."""
    if len(requests) < 2 or not hasattr(w3.provider, "make_batch_request"):
        return [request() for request in requests]
    answers: list[Any] = []
    for start in range(0, len(requests), size):
        with w3.batch_requests() as batch:
            for request in requests[start:start + size]:
                batch.add(request())
            answers.extend(batch.execute())
    return answers
