"""Compiled contract artifacts: one JSON per contract, shipped inside the package.

``coopetition compile`` writes them (see :mod:`coopetition._compiler`); everything else reads them
through :func:`load_artifact`, so a ``pip install`` without Node or solc can still deploy every
contract. The file format (keys sorted, two-space indent, trailing newline)::

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
from typing import Any

from .exceptions import ArtifactError

__all__ = [
    "GENERATED_MARKER",
    "Artifact",
    "list_artifacts",
    "load_artifact",
    "read_artifact",
]

GENERATED_MARKER = "by `coopetition compile`; do not edit"


@dataclass(frozen=True)
class Artifact:
    """One compiled contract, as read from its artifact JSON."""

    contract_name: str
    source_name: str
    abi: tuple[dict[str, Any], ...]
    bytecode: str
    deployed_bytecode: str
    metadata: str
    devdoc: Mapping[str, Any]
    userdoc: Mapping[str, Any]
    enums: Mapping[str, tuple[str, ...]]
    compiler_version: str
    compiler_settings: Mapping[str, Any]
    solc_input_hash: str
    link_references: Mapping[str, Any] = field(default_factory=dict)
    deployed_link_references: Mapping[str, Any] = field(default_factory=dict)
    method_identifiers: Mapping[str, str] = field(default_factory=dict)
    path: Path | None = field(default=None, compare=False)

    @property
    def deployable(self) -> bool:
        """False for interfaces and abstract contracts (empty creation code)."""
        return self.bytecode not in ("", "0x")

    @property
    def needs_linking(self) -> bool:
        return bool(self.link_references)

    @classmethod
    def from_json(cls, data: Mapping[str, Any], *, path: Path | None = None) -> Artifact:
        """Build from the parsed artifact JSON; a missing or ill-typed key is an ArtifactError."""
        where = str(path) if path is not None else "artifact"
        try:
            compiler = data["compiler"]
            enums = data.get("enums", {})
            return cls(
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


def _str(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(value)
    return value


def read_artifact(path: Path | str) -> Artifact:
    """Read one artifact file (ours, or any JSON with the same keys)."""
    path = Path(path)
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        raise ArtifactError(f"no artifact at {path}") from None
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"cannot read the artifact {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ArtifactError(f"{path} is not a JSON object")
    return Artifact.from_json(data, path=path)


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
