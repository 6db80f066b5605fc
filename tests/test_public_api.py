from __future__ import annotations

import subprocess
import sys

import coopetition
from coopetition import exceptions


def test_every_public_name_resolves() -> None:
    for name in coopetition.__all__:
        assert getattr(coopetition, name) is not None, name


def test_unknown_attribute_is_an_attribute_error() -> None:
    try:
        coopetition.does_not_exist  # type: ignore[attr-defined]  # noqa: B018
    except AttributeError as exc:
        assert "does_not_exist" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("expected AttributeError")


OUTSIDE_THE_TREE = {"SendInterrupted"}
"""A Ctrl-C after a transaction was sent: a KeyboardInterrupt, so that ``except Exception`` (or
``except CoopetitionError``) never swallows it; drawn in the tree's docstring all the same."""


def test_every_exception_derives_from_the_single_root() -> None:
    for name in exceptions.__all__:
        cls = getattr(exceptions, name)
        if name in OUTSIDE_THE_TREE:
            assert issubclass(cls, KeyboardInterrupt) and not issubclass(cls, Exception), name
        else:
            assert issubclass(cls, coopetition.CoopetitionError), name
        assert name in exceptions.__doc__ or cls is coopetition.CoopetitionError, f"{name} missing from the tree"


def test_help_does_not_import_web3() -> None:
    code = (
        "import sys\n"
        "from coopetition.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "assert 'web3' not in sys.modules, 'web3 imported by --help'\n"
        "print('ok')\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().endswith("ok")
    assert "consortium" in out.stdout and "devnet" in out.stdout
