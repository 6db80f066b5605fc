"""Naming rules of the generated bindings: snake_case/CamelCase of Solidity names, the names a
generated module reserves, and unique allocation (see the rules in :mod:`coopetition._bindgen`)."""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Mapping
from typing import Any

__all__ = [
    "BUILTINS",
    "CONTRACT_RESERVED",
    "ERROR_RESERVED",
    "EVENT_RESERVED",
    "MODULE_RESERVED",
    "PARAM_RESERVED",
    "PY_RESERVED",
    "STRUCT_RESERVED",
    "camel",
    "field_name",
    "module_name",
    "param_name",
    "snake",
    "type_token",
    "unique",
]

PY_RESERVED = set(keyword.kwlist) | set(keyword.softkwlist) - {"_"}
BUILTINS = {n for n in dir(builtins) if not n.startswith("_")}
# parameters must not shadow what the generated method bodies use
PARAM_RESERVED = {
    "self", "cls", "value", "block_identifier", "from_block", "to_block", "out", "filters", "logs",
    "checksum", "field", "json", "events_in", "register_errors",
}
CONTRACT_RESERVED = {
    "w3", "address", "sender", "events", "abi", "contract_name", "with_sender",
    "encode_deploy_args",
}
EVENT_RESERVED = {
    "block_number", "transaction_hash", "log_index", "address", "event_name", "signature",
    "from_decoded", "from_result",
}
STRUCT_RESERVED = {"from_abi", "to_abi"}
ERROR_RESERVED = {
    "args", "data", "contract", "args_values", "error_name", "signature", "selector", "arg_names",
    "with_traceback", "add_note", "_convert_args",
}
# names the generated module imports or defines itself
MODULE_RESERVED = {
    "ABI", "ERRORS", "Any", "BlockIdentifier", "BoundContract", "ClassVar", "ContractCustomError",
    "DecodedEvent", "Decimal", "EventsBase", "IntEnum", "Sender", "Sequence", "TYPE_CHECKING",
    "TxResult", "Web3", "annotations", "checksum", "dataclass", "field", "json", "register_errors",
    "events_in",
}


def snake(name: str) -> str:
    """snake_case of a Solidity identifier (``addShape`` → ``add_shape``, ``getURI`` → ``get_uri``)."""
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    s = re.sub(r"[^0-9a-zA-Z_]", "_", s).lower()
    s = re.sub(r"_+", "_", s).strip("_")
    return s


def camel(name: str) -> str:
    """CamelCase for a class name (``add_shape`` → ``AddShape``; ``Point`` stays ``Point``)."""
    parts = [p for p in re.split(r"[^0-9a-zA-Z]+", snake(name)) if p]
    if not parts:
        return "X"
    if "_" not in name and name[:1].isupper() and name.isidentifier():
        return name
    out = "".join(p[:1].upper() + p[1:] for p in parts)
    return out if out[:1].isalpha() else "X" + out


def module_name(contract: str) -> str:
    """File stem of a contract's generated module: ``JointVentureEscrow`` → ``joint_venture_escrow``."""
    s = snake(contract) or "contract"
    if s[0].isdigit() or keyword.iskeyword(s):
        s = "c_" + s
    return s


def param_name(raw: str, index: int, prefix: str, taken: set[str]) -> str:
    name = snake(raw) or f"{prefix}{index}"
    if name[0].isdigit():
        name = f"{prefix}_{name}"
    if name in PY_RESERVED or name in BUILTINS or name in PARAM_RESERVED:
        name += "_"
    return unique(name, taken)


def field_name(raw: str, index: int, prefix: str, reserved: set[str], taken: set[str]) -> str:
    name = snake(raw) or f"{prefix}{index}"
    if name[0].isdigit():
        name = f"{prefix}_{name}"
    if name in PY_RESERVED or name in reserved:
        name += "_"
    return unique(name, taken)


def unique(name: str, taken: set[str]) -> str:
    candidate = name
    n = 2
    while candidate in taken:
        candidate = f"{name}_{n}"
        n += 1
    taken.add(candidate)
    return candidate


def type_token(param: Mapping[str, Any]) -> str:
    typ = str(param.get("type", ""))
    base = "tuple" if typ.startswith("tuple") else re.sub(r"\[.*$", "", typ)
    dims = re.findall(r"\[(\d*)\]", typ)
    return base + "".join(f"_array{d}" for d in dims)
