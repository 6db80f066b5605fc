"""Named networks and the connected, guarded :class:`Chain` every transaction goes through.

A network is one of

* ``embedded``: eth-tester (py-evm) in this process, no node; a fresh chain per connection;
* ``dev``: the local anvil started by ``coopetition devnet start`` (its recorded port, default 8545);
* a name configured under ``[networks.<name>]`` in ``coopetition.toml`` (or
  ``[tool.coopetition.networks.<name>]`` in ``pyproject.toml``) with ``url`` (``${ENV}`` references are
  read from the environment when used, so RPC keys never sit in the file), ``chain_id``,
  ``confirmations``, ``timeout`` and ``poa``;
* an ``http(s)://`` or ``ws(s)://`` URL given as the name.

:func:`connect_chain` refuses a node whose chain id differs from the configured one before anything is
sent, injects web3's proof-of-authority middleware when block extra-data is longer than 32 bytes
(Clique, QBFT/IBFT on Besu and Quorum) and records whether the chain has EIP-1559 base fees.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal, cast
from urllib.parse import urlsplit, urlunsplit

from .._project import Project, expand_env, find_project
from ..exceptions import (
    AccountError,
    ChainError,
    ChainIdMismatchError,
    ConfigError,
    NodeUnreachableError,
    UnknownNetworkError,
)
from .devnet import anvil_dev_accounts, devnet_url
from .providers import make_provider, pin_chain_id

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount
    from web3 import Web3

__all__ = [
    "DEFAULT_DEV_URL",
    "DEFAULT_TIMEOUT",
    "Chain",
    "NetworkSpec",
    "block_hash_reader",
    "chain_from_web3",
    "connect_chain",
    "extra_data_is_poa",
    "open_chain",
    "resolve_network",
]

NetworkKind = Literal["embedded", "dev", "rpc"]

DEFAULT_DEV_URL = "http://127.0.0.1:8545"
DEFAULT_TIMEOUT = 120.0
_URL_SCHEMES = ("http", "https", "ws", "wss")
_POA_EXTRA_DATA_BYTES = 32
_ENV_REF = re.compile(r"\$\{[A-Za-z_][A-Za-z0-9_]*\}")


@dataclass(frozen=True)
class NetworkSpec:
    """Where a network is and how to treat it. ``url`` is never shown: use :attr:`display_url`."""

    name: str
    kind: NetworkKind
    url: str | None = field(repr=False)
    chain_id: int | None
    is_dev: bool
    confirmations: int
    timeout: float
    poa: bool = False
    """Force the proof-of-authority middleware even when the extra-data does not call for it."""
    url_template: str | None = field(default=None, repr=False, compare=False)
    """The configured URL before ``${ENV}`` expansion, shown in messages instead of the secret."""

    @property
    def display_url(self) -> str:
        """The URL safe to print: unexpanded ``${ENV}`` template, without user:password."""
        if self.url is None:
            return "(in process)"
        if self.url_template is not None and _ENV_REF.search(self.url_template):
            return self.url_template
        return _strip_userinfo(self.url)


def _strip_userinfo(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    host = parts.hostname or ""
    netloc = f"***@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _looks_like_url(text: str) -> bool:
    return "://" in text


def _validate_url(url: str, *, network: str) -> str:
    shown = network if network != url else "the network URL"
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError on a bad port
    except ValueError:
        raise ConfigError(f"malformed URL for {shown}: {_strip_userinfo(url)!r} has an invalid port") from None
    if parts.scheme.lower() not in _URL_SCHEMES:
        raise ConfigError(
            f"malformed URL for {shown}: {_strip_userinfo(url)!r} must start with http://, https://, ws:// or wss://"
        )
    if not parts.hostname:
        raise ConfigError(f"malformed URL for {shown}: {_strip_userinfo(url)!r} has no host")
    if any(ch.isspace() for ch in url):
        raise ConfigError(f"malformed URL for {shown}: it contains whitespace")
    del port
    return url


def _int_field(cfg: Mapping[str, Any], key: str, network: str, *, minimum: int) -> int | None:
    value = cfg.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ConfigError(f"networks.{network}.{key} must be an integer >= {minimum}, not {value!r}")
    return value


def _timeout_field(cfg: Mapping[str, Any], network: str) -> float:
    value = cfg.get("timeout", DEFAULT_TIMEOUT)
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise ConfigError(f"networks.{network}.timeout must be a positive number of seconds, not {value!r}")
    return float(value)


def _poa_field(cfg: Mapping[str, Any], network: str) -> bool:
    value = cfg.get("poa", False)
    if not isinstance(value, bool):
        raise ConfigError(f"networks.{network}.poa must be true or false, not {value!r}")
    return value


def _network_table(project: Project | None, name: str) -> Mapping[str, Any] | None:
    if project is None:
        return None
    cfg = project.networks.get(name)
    if cfg is None:
        return None
    if not isinstance(cfg, Mapping):
        raise ConfigError(f"[networks.{name}] in the project configuration must be a table")
    unknown = set(cfg) - {"url", "chain_id", "confirmations", "timeout", "poa"}
    if unknown:
        raise ConfigError(
            f"[networks.{name}] has unknown key(s) {', '.join(sorted(unknown))}: "
            "allowed are url, chain_id, confirmations, timeout, poa"
        )
    return cfg


def resolve_network(name_or_url: str | None, project: Project | None = None) -> NetworkSpec:
    """Turn a network name or RPC URL into a :class:`NetworkSpec` (``None`` means ``dev``).

    ``project`` None means the project found from the working directory (or ``COOPETITION_PROJECT``).
    Raises :class:`UnknownNetworkError` for a name that is neither built in, configured nor a URL and
    :class:`ConfigError` for a malformed URL or configuration value.
    """
    if project is None:
        project = find_project()
    name = (name_or_url or "dev").strip()
    if not name:
        name = "dev"
    cfg = _network_table(project, name) if not _looks_like_url(name) else None

    if name == "embedded":
        cfg = cfg or {}
        if "url" in cfg:
            raise ConfigError("[networks.embedded] cannot have a url: the embedded chain runs in process")
        return NetworkSpec(
            name="embedded", kind="embedded", url=None,
            chain_id=_int_field(cfg, "chain_id", name, minimum=1),
            is_dev=True,
            confirmations=_int_field(cfg, "confirmations", name, minimum=0) or 0,
            timeout=_timeout_field(cfg, name), poa=False,
        )

    if name == "dev":
        cfg = cfg or {}
        template = cfg.get("url")
        if template is not None:
            if not isinstance(template, str):
                raise ConfigError(f"networks.dev.url must be a string, not {template!r}")
            url = _validate_url(expand_env(template), network="dev")
        else:

            template = url = devnet_url(project)
        return NetworkSpec(
            name="dev", kind="dev", url=url,
            chain_id=_int_field(cfg, "chain_id", name, minimum=1),
            is_dev=True,
            confirmations=_int_field(cfg, "confirmations", name, minimum=0) or 0,
            timeout=_timeout_field(cfg, name), poa=_poa_field(cfg, name),
            url_template=template,
        )

    if cfg is not None:
        template = cfg.get("url")
        if not isinstance(template, str) or not template.strip():
            raise ConfigError(f"[networks.{name}] needs a url (http(s):// or ws(s)://)")
        url = _validate_url(expand_env(template.strip()), network=name)
        return NetworkSpec(
            name=name, kind="rpc", url=url,
            chain_id=_int_field(cfg, "chain_id", name, minimum=1),
            is_dev=False,
            confirmations=_int_field(cfg, "confirmations", name, minimum=0) or 0,
            timeout=_timeout_field(cfg, name), poa=_poa_field(cfg, name),
            url_template=template.strip(),
        )

    if _looks_like_url(name):
        url = _validate_url(name, network=name)
        return NetworkSpec(
            name=_strip_userinfo(url), kind="rpc", url=url, chain_id=None, is_dev=False,
            confirmations=0, timeout=DEFAULT_TIMEOUT,
        )

    configured = sorted(project.networks)
    valid = ", ".join(["embedded", "dev", *[n for n in configured if n not in ("embedded", "dev")]])
    raise UnknownNetworkError(
        f"unknown network {name!r}: valid names are {valid}, or give an http(s):// or ws(s):// URL"
    )


# --------------------------------------------------------------------------------------------------
# the connected chain


@dataclass(frozen=True)
class Chain:
    """A connected network whose chain id was checked against the configuration."""

    spec: NetworkSpec
    w3: Web3 = field(repr=False, compare=False)
    chain_id: int
    genesis_hash: str
    supports_eip1559: bool
    poa: bool = False
    """True when the proof-of-authority extra-data middleware is installed."""

    @property
    def name(self) -> str:
        return self.spec.name

    def dev_accounts(self) -> tuple[LocalAccount, ...]:
        """The funded well-known accounts of ``embedded`` and ``dev``; refused on any other network."""
        if not self.spec.is_dev:
            raise AccountError(
                f"dev accounts are refused on network {self.spec.name}: "
                "use a keystore (`coopetition accounts new`)"
            )
        if self.spec.kind == "embedded":
            return _tester_accounts(self.w3)
        return anvil_dev_accounts()


def block_hash_reader(w3: Web3) -> Callable[[int], str | None]:
    """number -> the hash of that block on the node, or None when the node has no such block (the
    anchor check of :meth:`~coopetition._chain.records.DeploymentStore.check_chain`)."""

    def block_hash(number: int) -> str | None:
        try:
            block = w3.eth.get_block(number)
        except Exception as exc:
            if type(exc).__name__ == "BlockNotFound":
                return None
            raise
        return _as_hex(block["hash"])

    return block_hash


def _tester_accounts(w3: Web3) -> tuple[LocalAccount, ...]:
    from eth_account import Account

    provider = cast(Any, w3.provider)
    keys = provider.ethereum_tester.backend.account_keys
    return tuple(Account.from_key(key.to_bytes()) for key in keys)


def _unreachable(spec: NetworkSpec) -> NodeUnreachableError:
    message = f"no node answers at {spec.display_url} (network {spec.name})"
    if spec.kind == "dev":
        message += ": run `coopetition devnet start`"
    return NodeUnreachableError(message)


def _is_connection_failure(exc: BaseException) -> bool:
    if isinstance(exc, OSError | TimeoutError):
        return True
    from web3.exceptions import ProviderConnectionError, TimeExhausted

    return isinstance(exc, ProviderConnectionError | TimeExhausted)


def _raw(w3: Web3, method: str, params: list[Any], spec: NetworkSpec) -> Any:
    """One JSON-RPC call under the provider, bypassing web3's result formatters (which reject PoA
    extra-data before any middleware could be chosen)."""
    from web3.types import RPCEndpoint

    try:
        response = w3.provider.make_request(RPCEndpoint(method), params)
    except Exception as exc:
        if _is_connection_failure(exc):
            raise _unreachable(spec) from None
        raise ChainError(
            f"the node at {spec.display_url} (network {spec.name}) gave an unusable answer to {method}: "
            f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        ) from None
    return _result(response, method, spec)


def _raw_batch(w3: Web3, calls: list[tuple[str, list[Any]]], spec: NetworkSpec) -> list[Any] | None:
    """:func:`_raw` for each of ``calls`` in one JSON-RPC batch (one round trip); ``None`` when the
    provider or the node does not batch (then ask one by one)."""
    from web3.types import RPCEndpoint

    batch = getattr(w3.provider, "make_batch_request", None)
    if batch is None:
        return None
    try:
        responses = batch([(RPCEndpoint(m), p) for m, p in calls])
    except Exception as exc:
        if _is_connection_failure(exc):
            raise _unreachable(spec) from None
        return None  # NotImplementedError, or a node that refuses batches
    if not isinstance(responses, list) or len(responses) != len(calls):
        return None
    return [_result(response, method, spec) for (method, _), response in zip(calls, responses, strict=True)]


def _result(response: Any, method: str, spec: NetworkSpec) -> Any:
    if not isinstance(response, Mapping) or "result" not in response:
        error: Any = response.get("error") if isinstance(response, Mapping) else response
        if isinstance(error, Mapping):
            error = error.get("message", error)
        raise ChainError(
            f"the node at {spec.display_url} (network {spec.name}) refused {method}: {error}"
        )
    return response["result"]


def _as_int(value: Any) -> int:
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        return int(value, 16) if value.startswith(("0x", "0X")) else int(value)
    raise TypeError(f"not an integer quantity: {value!r}")


def _as_hex(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return "0x" + bytes(value).hex()
    if hasattr(value, "hex") and not isinstance(value, str):
        text = str(value.hex())
        return text if text.startswith("0x") else "0x" + text
    return str(value).lower()


def extra_data_is_poa(block: Mapping[str, Any] | None) -> bool:
    """True when a raw block's extraData is longer than the 32 bytes Ethereum allows (PoA chains)."""
    if not block:
        return False
    extra = block.get("extraData") or block.get("proofOfAuthorityData") or b""
    if isinstance(extra, str):
        digits = extra[2:] if extra.startswith(("0x", "0X")) else extra
        size = len(digits) // 2
    else:
        size = len(bytes(extra))
    return size > _POA_EXTRA_DATA_BYTES


