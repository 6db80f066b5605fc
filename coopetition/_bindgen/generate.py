"""Generating, writing and checking binding modules: artifacts in (files or folders, any flavour),
modules out; the package's own bindings regenerate with ``make bindings``."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from .._artifacts import Artifact, parse_artifact, read_artifact
from ..exceptions import ArtifactError, BindingError
from .model import Model
from .names import module_name
from .render import HEADER_PREFIX, Renderer

__all__ = [
    "ALL_REGENERATE",
    "check_bindings",
    "check_written",
    "generate_all",
    "generate_binding",
    "package_artifacts_dir",
    "package_bindings_dir",
    "plan_bindings",
    "write_bindings",
]

ALL_REGENERATE = "`make bindings` (coopetition bindings --all)"


def _default_regenerate(path: Path | None) -> str:
    if path is not None:
        try:
            if path.resolve().parent == package_artifacts_dir().resolve():
                return ALL_REGENERATE
        except OSError:
            pass
        shown = path
        if path.is_absolute():
            with contextlib.suppress(ValueError):
                shown = path.relative_to(Path.cwd())
        return f"`coopetition bindings {shown.as_posix()}`"
    return "`coopetition bindings`"


def generate_binding(
    artifact: Mapping[str, Any] | Sequence[Mapping[str, Any]] | Path,
    *,
    source_label: str | None = None,
    regenerate: str | None = None,
) -> str:
    """The text of the typed module for one artifact (parsed JSON, ABI list, or a path to either).

    ``source_label`` names the source in the header (default ``sourceName:contractName`` or the file
    name); ``regenerate`` is the command the header tells readers to run (default: ``make bindings``
    for the package's own artifacts, else ``coopetition bindings <path>``).
    """
    try:
        if isinstance(artifact, Path):
            loaded = read_artifact(artifact)
        elif isinstance(artifact, (Mapping, list, tuple)):
            loaded = parse_artifact(list(artifact) if isinstance(artifact, tuple) else artifact)
        else:
            raise BindingError(
                f"generate_binding: expected an artifact mapping, an ABI list or a Path, got {type(artifact).__name__}"
            )
    except ArtifactError as exc:
        raise BindingError(str(exc)) from None
    return _render(loaded, regenerate or _default_regenerate(loaded.path), source_label)


def _load(path: Path) -> Artifact:
    """An artifact file of any flavour; a bad one is a one-line :class:`BindingError`."""
    try:
        return read_artifact(path)
    except ArtifactError as exc:
        raise BindingError(str(exc)) from None


def _render(loaded: Artifact, regenerate: str, label: str | None = None) -> str:
    model = Model(loaded, label or loaded.label)
    model.allocate()
    return Renderer(model, regenerate).module()


def _artifact_files(path: Path) -> list[Path]:
    if path.is_dir():
        return sorted(
            p for p in path.rglob("*.json")
            if not p.name.endswith(".dbg.json") and "build-info" not in p.parts
            and not p.name.startswith((".", "_"))
        )
    if not path.exists():
        raise BindingError(f"{path}: no such file or directory")
    return [path]


def plan_bindings(
    paths: Iterable[Path | str], *, regenerate: str | None = None
) -> dict[str, tuple[Path, str]]:
    """Module file name -> (artifact, module text) for every artifact found in ``paths``.

    Files given explicitly must be artifacts (else :class:`BindingError`); in directories, JSON files
    that are not artifacts, Hardhat ``.dbg.json`` files, ``build-info/`` and empty ABIs are skipped.
    """
    given_paths = [Path(p) for p in paths]
    planned: dict[str, tuple[Path, str]] = {}
    for given in given_paths:
        explicit = not given.is_dir()
        for file in _artifact_files(given):
            if explicit:
                loaded = _load(file)
            else:
                try:
                    loaded = _load(file)
                except BindingError:
                    continue
                if not loaded.abi:
                    continue
            text = _render(loaded, regenerate or _default_regenerate(file))
            name = module_name(loaded.contract_name) + ".py"
            if name in planned and planned[name][0] != file:
                raise BindingError(
                    f"{file} and {planned[name][0]} both give {name}: generate them into different folders"
                )
            planned[name] = (file, text)
    if not planned:
        raise BindingError("no artifact with an ABI in " + ", ".join(str(p) for p in given_paths))
    return planned


def write_bindings(
    paths: Iterable[Path | str], out_dir: Path | str, *, regenerate: str | None = None
) -> list[Path]:
    """Generate a module per artifact found in ``paths`` (files or directories) into ``out_dir``.

    Returns the module paths (unchanged files are left untouched). Nothing is written when any
    given artifact is bad.
    """
    planned = plan_bindings(paths, regenerate=regenerate)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BindingError(f"{out}: cannot create the output folder ({exc.strerror or exc})") from None
    written: list[Path] = []
    for name, (_, text) in sorted(planned.items()):
        target = out / name
        try:
            if not target.exists() or target.read_text(encoding="utf-8") != text:
                target.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise BindingError(f"{target}: cannot write it ({exc.strerror or exc})") from None
        written.append(target)
    return written


def check_written(
    paths: Iterable[Path | str], out_dir: Path | str, *, regenerate: str | None = None
) -> list[str]:
    """Modules in ``out_dir`` that differ from what ``write_bindings(paths, out_dir)`` would write."""
    drifted = []
    for name, (_, text) in sorted(plan_bindings(paths, regenerate=regenerate).items()):
        target = Path(out_dir) / name
        try:
            current = target.read_text(encoding="utf-8")
        except OSError:
            drifted.append(f"{name} (missing)")
            continue
        if current != text:
            drifted.append(f"{name} (differs)")
    return drifted


def package_artifacts_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "artifacts"


def package_bindings_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "bindings"


def _package_artifacts(artifacts_dir: Path) -> list[Path]:
    if not artifacts_dir.is_dir():
        return []
    return sorted(p for p in artifacts_dir.glob("*.json") if not p.name.startswith((".", "_")))


def _expected(artifacts_dir: Path) -> dict[str, str]:
    expected: dict[str, str] = {}
    for file in _package_artifacts(artifacts_dir):
        loaded = _load(file)
        if not loaded.deployable or loaded.library:
            # an interface, abstract base or library repeats the types, events and errors of the
            # contracts built on it, which have them in their own ABI: nothing to bind on its own
            continue
        name = module_name(loaded.contract_name) + ".py"
        expected[name] = _render(loaded, ALL_REGENERATE)
    return expected


def _generated_modules(bindings_dir: Path) -> list[Path]:
    found = []
    for p in sorted(bindings_dir.glob("*.py")) if bindings_dir.is_dir() else []:
        try:
            with p.open(encoding="utf-8") as fh:
                if fh.readline().startswith(HEADER_PREFIX):
                    found.append(p)
        except OSError:
            continue
    return found


def generate_all(
    artifacts_dir: Path | None = None, bindings_dir: Path | None = None
) -> tuple[list[Path], list[Path]]:
    """Regenerate the package's bindings from its artifacts: (written or unchanged, removed orphans)."""
    adir = artifacts_dir or package_artifacts_dir()
    bdir = bindings_dir or package_bindings_dir()
    expected = _expected(adir)
    bdir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in sorted(expected.items()):
        target = bdir / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
        written.append(target)
    removed = []
    for module in _generated_modules(bdir):
        if module.name not in expected:
            module.unlink()
            removed.append(module)
    return written, removed


def check_bindings(
    artifacts_dir: Path | None = None, bindings_dir: Path | None = None
) -> list[str]:
    """Names of the modules that drifted from the artifacts (missing, different, or orphaned)."""
    adir = artifacts_dir or package_artifacts_dir()
    bdir = bindings_dir or package_bindings_dir()
    expected = _expected(adir)
    drifted = []
    for name, text in sorted(expected.items()):
        target = bdir / name
        try:
            current = target.read_text(encoding="utf-8")
        except OSError:
            drifted.append(f"{name} (missing)")
            continue
        if current != text:
            drifted.append(f"{name} (differs from {adir.name}/)")
    for module in _generated_modules(bdir):
        if module.name not in expected:
            drifted.append(f"{module.name} (no artifact)")
    return drifted
