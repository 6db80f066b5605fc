"""Find a Solidity compiler, compile ``contracts/`` and write the artifacts the package ships.

Discovery order (:func:`find_compiler`):

1. an explicit path: the ``solc`` argument (``coopetition compile --solc PATH``) or ``COOPETITION_SOLC``;
2. a native solc installed for py-solc-x (``solc-v0.8.37`` in its install folder, which
   ``SOLCX_BINARY_PATH`` overrides);
3. a ``solc`` on ``PATH`` whose ``--version`` is the pinned version;
4. the pinned solc-js from the project's ``node_modules`` through the Node bridge
   (``coopetition/_compiler/solc-bridge.cjs``), run by a small launcher written to
   ``.coopetition/bin/solc`` so that py-solc-x (and slither) can call it like a native binary.

py-solc-x drives every backend the same way (``solcx.compile_standard(..., solc_binary=PATH)``).

Compilation hands solc the *contents* of every source keyed by its project-relative path, so the
metadata (and with it the bytecode) never contains a machine-specific path. Sources under
``contracts/test/`` form a second compile unit whose artifacts go to ``tests/artifacts/`` and are not
shipped. An unchanged tree is detected from a content hash before any compiler is looked for, so a
no-op ``coopetition compile`` spawns no process at all.

This module is imported by the CLI's fast path: keep heavy imports (solcx, web3) inside functions.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import re
import shlex
import shutil
import stat
import subprocess
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from .._artifacts import (
    GENERATED_MARKER,
    Artifact,
    read_artifact,
    render_artifact,
    write_if_changed,
)
from .._project import Project, find_project
from ..exceptions import ArtifactError, CompilationError, CompilerError, CompilerNotFoundError

__all__ = [
    "EVM_VERSION",
    "SOLC_VERSION",
    "CompileResult",
    "SolcCompiler",
    "check_artifacts",
    "compile_project",
    "find_compiler",
]

SOLC_VERSION = "0.8.37"
"""The compiler version every contract pins (``pragma solidity 0.8.37;``)."""

EVM_VERSION = "cancun"
"""Runs on py-evm 0.12 (eth-tester), anvil 1.7 and every current L2."""

OPTIMIZER_RUNS = 200

# Bump when the artifact format or the compile settings change, so cached trees recompile.
_FORMAT = 1

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

_NOT_FOUND_HINT = (
    f"no Solidity compiler {SOLC_VERSION} found: run `npm ci` in the project for the pinned solc-js "
    f"(needs Node), or give a native solc {SOLC_VERSION} with --solc PATH or COOPETITION_SOLC"
)

CompilerKind = Literal["explicit", "solcx", "path", "solcjs"]

_KIND_LABEL: dict[str, str] = {
    "explicit": "explicit path",
    "solcx": "native, installed for py-solc-x",
    "path": "native, from PATH",
    "solcjs": "solc-js through the Node bridge",
}


@dataclass(frozen=True)
class SolcCompiler:
    """The compiler :func:`find_compiler` chose.

    ``path`` is what py-solc-x receives as ``solc_binary``: the native binary, or for ``solcjs`` the
    generated launcher that runs ``node solc-bridge.cjs``. ``version`` is ``"0.8.37+commit.f401782d"``
    (no platform suffix, identical for every backend).
    """

    kind: CompilerKind
    path: Path
    version: str

    @property
    def short_version(self) -> str:
        return self.version.split("+", 1)[0]

    def describe(self) -> str:
        return f"solc {self.version} ({_KIND_LABEL[self.kind]}: {self.path})"


@dataclass(frozen=True)
class CompileResult:
    """What :func:`compile_project` did.

    ``compiler`` made the artifacts: when the tree was unchanged (``cached``) no compiler is looked for
    and this is the one recorded in the cache by the compile that wrote them. ``contracts`` names every contract that has an artifact; ``written``/``unchanged``/``removed`` are
    artifact files.
    """

    compiler: SolcCompiler
    contracts: tuple[str, ...]
    written: tuple[Path, ...]
    unchanged: tuple[Path, ...]
    removed: tuple[Path, ...]
    cached: bool
    seconds: float
    warnings: tuple[str, ...] = ()


# --------------------------------------------------------------------------------------------------
# discovery

_VERSION_RE = re.compile(r"(\d+\.\d+\.\d+)(?:-nightly[\w.]*)?\+commit\.([0-9a-f]+)")


def _probe_version(binary: Path) -> str | None:
    """``"0.8.37+commit.f401782d"`` from ``binary --version``, or None when it does not answer so."""
    try:
        proc = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION_RE.search(proc.stdout)
    if proc.returncode != 0 or match is None:
        return None
    return f"{match.group(1)}+commit.{match.group(2)}"


def _is_executable(path: Path) -> bool:
    return path.is_file() and os.access(path, os.X_OK)


def _solcx_folder() -> Path:
    env = os.environ.get("SOLCX_BINARY_PATH")
    if env:
        return Path(env).expanduser()
    try:
        from solcx import get_solcx_install_folder

        return Path(str(get_solcx_install_folder()))
    except Exception:  # pragma: no cover - py-solc-x is a dependency; be safe anyway
        return Path.home() / ".solcx"


def bridge_script() -> Path:
    """The Node bridge shipped inside the package."""
    return Path(__file__).resolve().parent / "solc-bridge.cjs"


def find_compiler(
    project: Project | None = None,
    *,
    solc: str | Path | None = None,
    version: str = SOLC_VERSION,
) -> SolcCompiler:
    """Choose the compiler for ``project`` in the documented order.

    Raises :class:`CompilerNotFoundError` (one line naming both ways to get a compiler) when none is
    found, and :class:`CompilerError` when an explicitly given one is unusable.
    """
    project = project or find_project()
    explicit = solc if solc is not None else os.environ.get("COOPETITION_SOLC") or None
    if explicit is not None:
        path = Path(explicit).expanduser()
        if not path.exists() and os.sep not in str(explicit):
            on_path = shutil.which(str(explicit))  # `--solc solc-0.8.37`: a name looked up on PATH
            path = Path(on_path) if on_path else path
        return _explicit_compiler(path, version)

    candidate = _solcx_folder() / f"solc-v{version}"
    if candidate.is_dir():  # the Windows layout: a folder holding solc.exe
        candidate = candidate / "solc.exe"
    if _is_executable(candidate):
        found = _probe_version(candidate)
        if found is not None and found.split("+")[0] == version:
            return SolcCompiler("solcx", candidate, found)

    on_path = shutil.which("solc")
    if on_path is not None:
        found = _probe_version(Path(on_path))
        if found is not None and found.split("+")[0] == version:
            return SolcCompiler("path", Path(on_path), found)

    return _solcjs_compiler(project, version)


def _explicit_compiler(path: Path, version: str) -> SolcCompiler:
    if not path.exists():
        raise CompilerNotFoundError(
            f"the solc given by --solc/COOPETITION_SOLC does not exist: {path}"
        )
    if not _is_executable(path):
        raise CompilerNotFoundError(
            f"the solc given by --solc/COOPETITION_SOLC is not an executable file: {path}"
        )
    found = _probe_version(path)
    if found is None:
        raise CompilerError(f"{path} does not answer `--version` like solc does")
    if found.split("+")[0] != version:
        raise CompilerError(
            f"{path} is solc {found}, but the contracts pin {version}: "
            f"give a solc {version} with --solc/COOPETITION_SOLC"
        )
    return SolcCompiler("explicit", path.resolve(), found)


def _solcjs_compiler(project: Project, version: str) -> SolcCompiler:
    node = shutil.which("node")
    solcjs = project.node_modules / "solc"
    package_json = solcjs / "package.json"
    if node is None or not package_json.is_file():
        raise CompilerNotFoundError(_NOT_FOUND_HINT)
    try:
        package_text = package_json.read_text()
        npm_version = json.loads(package_text).get("version")
    except (OSError, ValueError):
        raise CompilerNotFoundError(_NOT_FOUND_HINT) from None
    if npm_version != version:
        raise CompilerNotFoundError(
            f"node_modules/solc is solc-js {npm_version}, not {version}: run `npm ci` in the project, "
            f"or give a native solc {version} with --solc PATH or COOPETITION_SOLC"
        )
    bridge = bridge_script()
    key = hashlib.sha256(
        "\0".join(
            [node, str(bridge), bridge.read_text(), str(solcjs.resolve()), package_text]
        ).encode()
    ).hexdigest()
    launcher, full_version = _materialise_launcher(project, Path(node), bridge, solcjs.resolve(), key)
    return SolcCompiler("solcjs", launcher, full_version)


def _launcher_dirs(project: Project) -> list[Path]:
    cache_home = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return [project.state_dir / "bin", Path(cache_home) / "coopetition" / "bin"]


def _materialise_launcher(
    project: Project, node: Path, bridge: Path, solcjs: Path, key: str
) -> tuple[Path, str]:
    """Write (once) the executable shell launcher for the bridge; return it and the full version.

    The launcher answers ``--version`` itself (py-solc-x asks before every compile, and loading
    solc-js costs half a second), with the version solc-js reported when the launcher was written.
    """
    for directory in _launcher_dirs(project):
        launcher = directory / "solc"
        try:
            existing = launcher.read_text() if launcher.is_file() else ""
        except OSError:
            existing = ""
        match = re.search(r"^# key: (\w+)\n# version: (\S+)$", existing, re.MULTILINE)
        if match and match.group(1) == key and _is_executable(launcher):
            return launcher, match.group(2)
        version = _solcjs_version(node, bridge, solcjs)
        text = _launcher_text(node, bridge, solcjs, key, version)
        try:
            directory.mkdir(parents=True, exist_ok=True)
            tmp = directory / f".solc.{os.getpid()}.tmp"
            tmp.write_text(text)
            tmp.chmod(tmp.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
            os.replace(tmp, launcher)
        except OSError:
            continue
        return launcher, version
    raise CompilerError(
        f"cannot write the solc-js launcher under {project.state_dir / 'bin'} or the user cache"
    )


def _solcjs_version(node: Path, bridge: Path, solcjs: Path) -> str:
    env = {**os.environ, "COOPETITION_SOLCJS": str(solcjs)}
    try:
        proc = subprocess.run(
            [str(node), str(bridge), "--version"],
            capture_output=True, text=True, timeout=120, env=env, check=False,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise CompilerError(f"the solc-js bridge could not be started: {exc}") from None
    match = _VERSION_RE.search(proc.stdout)
    if proc.returncode != 0 or match is None:
        detail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        raise CompilerError(f"the solc-js bridge does not work ({detail}): run `npm ci` in the project")
    return f"{match.group(1)}+commit.{match.group(2)}"


def _launcher_text(node: Path, bridge: Path, solcjs: Path, key: str, version: str) -> str:
    return (
        "#!/bin/sh\n"
        "# Generated by coopetition: runs the pinned solc-js through the Node bridge like a native solc.\n"
        f"# key: {key}\n"
        f"# version: {version}\n"
        'if [ "$#" -eq 1 ] && [ "$1" = "--version" ]; then\n'
        "  printf '%s\\n' 'solc, the solidity compiler commandline interface' "
        f"'Version: {version}.Linux.g++'\n"
        "  exit 0\n"
        "fi\n"
        f"COOPETITION_SOLCJS={shlex.quote(str(solcjs))}\n"
        "export COOPETITION_SOLCJS\n"
        f'exec {shlex.quote(str(node))} {shlex.quote(str(bridge))} "$@"\n'
    )


# --------------------------------------------------------------------------------------------------
# sources and the standard-JSON input

_TOKEN_RE = re.compile(
    r'"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\'|(//[^\n]*|/\*.*?\*/)', re.DOTALL
)
_IMPORT_RE = re.compile(r"\bimport\b[^;\"']*[\"']([^\"']+)[\"'][^;]*;")
_CONTRACT_RE = re.compile(r"\b(?:contract|library|interface)\s+([A-Za-z_$][\w$]*)")


def _strip_comments(source: str) -> str:
    return _TOKEN_RE.sub(lambda m: " " if m.group(1) else m.group(0), source)


@dataclass(frozen=True)
class _Unit:
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


def _canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def _rel(path: Path, root: Path) -> str:
    return Path(os.path.relpath(path, root)).as_posix()


def _settings(remappings: Iterable[str]) -> dict[str, Any]:
    return {
        "evmVersion": EVM_VERSION,
        "optimizer": {"enabled": True, "runs": OPTIMIZER_RUNS},
        "outputSelection": {"*": {"*": list(_OUTPUTS), "": ["ast"]}},
        "remappings": sorted(remappings),
    }


def _gather(project: Project, roots: Sequence[str]) -> tuple[dict[str, str], dict[str, tuple[str, ...]], set[str]]:
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
        path = root / unit
        try:
            text = path.read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # solc reports the missing import with the importing file and line
        contents[unit] = text
        deps: list[str] = []
        for target in _IMPORT_RE.findall(_strip_comments(text)):
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


def _out_dirs(project: Project) -> tuple[Path, Path]:
    main = project.root / str(project.config.get("artifacts", "coopetition/artifacts"))
    test = project.root / str(project.config.get("test_artifacts", "tests/artifacts"))
    return main, test


def _units(
    project: Project, artifacts_dir: Path | None = None, test_artifacts_dir: Path | None = None
) -> list[_Unit]:
    root = project.root
    contracts = project.contracts_dir
    if not contracts.is_dir():
        raise CompilerError(f"no contracts folder at {contracts}")
    files = sorted(_rel(p, root) for p in contracts.rglob("*.sol") if p.is_file())
    if not files:
        raise CompilerError(f"no Solidity sources (*.sol) under {contracts}")
    test_prefix = _rel(contracts / "test", root) + "/"
    default_main, default_test = _out_dirs(project)
    groups = [
        ("main", [f for f in files if not f.startswith(test_prefix)], artifacts_dir or default_main),
        ("test", [f for f in files if f.startswith(test_prefix)], test_artifacts_dir or default_test),
    ]
    units = []
    for name, targets, out_dir in groups:
        if not targets:
            continue
        contents, graph, remaps = _gather(project, targets)
        data = {
            "language": "Solidity",
            "sources": {key: {"content": contents[key]} for key in sorted(contents)},
            "settings": _settings(remaps),
        }
        units.append(
            _Unit(name, data, hashlib.sha256(_canonical(data)).hexdigest(), tuple(targets), out_dir, graph)
        )
    return units


# --------------------------------------------------------------------------------------------------
# cache


def _cache_key(units: Sequence[_Unit], solc: str | Path | None) -> str:
    explicit = solc if solc is not None else os.environ.get("COOPETITION_SOLC") or None
    return hashlib.sha256(
        _canonical(
            {
                "format": _FORMAT,
                "version": SOLC_VERSION,
                "solc": str(Path(explicit).expanduser().resolve()) if explicit else None,
                "units": [[u.name, u.input_hash, str(u.out_dir.resolve())] for u in units],
            }
        )
    ).hexdigest()


def _cache_file(project: Project) -> Path:
    return project.state_dir / "compile-cache.json"


def _read_cache(project: Project, key: str) -> tuple[SolcCompiler, list[str]] | None:
    """The compiler and contract names of a cache hit whose artifacts are all intact, else None."""
    try:
        data = json.loads(_cache_file(project).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("key") != key:
        return None
    artifacts = data.get("artifacts")
    used = data.get("compiler")
    if not isinstance(artifacts, dict) or not isinstance(used, dict):
        return None
    if used.get("kind") not in _KIND_LABEL:
        return None
    compiler = SolcCompiler(used["kind"], Path(str(used.get("path"))), str(used.get("version")))
    names: list[str] = []
    for file, input_hash in artifacts.items():
        try:
            artifact = read_artifact(file)
        except ArtifactError:
            return None
        if not artifact.generated or artifact.solc_input_hash != input_hash:
            return None
        names.append(artifact.contract_name)
    return compiler, sorted(names)


def _write_cache(
    project: Project, key: str, compiler: SolcCompiler, artifacts: Mapping[Path, str]
) -> None:
    data = {
        "key": key,
        "compiler": {"kind": compiler.kind, "path": str(compiler.path), "version": compiler.version},
        "artifacts": {str(p.resolve()): h for p, h in sorted(artifacts.items())},
    }
    try:
        project.state_dir.mkdir(parents=True, exist_ok=True)
        tmp = _cache_file(project).with_name(f".compile-cache.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
        os.replace(tmp, _cache_file(project))
    except OSError:
        pass  # a read-only project still compiles; it just cannot skip next time


# --------------------------------------------------------------------------------------------------
# compile


def compile_project(
    project: Project | None = None,
    *,
    solc: str | Path | None = None,
    force: bool = False,
    artifacts_dir: Path | None = None,
    test_artifacts_dir: Path | None = None,
    use_cache: bool = True,
) -> CompileResult:
    """Compile every contract under the project's ``contracts/`` and write its artifacts.

    Artifacts of ``contracts/test/**`` go to ``tests/artifacts/`` (or ``test_artifacts_dir``), all
    others to ``coopetition/artifacts/`` (or ``artifacts_dir``). When the sources, the wanted compiler
    and the output folders are unchanged since the last run and every artifact is intact, nothing is
    compiled and no process is spawned (``cached=True``) unless ``force``.
    """
    started = time.perf_counter()
    project = project or find_project()
    units = _units(project, artifacts_dir, test_artifacts_dir)
    key = _cache_key(units, solc)
    if use_cache and not force:
        cached = _read_cache(project, key)
        if cached is not None:
            return CompileResult(
                cached[0], tuple(cached[1]), (), (), (), True, time.perf_counter() - started
            )

    compiler = find_compiler(project, solc=solc)
    outputs = _run_units(compiler, units)

    warnings: list[str] = []
    written: list[Path] = []
    unchanged: list[Path] = []
    removed: list[Path] = []
    hashes: dict[Path, str] = {}
    names: list[str] = []
    by_dir: dict[Path, set[str]] = {}
    for unit, output in zip(units, outputs, strict=True):
        warnings.extend(_warnings(output, unit))
        artifacts = _artifacts_of(unit, output, compiler)
        keep = by_dir.setdefault(unit.out_dir.resolve(), set())
        for name, artifact in artifacts.items():
            path = unit.out_dir / f"{name}.json"
            (written if write_if_changed(path, render_artifact(artifact)) else unchanged).append(path)
            hashes[path] = unit.input_hash
            keep.add(name)
            names.append(name)
    default_dirs = [artifacts_dir or _out_dirs(project)[0], test_artifacts_dir or _out_dirs(project)[1]]
    for directory in default_dirs:
        removed.extend(_remove_stale(directory, by_dir.get(directory.resolve(), set())))
    if use_cache:
        _write_cache(project, key, compiler, hashes)
    return CompileResult(
        compiler,
        tuple(sorted(names)),
        tuple(written),
        tuple(unchanged),
        tuple(removed),
        False,
        time.perf_counter() - started,
        tuple(warnings),
    )


def _run_units(compiler: SolcCompiler, units: Sequence[_Unit]) -> list[dict[str, Any]]:
    if len(units) == 1:
        return [_run_solc(compiler, units[0])]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(units)) as pool:
        return list(pool.map(lambda u: _run_solc(compiler, u), units))


def _run_solc(compiler: SolcCompiler, unit: _Unit) -> dict[str, Any]:
    import solcx
    from solcx.exceptions import SolcError

    try:
        output = solcx.compile_standard(unit.input, solc_binary=str(compiler.path))
    except SolcError as exc:
        errors = getattr(exc, "error_dict", None)
        if errors:
            raise CompilationError(_format_errors(errors, unit)) from None
        stderr = str(getattr(exc, "stderr_data", "") or "").strip().splitlines()
        detail = stderr[-1] if stderr else f"exit code {getattr(exc, 'return_code', '?')}"
        raise CompilerError(f"{compiler.describe()} failed: {detail}") from None
    except (OSError, ValueError) as exc:
        raise CompilerError(f"{compiler.describe()} failed: {exc}") from None
    if not isinstance(output, dict):
        raise CompilerError(f"{compiler.describe()} returned no JSON output")
    return output


def _location(error: Mapping[str, Any], unit: _Unit) -> str:
    loc = error.get("sourceLocation")
    if not isinstance(loc, dict) or "file" not in loc:
        return ""
    file = str(loc["file"])
    start = loc.get("start", -1)
    source = unit.input["sources"].get(file, {}).get("content")
    if not isinstance(start, int) or start < 0 or source is None:
        return f"{file}: "
    data = source.encode()[:start]
    line = data.count(b"\n") + 1
    column = len(data) - (data.rfind(b"\n") + 1) + 1
    return f"{file}:{line}:{column}: "


def _one_line(error: Mapping[str, Any], unit: _Unit) -> str:
    kind = error.get("type") or str(error.get("severity", "Error")).capitalize()
    message = " ".join(str(error.get("message", "")).split())
    return f"{_location(error, unit)}{kind}: {message}"


def _format_errors(errors: Sequence[Mapping[str, Any]], unit: _Unit) -> str:
    real = [e for e in errors if e.get("severity") == "error"]
    if not real:
        real = list(errors)
    text = _one_line(real[0], unit)
    if len(real) > 1:
        more = len(real) - 1
        text += f" (and {more} more error{'s' if more > 1 else ''})"
    return text


def _warnings(output: Mapping[str, Any], unit: _Unit) -> list[str]:
    return [_one_line(e, unit) for e in output.get("errors", []) if e.get("severity") != "error"]


def _enums_of(ast: Mapping[str, Any]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    nodes = list(ast.get("nodes", []))
    while nodes:
        node = nodes.pop(0)
        kind = node.get("nodeType")
        if kind == "EnumDefinition":
            name = node.get("canonicalName") or node.get("name")
            found[str(name)] = [str(m.get("name")) for m in node.get("members", [])]
        elif kind == "ContractDefinition":
            nodes.extend(node.get("nodes", []))
    return found


def _artifacts_of(
    unit: _Unit, output: Mapping[str, Any], compiler: SolcCompiler
) -> dict[str, dict[str, Any]]:
    enums_by_source = {
        source: _enums_of(data.get("ast", {})) for source, data in output.get("sources", {}).items()
    }
    settings = unit.input["settings"]
    result: dict[str, dict[str, Any]] = {}
    origin: dict[str, str] = {}
    contracts = output.get("contracts", {})
    for source in unit.targets:
        enums: dict[str, list[str]] = {}
        for dep in sorted(unit.closure(source)):
            for enum_name, members in enums_by_source.get(dep, {}).items():
                enums.setdefault(enum_name, members)
        for name, data in sorted(contracts.get(source, {}).items()):
            if name in result:
                raise CompilerError(
                    f"two contracts are named {name} ({origin[name]} and {source}): artifacts are "
                    "keyed by contract name, rename one"
                )
            origin[name] = source
            evm = data.get("evm", {})
            result[name] = {
                "_generated": GENERATED_MARKER,
                "abi": data.get("abi", []),
                "bytecode": "0x" + evm.get("bytecode", {}).get("object", ""),
                "compiler": {"settings": settings, "version": compiler.version},
                "contractName": name,
                "deployedBytecode": "0x" + evm.get("deployedBytecode", {}).get("object", ""),
                "deployedLinkReferences": evm.get("deployedBytecode", {}).get("linkReferences", {}),
                "devdoc": data.get("devdoc", {}),
                "enums": enums,
                "linkReferences": evm.get("bytecode", {}).get("linkReferences", {}),
                "metadata": data.get("metadata", ""),
                "methodIdentifiers": evm.get("methodIdentifiers", {}),
                "solcInputHash": unit.input_hash,
                "sourceName": source,
                "userdoc": data.get("userdoc", {}),
            }
    return result


def _remove_stale(directory: Path, keep: set[str]) -> list[Path]:
    removed: list[Path] = []
    if not directory.is_dir():
        return removed
    for path in sorted(directory.glob("*.json")):
        if path.stem in keep:
            continue
        try:
            generated = read_artifact(path).generated
        except ArtifactError:
            continue
        if generated:
            path.unlink()
            removed.append(path)
    return removed


# --------------------------------------------------------------------------------------------------
# staleness without a compiler


def check_artifacts(
    project: Project | None = None,
    *,
    artifacts_dir: Path | None = None,
    test_artifacts_dir: Path | None = None,
) -> list[str]:
    """Why the committed artifacts are stale against ``contracts/`` (empty list: they are current).

    Needs no compiler: it compares each artifact's ``solcInputHash`` with the hash of the input the
    current tree would produce, and the contracts declared in each source with the artifacts present.
    """
    project = project or find_project()
    problems: list[str] = []
    units = _units(project, artifacts_dir, test_artifacts_dir)
    for unit in units:
        present: dict[str, Artifact] = {}
        if unit.out_dir.is_dir():
            for path in sorted(unit.out_dir.glob("*.json")):
                try:
                    artifact = read_artifact(path)
                except ArtifactError as exc:
                    problems.append(str(exc))
                    continue
                if artifact.generated:
                    present[path.stem] = artifact
        expected: set[str] = set()
        for source in unit.targets:
            text = _strip_comments(unit.input["sources"][source]["content"])
            expected.update(_CONTRACT_RE.findall(text))
        for name in sorted(expected - present.keys()):
            problems.append(f"no artifact for contract {name} in {unit.out_dir}")
        for name, artifact in sorted(present.items()):
            if artifact.source_name not in unit.targets:
                problems.append(f"artifact {name} comes from {artifact.source_name}, which is gone")
            elif artifact.solc_input_hash != unit.input_hash:
                problems.append(f"artifact {name} was compiled from other sources than the current ones")
    return problems
