"""Where a coopetition project lives on disk and what its configuration says.

A project is the nearest ancestor of the working directory holding ``coopetition.toml``, or a
``pyproject.toml`` with a ``[tool.coopetition]`` table, or a ``contracts/`` folder. ``COOPETITION_PROJECT``
overrides the search. Secrets never live in the configuration: values written as ``${NAME}`` are read
from the environment when used.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .exceptions import ConfigError

__all__ = ["Project", "expand_env", "find_project"]

_ENV_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Project:
    root: Path
    config: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def contracts_dir(self) -> Path:
        return self.root / str(self.config.get("contracts", "contracts"))

    @property
    def deployments_dir(self) -> Path:
        return self.root / str(self.config.get("deployments", "deployments"))

    @property
    def node_modules(self) -> Path:
        return self.root / "node_modules"

    @property
    def state_dir(self) -> Path:
        """Private working state (compile cache, devnet state and logs); git-ignored."""
        return self.root / ".coopetition"

    @property
    def salts_dir(self) -> Path:
        """Where the salts of sealed pledges are kept (one private file each, by chain)."""
        return self.state_dir / "salts"

    @property
    def networks(self) -> dict[str, dict[str, Any]]:
        nets = self.config.get("networks", {})
        if not isinstance(nets, dict):
            raise ConfigError("[networks] in the project configuration must be a table of tables")
        return nets


def _load_config(root: Path) -> dict[str, Any]:
    own = root / "coopetition.toml"
    try:
        if own.is_file():
            return tomllib.loads(own.read_text())
        pyproject = root / "pyproject.toml"
        if pyproject.is_file():
            data = tomllib.loads(pyproject.read_text())
            tool = data.get("tool", {}).get("coopetition", {})
            return dict(tool) if isinstance(tool, dict) else {}
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"cannot parse the project configuration in {root}: {exc}") from None
    return {}


def _is_project_root(path: Path) -> bool:
    if (path / "coopetition.toml").is_file() or (path / "contracts").is_dir():
        return True
    pyproject = path / "pyproject.toml"
    if pyproject.is_file():
        try:
            return "coopetition" in tomllib.loads(pyproject.read_text()).get("tool", {})
        except tomllib.TOMLDecodeError:
            return False
    return False


def find_project(start: Path | str | None = None) -> Project:
    """The project containing ``start`` (default: ``COOPETITION_PROJECT`` or the working directory).

    Falls back to ``start`` itself when no ancestor looks like a project, so commands that only need
    a folder for state (accounts, devnet) still work anywhere.
    """
    env = os.environ.get("COOPETITION_PROJECT")
    if start is None and env:
        root = Path(env).expanduser().resolve()
        return Project(root, _load_config(root))
    here = Path(start if start is not None else Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if _is_project_root(candidate):
            return Project(candidate, _load_config(candidate))
    return Project(here, _load_config(here))


def expand_env(value: str) -> str:
    """Replace ``${NAME}`` with the environment variable NAME; a missing one is a ConfigError."""

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise ConfigError(f"environment variable {name} is not set (referenced by the configuration)")
        return os.environ[name]

    return _ENV_REF.sub(sub, value)
