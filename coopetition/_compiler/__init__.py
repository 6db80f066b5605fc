"""Find a Solidity compiler, compile ``contracts/`` and write the artifacts the package ships.

* :mod:`~coopetition._compiler.discovery`: finding a solc (explicit path, py-solc-x, ``PATH``,
  else solc-js);
* :mod:`~coopetition._compiler.bridge`: the launcher that runs the pinned solc-js like a native
  solc (py-solc-x drives every backend the same way, ``solcx.compile_standard(..., solc_binary=PATH)``);
* :mod:`~coopetition._compiler.sources`: gathering sources and imports into standard-JSON units;
* :mod:`~coopetition._compiler.cache`: the content-hash cache (a no-op compile spawns no process);
* :mod:`~coopetition._compiler.build`: one compile, the artifacts it writes, the staleness check.

This package is imported by the CLI's fast path: keep heavy imports (solcx, web3) inside functions.
"""

from __future__ import annotations

from .bridge import bridge_script
from .build import CompileResult, check_artifacts, compile_project
from .discovery import SOLC_VERSION, SolcCompiler, find_compiler
from .sources import EVM_VERSION, OPTIMIZER_RUNS

__all__ = [
    "EVM_VERSION",
    "OPTIMIZER_RUNS",
    "SOLC_VERSION",
    "CompileResult",
    "SolcCompiler",
    "bridge_script",
    "check_artifacts",
    "compile_project",
    "find_compiler",
]
