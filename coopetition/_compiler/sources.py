"""The sources of a compile: every ``.sol`` under ``contracts/`` and what it imports, gathered into
standard-JSON compile units.

Compilation hands solc the *contents* of every source keyed by its project-relative path, so the
metadata (and with it the bytecode) never contains a machine-specific path. ``@openzeppelin/``-style
imports resolve to ``node_modules`` through remappings. Sources under ``contracts/test/`` form a
second compile unit whose artifacts go to ``tests/artifacts/`` and are not shipped.

A project may compile some of its sources with other optimizer settings, as Foundry's compilation
restrictions do: each ``[[tool.coopetition.compiler.profiles]]`` (or ``[[compiler.profiles]]`` in
``coopetition.toml``) names its ``sources`` (project-relative, outside ``contracts/test/``), its
``optimizer_runs`` and whether it goes ``via_ir``; those sources (and what they deploy with ``new``)
are compiled in a unit of their own and their artifacts go with the others.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._project import Project
from ..exceptions import CompilerError, ConfigError

__all__ = [
    "CONTRACT_RE",
    "EVM_VERSION",
    "OPTIMIZER_RUNS",
    "Profile",
    "Unit",
    "canonical",
    "compile_units",
    "out_dirs",
    "strip_comments",
]

EVM_VERSION = "cancun"
"""Runs on py-evm 0.12 (eth-tester), anvil 1.7 and every current L2."""

OPTIMIZER_RUNS = 200

_OUTPUTS = (
    "abi",
    "devdoc",
    "evm.bytecode.linkReferences",
    "evm.bytecode.object",
    "evm.deployedBytecode.linkReferences",
    "evm.deployedBytecode.object",
    "evm.methodIdentifiers",
    "metadata",
    "userdoc",
)

_TOKEN_RE = re.compile(
    r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|(//[^\n]*|/\*.*?\*/)', re.DOTALL
)
_IMPORT_RE = re.compile(r"\bimport\b[^;\"']*[\"']([^\"']+)[\"'][^;]*;")
CONTRACT_RE = re.compile(r"\b(?:contract|library|interface)\s+([A-Za-z_$][\w$]*)")


def strip_comments(source: str) -> str:
    return _TOKEN_RE.sub(lambda m: " " if m.group(1) else m.group(0), source)


@dataclass(frozen=True)
class Unit:
    """One standard-JSON compile: its input, the sources that get artifacts, where they go."""

    name: str
    input: dict[str, Any]
    input_hash: str
    targets: tuple[str, ...]
    out_dir: Path
    imports: Mapping[str, tuple[str, ...]] = field(compare=False)

    def closure(self, source: str) -> list[str]:
        seen: list[str] = []
        stack = [source]
        while stack:
            item = stack.pop()
            if item in seen:
                continue
            seen.append(item)
            stack.extend(self.imports.get(item, ()))
        return seen


def canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _rel(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()


@dataclass(frozen=True)
class Profile:
    """Compiler settings for some of a project's sources (``[[compiler.profiles]]``)."""

    name: str
    sources: tuple[str, ...]
    optimizer_runs: int = OPTIMIZER_RUNS
    via_ir: bool = False


def profiles(project: Project, files: Sequence[str], test_prefix: str) -> list[Profile]:
    """The project's compiler profiles, checked against its sources ``files``."""
    table = project.config.get("compiler", {})
    raw = table.get("profiles", []) if isinstance(table, dict) else None
    if not isinstance(raw, list) or not all(isinstance(p, dict) for p in raw):
        raise ConfigError("compiler.profiles in the project configuration must be an array of tables")
    found: list[Profile] = []
    claimed: dict[str, str] = {}
    for i, entry in enumerate(raw, 1):
        name = entry.get("name", f"profile{i}")
        unknown = sorted(set(entry) - {"name", "sources", "optimizer_runs", "via_ir"})
        sources = entry.get("sources")
        runs = entry.get("optimizer_runs", OPTIMIZER_RUNS)
        via_ir = entry.get("via_ir", False)
        where = f"compiler profile {name!r}"
        if not isinstance(name, str) or not name or name in ("main", "test"):
            raise ConfigError(f"{where}: name must be a word other than main and test")
        if unknown:
            raise ConfigError(f"{where}: unknown key {unknown[0]!r} (use sources, optimizer_runs, via_ir)")
        if not isinstance(sources, list) or not sources or not all(isinstance(x, str) for x in sources):
            raise ConfigError(f"{where}: sources must be a non-empty list of paths such as \"contracts/A.sol\"")
        if isinstance(runs, bool) or not isinstance(runs, int) or not 1 <= runs < 2**32:
            raise ConfigError(f"{where}: optimizer_runs must be a whole number from 1 to 4294967295")
        if not isinstance(via_ir, bool):
            raise ConfigError(f"{where}: via_ir must be true or false")
        for source in sources:
            if source not in files or source.startswith(test_prefix):
                raise ConfigError(f"{where}: {source} is not a contract source outside the test folder")
            if source in claimed:
                raise ConfigError(f"{where}: {source} is already in compiler profile {claimed[source]!r}")
            claimed[source] = name
        found.append(Profile(name, tuple(sources), runs, via_ir))
    return found


