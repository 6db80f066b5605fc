"""Finding a Solidity compiler.

Discovery order (:func:`find_compiler`):

1. an explicit path: the ``solc`` argument (``coopetition compile --solc PATH``) or ``COOPETITION_SOLC``;
2. a native solc installed for py-solc-x (``solc-v0.8.37`` in its install folder, which
   ``SOLCX_BINARY_PATH`` overrides);
3. a ``solc`` on ``PATH`` whose ``--version`` is the pinned version;
4. the pinned solc-js from the project's ``node_modules`` through the Node bridge
   (:mod:`coopetition._compiler.bridge`).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .._project import Project, find_project
from ..exceptions import CompilerError, CompilerNotFoundError
from .bridge import VERSION_RE, bridge_script, is_executable, materialise_launcher

__all__ = ["KIND_LABEL", "SOLC_VERSION", "CompilerKind", "SolcCompiler", "find_compiler"]

SOLC_VERSION = "0.8.37"
"""The compiler version every contract pins (``pragma solidity 0.8.37;``)."""

_NOT_FOUND_HINT = (
    f"no Solidity compiler {SOLC_VERSION} found: run `npm ci` in the project for the pinned solc-js "
    f"(needs Node), or give a native solc {SOLC_VERSION} with --solc PATH or COOPETITION_SOLC"
)

CompilerKind = Literal["explicit", "solcx", "path", "solcjs"]

KIND_LABEL: dict[str, str] = {
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
        return f"solc {self.version} ({KIND_LABEL[self.kind]}: {self.path})"


def _probe_version(binary: Path) -> str | None:
    """``"0.8.37+commit.f401782d"`` from ``binary --version``, or None when it does not answer so."""
    try:
        proc = subprocess.run(
            [str(binary), "--version"], capture_output=True, text=True, timeout=60, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    match = VERSION_RE.search(proc.stdout)
    if proc.returncode != 0 or match is None:
        return None
    return f"{match.group(1)}+commit.{match.group(2)}"


def _solcx_folder() -> Path:
    env = os.environ.get("SOLCX_BINARY_PATH")
    if env:
        return Path(env).expanduser()
    try:
        from solcx import get_solcx_install_folder

        return Path(str(get_solcx_install_folder()))
    except Exception:  # pragma: no cover - py-solc-x is a dependency; be safe anyway
        return Path.home() / ".solcx"


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
    if is_executable(candidate):
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
    if not is_executable(path):
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
    launcher, full_version = materialise_launcher(project, Path(node), bridge, solcjs.resolve(), key)
    return SolcCompiler("solcjs", launcher, full_version)
