"""The content-hash compile cache: an unchanged tree (same sources, compiler wish and output
folders) whose artifacts are all intact is detected before any compiler is looked for, so a no-op
``coopetition compile`` spawns no process at all."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from .._artifacts import read_artifact
from .._project import Project
from ..exceptions import ArtifactError
from .discovery import KIND_LABEL, SOLC_VERSION, SolcCompiler
from .sources import Unit, canonical

__all__ = ["cache_key", "read_cache", "write_cache"]

# Bump when the artifact format or the compile settings change, so cached trees recompile.
_FORMAT = 1


def cache_key(units: Sequence[Unit], solc: str | Path | None) -> str:
    explicit = solc if solc is not None else os.environ.get("COOPETITION_SOLC") or None
    return hashlib.sha256(
        canonical(
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


def read_cache(project: Project, key: str) -> tuple[SolcCompiler, list[str]] | None:
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
    if used.get("kind") not in KIND_LABEL:
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


def write_cache(
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
