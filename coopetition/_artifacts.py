"""Compiled contract artifacts: the one reader for every flavour, and the files the package ships.

``coopetition compile`` writes one JSON per contract inside the package (see
:mod:`coopetition._compiler`), so a ``pip install`` without Node or solc can still deploy every
contract. Everything that reads an artifact (the compiler's cache and staleness check, the bindings
generator, the suite) goes through :func:`read_artifact` / :func:`parse_artifact`, which accept:

* ``coopetition``: ours (the ``_generated`` marker), read strictly: a missing key is an error;
* ``hardhat``: Hardhat's ``hh-sol-artifact-1`` (and any JSON with ``abi`` and string ``bytecode``,
  such as a hardhat-deploy record);
* ``foundry``: Foundry's ``out/<File>.sol/<Contract>.json`` (``bytecode.object``, ``metadata``,
  ``ast``);
* ``abi``: a bare ABI list (the contract is named after the file).

Our file format (keys sorted, two-space indent, trailing newline)::

    _generated              marker: "by `coopetition compile`; do not edit"
    abi                     the ABI (list of entries)
    bytecode                "0x…" creation code (with link placeholders if it needs libraries)
    compiler                {"version": "0.8.37+commit.f401782d", "settings": {…exact solc settings…}}
    contractName, sourceName ("contracts/Consortium.sol")
    deployedBytecode        "0x…" runtime code
    deployedLinkReferences, linkReferences
    devdoc, userdoc         NatSpec
    enums                   {"Consortium.ProposalState": ["Pending", …], "Status": […]}
    metadata                the solc metadata string (no absolute paths: deterministic)
    methodIdentifiers       {"approve(uint256)": "b759f954", …}
    solcInputHash           sha256 of the canonical standard-JSON input
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from .exceptions import ArtifactError

__all__ = [
    "GENERATED_MARKER",
    "Artifact",
    "Flavour",
    "list_artifacts",
    "load_artifact",
    "parse_artifact",
    "read_artifact",
    "render_artifact",
    "write_if_changed",
]

GENERATED_MARKER = "by `coopetition compile`; do not edit"

Flavour = Literal["coopetition", "hardhat", "foundry", "abi"]


@dataclass(frozen=True)
class Artifact:
    """One compiled contract, as read from an artifact of any flavour (fields a flavour lacks are
    empty)."""

    contract_name: str
    source_name: str
    abi: tuple[dict[str, Any], ...]
    bytecode: str = ""
    deployed_bytecode: str = ""
    metadata: str = ""
    devdoc: Mapping[str, Any] = field(default_factory=dict)
    userdoc: Mapping[str, Any] = field(default_factory=dict)
    enums: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    compiler_version: str = ""
    compiler_settings: Mapping[str, Any] = field(default_factory=dict)
    solc_input_hash: str = ""
    link_references: Mapping[str, Any] = field(default_factory=dict)
    deployed_link_references: Mapping[str, Any] = field(default_factory=dict)
    method_identifiers: Mapping[str, str] = field(default_factory=dict)
    path: Path | None = field(default=None, compare=False)
    flavour: Flavour = field(default="coopetition", compare=False)

    @property
    def deployable(self) -> bool:
        """False for interfaces and abstract contracts (empty creation code) and bare ABIs."""
        return self.bytecode not in ("", "0x")

    @property
    def library(self) -> bool:
        """True for a Solidity library: its runtime code starts with ``PUSH20`` of its own address,
        left as zeros in the artifact (the call guard of library code)."""
        return self.deployed_bytecode.lower().removeprefix("0x").startswith("73" + "00" * 20)

    @property
    def needs_linking(self) -> bool:
        return bool(self.link_references)

    @property
    def generated(self) -> bool:
        """True for the artifacts ``coopetition compile`` writes (and may remove)."""
        return self.flavour == "coopetition"

    @property
    def label(self) -> str:
        """``sourceName:contractName``, else the file name, else the contract name."""
        if self.source_name:
            return f"{self.source_name}:{self.contract_name}"
        return self.path.name if self.path is not None else self.contract_name

    @classmethod
    def from_json(cls, data: Any, *, path: Path | None = None) -> Artifact:
        """Build from parsed artifact JSON of any flavour (see :func:`parse_artifact`)."""
        return parse_artifact(data, path=path)


def parse_artifact(data: Any, *, path: Path | None = None) -> Artifact:
    """Read parsed artifact JSON of any flavour; a malformed one is a one-line :class:`ArtifactError`."""
    where = str(path) if path is not None else "artifact"
    if isinstance(data, Mapping) and data.get("_generated") == GENERATED_MARKER:
        return _ours(data, path, where)
    if isinstance(data, list):
        return _foreign({"abi": data}, path, where, "abi")
    if not isinstance(data, Mapping):
        raise ArtifactError(f"{where}: expected a JSON object (artifact) or list (ABI), got {type(data).__name__}")
    if "abi" not in data:
        raise ArtifactError(f"{where}: no ABI in this JSON (expected an artifact with an 'abi' key or an ABI list)")
    foundry = isinstance(data.get("bytecode"), Mapping) or ("ast" in data and "contractName" not in data)
    return _foreign(data, path, where, "foundry" if foundry else "hardhat")


def _ours(data: Mapping[str, Any], path: Path | None, where: str) -> Artifact:
    try:
        compiler = data["compiler"]
        enums = data.get("enums", {})
        return Artifact(
            contract_name=_str(data["contractName"]),
            source_name=_str(data["sourceName"]),
            abi=tuple(dict(item) for item in data["abi"]),
            bytecode=_str(data["bytecode"]),
            deployed_bytecode=_str(data["deployedBytecode"]),
            metadata=_str(data.get("metadata", "")),
            devdoc=dict(data.get("devdoc", {})),
            userdoc=dict(data.get("userdoc", {})),
            enums={str(k): tuple(str(m) for m in v) for k, v in dict(enums).items()},
            compiler_version=_str(compiler["version"]),
            compiler_settings=dict(compiler.get("settings", {})),
            solc_input_hash=_str(data.get("solcInputHash", "")),
            link_references=dict(data.get("linkReferences", {})),
            deployed_link_references=dict(data.get("deployedLinkReferences", {})),
            method_identifiers=dict(data.get("methodIdentifiers", {})),
            path=path,
        )
    except KeyError as exc:
        raise ArtifactError(f"{where} lacks the key {exc.args[0]!r}: regenerate it with `coopetition compile`") from None
    except (TypeError, ValueError, AttributeError):
        raise ArtifactError(f"{where} is malformed: regenerate it with `coopetition compile`") from None


def _foreign(data: Mapping[str, Any], path: Path | None, where: str, flavour: Flavour) -> Artifact:
    """Hardhat, Foundry or a bare ABI: every key but the ABI is optional."""
    abi_raw = data["abi"]
    if isinstance(abi_raw, str):
        try:
            abi_raw = json.loads(abi_raw)
        except ValueError:
            raise ArtifactError(f"{where}: its 'abi' is a string that is not JSON") from None
    if not isinstance(abi_raw, list) or not all(isinstance(e, Mapping) for e in abi_raw):
        raise ArtifactError(f"{where}: the ABI must be a list of objects")
    meta = _metadata(data)
    target = _mapping(_mapping(meta.get("settings")).get("compilationTarget"))
    target_source, target_name = next(iter(target.items()), ("", ""))
    stem = path.name.split(".")[0] if path is not None else ""
    name = str(data.get("contractName") or target_name or stem)
    if not name:
        raise ArtifactError(f"{where}: cannot tell the contract's name (no contractName, no file name)")
    enums: dict[str, tuple[str, ...]] = {}
    if isinstance(data.get("enums"), Mapping):
        enums = {str(k): tuple(str(m) for m in v) for k, v in data["enums"].items()}
    elif "ast" in data:
        _enums_from_ast(data["ast"], enums)
    output = _mapping(meta.get("output"))
    bytecode, links = _code(data.get("bytecode"), data.get("linkReferences"))
    deployed, deployed_links = _code(data.get("deployedBytecode"), data.get("deployedLinkReferences"))
    raw_meta = data.get("rawMetadata", data.get("metadata"))
    settings = meta.get("settings")
    return Artifact(
        contract_name=name,
        source_name=str(data.get("sourceName") or target_source or ""),
        abi=tuple(dict(e) for e in abi_raw),
        bytecode=bytecode,
        deployed_bytecode=deployed,
        metadata=raw_meta if isinstance(raw_meta, str) else (json.dumps(meta, sort_keys=True) if meta else ""),
        devdoc=_mapping(data.get("devdoc") or output.get("devdoc")),
        userdoc=_mapping(data.get("userdoc") or output.get("userdoc")),
        enums=enums,
        compiler_version=str(_mapping(meta.get("compiler")).get("version") or data.get("compilerVersion") or ""),
        compiler_settings=dict(settings) if isinstance(settings, Mapping) else {},
        solc_input_hash=str(data.get("solcInputHash") or ""),
        link_references=links,
        deployed_link_references=deployed_links,
        method_identifiers={str(k): str(v) for k, v in _mapping(data.get("methodIdentifiers")).items()},
        path=path,
        flavour=flavour,
    )


def _mapping(value: Any) -> dict[str, Any]:
    return dict(value) if isinstance(value, Mapping) else {}


def _code(value: Any, links: Any) -> tuple[str, dict[str, Any]]:
    """``0x``-prefixed code and its link references, from a string (Hardhat) or ``{"object": …}``
    (Foundry)."""
    if isinstance(value, Mapping):
        links = value.get("linkReferences", links)
        value = value.get("object")
    if not isinstance(value, str) or not value:
        return "", _mapping(links)
    return (value if value.startswith("0x") else "0x" + value), _mapping(links)


def _metadata(data: Mapping[str, Any]) -> dict[str, Any]:
    """The solc metadata, whether given as a JSON string or an object (``rawMetadata`` or ``metadata``)."""
    for key in ("metadata", "rawMetadata"):
        meta = data.get(key)
        if isinstance(meta, str) and meta.strip().startswith("{"):
            try:
                meta = json.loads(meta)
            except ValueError:
                continue
        if isinstance(meta, Mapping):
            return dict(meta)
    return {}


def _enums_from_ast(node: Any, out: dict[str, tuple[str, ...]]) -> None:
    if isinstance(node, list):
        for child in node:
            _enums_from_ast(child, out)
    elif isinstance(node, dict):
        if node.get("nodeType") == "EnumDefinition" and "canonicalName" in node:
            out[str(node["canonicalName"])] = tuple(
                str(m.get("name")) for m in node.get("members", ()) if isinstance(m, dict)
            )
        for value in node.values():
            if isinstance(value, (list, dict)):
                _enums_from_ast(value, out)


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def read_artifact(path: Path | str) -> Artifact:
    """Read one artifact file of any flavour; any problem is a one-line :class:`ArtifactError`."""
    path = Path(path)
    if path.suffix in (".sol", ".vy"):
        raise ArtifactError(
            f"{path}: a contract source, not an artifact; compile it (coopetition compile) and give the artifact JSON"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ArtifactError(f"no artifact at {path}") from None
    except IsADirectoryError:
        raise ArtifactError(f"{path}: is a directory, not an artifact file") from None
    except OSError as exc:
        raise ArtifactError(f"cannot read the artifact {path}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise ArtifactError(f"cannot read the artifact {path}: not a text file (expected artifact JSON)") from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        msg = getattr(exc, "msg", str(exc))
        line = getattr(exc, "lineno", "?")
        raise ArtifactError(f"cannot read the artifact {path}: not valid JSON ({msg} at line {line})") from None
    return parse_artifact(data, path=path)


def _package_dir() -> Path:
    """The artifacts shipped in the package (a real folder for every normal install)."""
    try:
        where = resources.files("coopetition").joinpath("artifacts")
        if isinstance(where, Path):
            return where
    except (ModuleNotFoundError, NotADirectoryError, TypeError):
        pass
    return Path(__file__).resolve().parent / "artifacts"


def load_artifact(name: str, *, search: Sequence[Path] | None = None) -> Artifact:
    """The artifact of contract ``name``, from ``search`` folders (default: the package's own)."""
    folders = list(search) if search is not None else [_package_dir()]
    for folder in folders:
        candidate = Path(folder) / f"{name}.json"
        if candidate.is_file():
            return read_artifact(candidate)
    where = ", ".join(str(f) for f in folders) or "nowhere"
    raise ArtifactError(
        f"no artifact for contract {name!r} (looked in {where}): run `coopetition compile`"
    )


def list_artifacts(*, search: Sequence[Path] | None = None) -> list[str]:
    """Names of the contracts with an artifact (default: shipped in the package), sorted."""
    folders = list(search) if search is not None else [_package_dir()]
    names: set[str] = set()
    for folder in folders:
        if Path(folder).is_dir():
            names.update(p.stem for p in Path(folder).glob("*.json"))
    return sorted(names)


def render_artifact(data: Mapping[str, Any]) -> str:
    """The canonical text of an artifact: sorted keys, two-space indent, trailing newline."""
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def write_if_changed(path: Path, text: str) -> bool:
    """Atomically write ``text`` to ``path`` unless it already holds exactly that; True if written."""
    encoded = text.encode()
    try:
        if path.read_bytes() == encoded:
            return False
    except OSError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(encoded)
    os.replace(tmp, path)
    return True
