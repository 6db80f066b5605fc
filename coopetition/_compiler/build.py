"""One compile: run solc on every unit, write the artifacts, drop stale ones; and the staleness
check that needs no compiler.

This module is imported by the CLI's fast path: keep heavy imports (solcx, web3) inside functions.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._artifacts import (
    GENERATED_MARKER,
    Artifact,
    read_artifact,
    render_artifact,
    write_if_changed,
)
from .._project import Project, find_project
from ..exceptions import ArtifactError, CompilationError, CompilerError
from .cache import cache_key, read_cache, write_cache
from .discovery import SolcCompiler, find_compiler
from .sources import CONTRACT_RE, Unit, compile_units, out_dirs, strip_comments

__all__ = ["CompileResult", "check_artifacts", "compile_project"]


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
    compiled and no process is spawned (``cached=True``) unless ``force``; otherwise a compile unit whose
    artifacts already come from its current input is not compiled again.
    """
    started = time.perf_counter()
    project = project or find_project()
    units = compile_units(project, artifacts_dir, test_artifacts_dir)
    key = cache_key(units, solc)
    if use_cache and not force:
        cached = read_cache(project, key)
        if cached is not None:
            return CompileResult(
                cached[0], tuple(cached[1]), (), (), (), True, time.perf_counter() - started
            )

    compiler = find_compiler(project, solc=solc)
    # a unit whose artifacts all come from its current input by this compiler is not compiled again
    # (editing one contract does not recompile the titles profile's IR unit, nor the test unit)
    current = {} if force or not use_cache else {
        unit.name: kept for unit in units if (kept := _current_unit(unit, compiler)) is not None
    }
    ran = iter(_run_units(compiler, [u for u in units if u.name not in current]))

    warnings: list[str] = []
    written: list[Path] = []
    unchanged: list[Path] = []
    removed: list[Path] = []
    hashes: dict[Path, str] = {}
    names: list[str] = []
    by_dir: dict[Path, set[str]] = {}
    for unit in units:
        keep = by_dir.setdefault(unit.out_dir.resolve(), set())
        if unit.name in current:
            for name in current[unit.name]:
                path = unit.out_dir / f"{name}.json"
                unchanged.append(path)
                hashes[path] = unit.input_hash
                keep.add(name)
                names.append(name)
            continue
        output = next(ran)
        warnings.extend(_warnings(output, unit))
        artifacts = _artifacts_of(unit, output, compiler)
        for name, artifact in artifacts.items():
            if name in keep:
                raise CompilerError(
                    f"two contracts are named {name} (in compile units {unit.name} and another one): "
                    "artifacts are keyed by contract name, rename one"
                )
            path = unit.out_dir / f"{name}.json"
            (written if write_if_changed(path, render_artifact(artifact)) else unchanged).append(path)
            hashes[path] = unit.input_hash
            keep.add(name)
            names.append(name)
    default_dirs = [artifacts_dir or out_dirs(project)[0], test_artifacts_dir or out_dirs(project)[1]]
    for directory in default_dirs:
        removed.extend(_remove_stale(directory, by_dir.get(directory.resolve(), set())))
    if use_cache:
        write_cache(project, key, compiler, hashes)
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


def _current_unit(unit: Unit, compiler: SolcCompiler) -> list[str] | None:
    """The contracts of ``unit`` when each has an artifact compiled from the unit's current input by
    this compiler version (else None: the unit is compiled)."""
    names: list[str] = []
    for source in unit.targets:
        for name in _declared(unit, source):
            try:
                artifact = read_artifact(unit.out_dir / f"{name}.json")
            except ArtifactError:
                return None
            if (not artifact.generated or artifact.source_name != source
                    or artifact.solc_input_hash != unit.input_hash
                    or artifact.compiler_version != compiler.version):
                return None
            names.append(name)
    return names


def _declared(unit: Unit, source: str) -> list[str]:
    """The contracts, libraries and interfaces ``source`` of ``unit`` declares (each gets an artifact)."""
    return CONTRACT_RE.findall(strip_comments(unit.input["sources"][source]["content"]))


def _run_units(compiler: SolcCompiler, units: Sequence[Unit]) -> list[dict[str, Any]]:
    if not units:
        return []
    if len(units) == 1:
        return [_run_solc(compiler, units[0])]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=len(units)) as pool:
        return list(pool.map(lambda u: _run_solc(compiler, u), units))


def _run_solc(compiler: SolcCompiler, unit: Unit) -> dict[str, Any]:
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


def _location(error: Mapping[str, Any], unit: Unit) -> str:
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


def _one_line(error: Mapping[str, Any], unit: Unit) -> str:
    kind = error.get("type") or str(error.get("severity", "Error")).capitalize()
    message = " ".join(str(error.get("message", "")).split())
    return f"{_location(error, unit)}{kind}: {message}"


def _format_errors(errors: Sequence[Mapping[str, Any]], unit: Unit) -> str:
    real = [e for e in errors if e.get("severity") == "error"]
    if not real:
        real = list(errors)
    text = _one_line(real[0], unit)
    if len(real) > 1:
        more = len(real) - 1
        text += f" (and {more} more error{'s' if more > 1 else ''})"
    return text


def _warnings(output: Mapping[str, Any], unit: Unit) -> list[str]:
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
    unit: Unit, output: Mapping[str, Any], compiler: SolcCompiler
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
    units = compile_units(project, artifacts_dir, test_artifacts_dir)
    by_dir: dict[Path, list[Unit]] = {}
    for unit in units:  # a compiler profile's unit shares the package's folder
        by_dir.setdefault(unit.out_dir.resolve(), []).append(unit)
    for group in by_dir.values():
        present: dict[str, Artifact] = {}
        out_dir = group[0].out_dir
        if out_dir.is_dir():
            for path in sorted(out_dir.glob("*.json")):
                try:
                    artifact = read_artifact(path)
                except ArtifactError as exc:
                    problems.append(str(exc))
                    continue
                if artifact.generated:
                    present[path.stem] = artifact
        owner = {source: unit for unit in group for source in unit.targets}
        expected: set[str] = set()
        for source, unit in owner.items():
            expected.update(_declared(unit, source))
        for name in sorted(expected - present.keys()):
            problems.append(f"no artifact for contract {name} in {out_dir}")
        for name, artifact in sorted(present.items()):
            unit_of = owner.get(artifact.source_name)
            if unit_of is None:
                problems.append(f"artifact {name} comes from {artifact.source_name}, which is gone")
            elif artifact.solc_input_hash != unit_of.input_hash:
                problems.append(f"artifact {name} was compiled from other sources than the current ones")
    return problems
