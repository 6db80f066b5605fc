"""Start-up: py_ecc's BLS12-381 modules are loaded when first used, not when web3 is imported.

web3 imports eth-account, which imports eth-keyfile, which imports ``py_ecc.bls`` and
``py_ecc.bls12_381`` at module level for the BLS keystores of Ethereum validators (EIP-2335). Loading
them precomputes pairing constants: 0.2-0.3 s of every command's start on a 2-core machine, a fifth of
``import web3``, for keys this tool never uses. :func:`defer` (called by the CLI's entry point
only, before anything imports web3; a library user's process is left alone) puts a stand-in for each
in ``sys.modules``: it answers the names eth-keyfile binds at import (``G2ProofOfPossession``, whose
every attribute loads the real module, and the constant ``curve_order``) and loads the real module
for any other name, after which the real module is in ``sys.modules``. Nothing behaves differently,
only later (tests/cli/test_deferred_bls.py).
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import Any

__all__ = ["BLS12_381_ORDER", "defer"]

BLS12_381_ORDER = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
"""The order of the BLS12-381 groups (``py_ecc.bls12_381.curve_order``; a test compares the two)."""


class _Stand(types.ModuleType):
    """A stand-in for module ``name``: any name it was not given loads the real module."""

    def __getattr__(self, attr: str) -> Any:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return getattr(_real(self.__name__), attr)


def _real(name: str) -> types.ModuleType:
    if isinstance(sys.modules.get(name), _Stand):
        del sys.modules[name]
    return importlib.import_module(name)


class _Deferred:
    """``getattr(real module, attr)``, looked up on first use of any of its attributes."""

    def __init__(self, module: str, attr: str) -> None:
        self._where = (module, attr)

    def __getattr__(self, name: str) -> Any:
        module, attr = self._where
        return getattr(getattr(_real(module), attr), name)


def defer() -> None:
    """Install the stand-ins (once; not when the real modules are already loaded)."""
    if "py_ecc.bls" in sys.modules or "py_ecc.bls12_381" in sys.modules:
        return
    bls = _Stand("py_ecc.bls")
    vars(bls)["G2ProofOfPossession"] = _Deferred("py_ecc.bls", "G2ProofOfPossession")
    curve = _Stand("py_ecc.bls12_381")
    vars(curve)["curve_order"] = BLS12_381_ORDER
    sys.modules["py_ecc.bls"] = bls
    sys.modules["py_ecc.bls12_381"] = curve
