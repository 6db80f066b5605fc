"""Start-up: py_ecc's BLS12-381 modules are loaded when first used, not when web3 is imported.

web3 imports eth-account, which imports eth-keyfile, which imports ``py_ecc.bls`` and
``py_ecc.bls12_381`` at module level for the BLS keystores of Ethereum validators (EIP-2335). Loading
them precomputes pairing constants: 0.2-0.3 s of every command's start on a 2-core machine, a fifth of
``import web3``, for keys this tool never uses. :func:`install` (called by the CLI's entry point only; a
library user's process is left alone) puts a finder first in ``sys.meta_path`` that, on the first
import of web3 or eth-account, leaves again and calls :func:`defer`. That imports eth-keyfile (which
web3 would import next anyway) while two stand-ins are in ``sys.modules``,
then takes them out again: eth-keyfile keeps the two names it binds at import, ``G2ProofOfPossession``
(each of whose attributes imports the real module on first use) and the constant ``curve_order``,
and every later import of py_ecc (the embedded chain's precompiles, a user's code) gets the real
modules. Nothing behaves differently, only later (tests/cli/test_cli_startup.py).
"""

from __future__ import annotations

import contextlib
import importlib
import sys
import types
from collections.abc import Sequence
from typing import Any

__all__ = ["BLS12_381_ORDER", "defer", "install"]

BLS12_381_ORDER = 0x73EDA753299D7D483339D80809A1D80553BDA402FFFE5BFEFFFFFFFF00000001
"""The order of the BLS12-381 groups (``py_ecc.bls12_381.curve_order``; a test compares the two)."""


class _Deferred:
    """``getattr(module, attr)``, imported on first use of any of its attributes."""

    def __init__(self, module: str, attr: str) -> None:
        self._where = (module, attr)

    def __getattr__(self, name: str) -> Any:
        module, attr = self._where
        return getattr(getattr(importlib.import_module(module), attr), name)


def defer() -> None:
    """Import eth-keyfile with the stand-ins (once; not when it or py_ecc's BLS modules are loaded)."""
    if any(name in sys.modules for name in ("eth_keyfile.keyfile", "py_ecc.bls", "py_ecc.bls12_381")):
        return
    bls = types.ModuleType("py_ecc.bls")
    vars(bls)["G2ProofOfPossession"] = _Deferred("py_ecc.bls", "G2ProofOfPossession")
    curve = types.ModuleType("py_ecc.bls12_381")
    vars(curve)["curve_order"] = BLS12_381_ORDER
    stands = {"py_ecc.bls": bls, "py_ecc.bls12_381": curve}
    sys.modules.update(stands)
    try:
        importlib.import_module("eth_keyfile.keyfile")
    except ImportError:
        pass  # web3 reports a broken installation itself
    finally:
        for name, stand in stands.items():
            if sys.modules.get(name) is stand:
                del sys.modules[name]


class _BeforeWeb3:
    """A meta-path finder that finds nothing: the first import of web3 or eth-account removes it and
    calls :func:`defer` first."""

    @classmethod
    def find_spec(cls, name: str, path: Sequence[str] | None = None, target: types.ModuleType | None = None) -> None:
        if name in ("web3", "eth_account"):
            with contextlib.suppress(ValueError):
                sys.meta_path.remove(cls)
            defer()


def install() -> None:
    """Have :func:`defer` run just before web3 or eth-account is first imported (commands that never
    import them pay nothing)."""
    if _BeforeWeb3 not in sys.meta_path:
        sys.meta_path.insert(0, _BeforeWeb3)