def connect_chain(spec: NetworkSpec, *, project: Project | None = None) -> Chain:
    """Connect to ``spec``, check its chain id, and detect PoA extra-data and EIP-1559 support.

    Raises :class:`NodeUnreachableError` when nothing answers and :class:`ChainIdMismatchError` when
    the node's chain id is not the configured one; nothing is sent before these checks.
    """
    del project  # reserved: networks needing project files (e.g. IPC paths) get them from here
    from web3 import Web3

    if spec.kind == "embedded":
        from .embedded import embedded_web3

        w3 = embedded_web3()
    else:
        assert spec.url is not None
        w3 = Web3(make_provider(spec.url, spec.timeout))
    return chain_from_web3(spec, w3)


def chain_from_web3(spec: NetworkSpec, w3: Web3) -> Chain:
    """Guard an already built :class:`~web3.Web3` (any provider: IPC, a custom one) as a :class:`Chain`:
    chain-id check, PoA middleware when the extra-data needs it, EIP-1559 detection; afterwards the chain
    id is answered locally and web3's per-request validation (two ``eth_chainId`` per read) is dropped."""
    answers: list[Any] | None = None
    if spec.kind == "embedded":  # eth-tester's provider wants python values, not hex quantities
        chain_id = int(w3.eth.chain_id)
        genesis: Any = dict(w3.eth.get_block(0))
        latest: Any = dict(w3.eth.get_block("latest"))
    else:  # one round trip where the node batches (three reads: nothing is sent before the check)
        answers = _raw_batch(w3, [("eth_chainId", []), ("eth_getBlockByNumber", ["0x0", False]),
                                  ("eth_getBlockByNumber", ["latest", False])], spec)
        chain_id = _as_int(answers[0] if answers else _raw(w3, "eth_chainId", [], spec))
    if spec.chain_id is not None and chain_id != spec.chain_id:
        raise ChainIdMismatchError(
            f"network {spec.name} expects chain id {spec.chain_id} but the node at "
            f"{spec.display_url} reports {chain_id}"
        )
    if spec.kind != "embedded":
        if answers:
            genesis, latest = answers[1], answers[2]
        else:
            genesis = _raw(w3, "eth_getBlockByNumber", ["0x0", False], spec)
            latest = _raw(w3, "eth_getBlockByNumber", ["latest", False], spec)
    if not genesis or not latest:
        raise ChainError(f"the node at {spec.display_url} (network {spec.name}) returned no blocks")
    poa = spec.poa or extra_data_is_poa(genesis) or extra_data_is_poa(latest)
    if poa:
        from web3.middleware import ExtraDataToPOAMiddleware

        w3.middleware_onion.inject(ExtraDataToPOAMiddleware, layer=0)
    pin_chain_id(w3, chain_id)
    base_fee = latest.get("baseFeePerGas")
    return Chain(
        spec=spec,
        w3=w3,
        chain_id=chain_id,
        genesis_hash=_as_hex(genesis["hash"]),
        supports_eip1559=base_fee is not None,
        poa=poa,
    )


def open_chain(name_or_url: str | None = None, project: Project | None = None) -> Chain:
    """``connect_chain(resolve_network(name_or_url, project))``: the one call most code needs."""
    return connect_chain(resolve_network(name_or_url, project), project=project)