def _settings(remappings: Iterable[str], profile: Profile | None = None) -> dict[str, Any]:
    settings: dict[str, Any] = {
        "evmVersion": EVM_VERSION,
        "optimizer": {"enabled": True, "runs": profile.optimizer_runs if profile else OPTIMIZER_RUNS},
        "outputSelection": {"*": {"*": list(_OUTPUTS), "": ["ast"]}},
        "remappings": sorted(remappings),
    }
    if profile is not None and profile.via_ir:
        settings["viaIR"] = True
    return settings


_Read = dict[str, tuple[str, tuple[str, ...]] | None]
"""Per project-relative path: its text and the import targets it names (None: unreadable)."""


def _read(root: Path, unit: str, read: _Read) -> tuple[str, tuple[str, ...]] | None:
    """``unit``'s text and import targets, read once per compile however many units import it."""
    if unit not in read:
        try:
            text = (root / unit).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            read[unit] = None  # solc reports the missing import with the importing file and line
        else:
            read[unit] = (text, tuple(_IMPORT_RE.findall(strip_comments(text))))
    return read[unit]


def _gather(
    project: Project, roots: Sequence[str], read: _Read
) -> tuple[dict[str, str], dict[str, tuple[str, ...]], set[str]]:
    """Read ``roots`` and everything they import; returns contents, the import graph, remappings."""
    root = project.root
    nm_rel = _rel(project.node_modules, root)
    contents: dict[str, str] = {}
    graph: dict[str, tuple[str, ...]] = {}
    remaps: dict[str, str] = {}
    queue = list(roots)
    while queue:
        unit = queue.pop()
        if unit in contents:
            continue
        found = _read(root, unit, read)
        if found is None:
            continue
        text, targets = found
        contents[unit] = text
        deps: list[str] = []
        for target in targets:
            resolved = _resolve(unit, target, root, nm_rel, remaps)
            deps.append(resolved)
            if resolved not in contents:
                queue.append(resolved)
        graph[unit] = tuple(deps)
    return contents, graph, {f"{prefix}={target}" for prefix, target in remaps.items()}


def _resolve(importer: str, target: str, root: Path, nm_rel: str, remaps: dict[str, str]) -> str:
    if target.startswith(("./", "../")):
        return posixpath.normpath(posixpath.join(posixpath.dirname(importer), target))
    for prefix in sorted(remaps, key=len, reverse=True):
        if target.startswith(prefix):
            return remaps[prefix] + target[len(prefix) :]
    if (root / target).is_file():
        return target
    parts = target.split("/")
    package = "/".join(parts[:2]) if target.startswith("@") else parts[0]
    if len(parts) > (2 if target.startswith("@") else 1) and (root / nm_rel / package).is_dir():
        remaps[f"{package}/"] = f"{nm_rel}/{package}/"
        return f"{nm_rel}/{target}"
    return target


def out_dirs(project: Project) -> tuple[Path, Path]:
    main = project.root / str(project.config.get("artifacts", "coopetition/artifacts"))
    test = project.root / str(project.config.get("test_artifacts", "tests/artifacts"))
    return main, test


def compile_units(
    project: Project, artifacts_dir: Path | None = None, test_artifacts_dir: Path | None = None
) -> list[Unit]:
    root = project.root
    contracts = project.contracts_dir
    if not contracts.is_dir():
        raise CompilerError(f"no contracts folder at {contracts}")
    files = sorted(_rel(p, root) for p in contracts.rglob("*.sol") if p.is_file())
    if not files:
        raise CompilerError(f"no Solidity sources (*.sol) under {contracts}")
    test_prefix = _rel(contracts / "test", root) + "/"
    default_main, default_test = out_dirs(project)
    own = profiles(project, files, test_prefix)
    profiled = {source for profile in own for source in profile.sources}
    main_dir = artifacts_dir or default_main
    groups: list[tuple[str, list[str], Path, Profile | None]] = [
        ("main", [f for f in files if not f.startswith(test_prefix) and f not in profiled], main_dir, None),
        *((p.name, list(p.sources), main_dir, p) for p in own),
        ("test", [f for f in files if f.startswith(test_prefix)], test_artifacts_dir or default_test, None),
    ]
    units = []
    read: _Read = {}  # the units share most of their imports
    for name, targets, out_dir, profile in groups:
        if not targets:
            continue
        contents, graph, remaps = _gather(project, targets, read)
        data = {
            "language": "Solidity",
            "sources": {key: {"content": contents[key]} for key in sorted(contents)},
            "settings": _settings(remaps, profile),
        }
        units.append(
            Unit(name, data, hashlib.sha256(canonical(data)).hexdigest(), tuple(targets), out_dir, graph)
        )
    return units
