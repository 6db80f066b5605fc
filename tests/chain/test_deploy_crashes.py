"""A deploy of the whole suite killed at every point of the record protocol converges on the rerun.

The fake: every step a deployment takes that a crash could fall between (each write and delete of a
record file, each broadcast, each wait for a receipt) is counted, before and after it runs; run
``k`` raises :class:`_Crash` (a ``BaseException``, as uncatchable by the library as the process
dying) at step ``k``. After each crash a fresh connection (a new process, as far as the library can
tell: new pipeline, new nonce manager, records re-read from disk) deploys again, without the fake.

Whatever the step: exactly one record per contract, each with ``numDeployments == 1``, no pending
record, one transaction per contract from the deployer (nonces 0..3 and nothing else), code at
every recorded address; and a further rerun sends nothing.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import AnvilNode, rpc

from coopetition import SuiteMember, connect, deploy_suite
from coopetition._chain.nonce import NonceManager
from coopetition._chain.records import DeploymentStore
from coopetition._chain.tx import TransactionPipeline
from coopetition._chain.txdata import create_address

MEMBERS = [
    SuiteMember("Acme", "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"),
    SuiteMember("Globex", "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC"),
    SuiteMember("Initech", "0x90F79bf6EB2c4f870365E785982E1f101E93b906"),
]
DEPLOYER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"  # anvil dev account 0
SUITE_NAMES = ["Consortium", "CostSharing", "JointVentureEscrow", "TitleRegistry"]


class _Crash(BaseException):
    """The process dies here."""


class _Faults:
    """Counts the steps of the record protocol; raises :class:`_Crash` at step ``crash_at``."""

    def __init__(self) -> None:
        self.crash_at: int | None = None
        self.steps: list[str] = []

    def step(self, what: str) -> None:
        self.steps.append(what)
        if self.crash_at is not None and len(self.steps) == self.crash_at:
            raise _Crash(what)


@pytest.fixture
def faults(monkeypatch: pytest.MonkeyPatch) -> Iterator[_Faults]:
    f = _Faults()

    def around(cls: type, method: str, label: Callable[..., str]) -> None:
        real = getattr(cls, method)

        def wrapped(self: Any, *args: Any, **kw: Any) -> Any:
            what = label(*args)
            f.step(f"before {what}")
            result = real(self, *args, **kw)
            f.step(f"after {what}")
            return result

        monkeypatch.setattr(cls, method, wrapped)

    around(DeploymentStore, "_write", lambda filename, _text: f"write {filename}")
    around(DeploymentStore, "_delete", lambda filename: f"delete {filename}")
    around(TransactionPipeline, "broadcast_raw", lambda *_: "broadcast")
    around(TransactionPipeline, "wait", lambda *_: "wait for the receipt")
    yield f


def _project(tmp_path: Path, url: str) -> Path:
    root = tmp_path / "company"
    root.mkdir(parents=True)
    (root / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{url}"\n')
    return root


def _deploy(root: Path) -> Any:
    conn = connect("dev", 0, project=root, nonce_manager=NonceManager())
    return deploy_suite(conn, MEMBERS, 2)


def _check_converged(root: Path, url: str) -> None:
    folder = root / "deployments" / "dev"
    files = sorted(p.name for p in folder.iterdir())
    assert files == [".chainId", ".genesis", *(f"{n}.json" for n in SUITE_NAMES)]  # no pending, no temp file
    nonce = int(str(rpc(url, "eth_getTransactionCount", [DEPLOYER, "latest"])), 16)
    assert nonce == len(SUITE_NAMES)  # one transaction per contract, nothing sent twice
    expected = {create_address(DEPLOYER, i) for i in range(len(SUITE_NAMES))}
    addresses = set()
    for name in SUITE_NAMES:
        record = json.loads((folder / f"{name}.json").read_text())
        assert record["numDeployments"] == 1, (name, record["numDeployments"])
        assert rpc(url, "eth_getCode", [record["address"], "latest"]) not in ("0x", None)
        addresses.add(record["address"])
    assert addresses == expected


def test_a_clean_deploy_takes_the_expected_steps(anvil: AnvilNode, tmp_path: Path, faults: _Faults) -> None:
    _deploy(_project(tmp_path, anvil.url))
    # per contract: pending written, broadcast, waited, record written, pending deleted
    assert sum(s.startswith("before write") and s.endswith(".pending.json") for s in faults.steps) == 4
    assert sum(s.startswith("before broadcast") for s in faults.steps) == 4
    assert sum(s.startswith("before delete") for s in faults.steps) == 4
    assert len(faults.steps) == 2 * (2 + 4 * 5)  # .chainId and .genesis, then 5 steps per contract


@pytest.mark.anvil
def test_a_crash_at_any_step_of_a_deploy_converges_on_the_rerun(
    anvil: AnvilNode, tmp_path: Path, faults: _Faults
) -> None:
    snapshot = rpc(anvil.url, "evm_snapshot")
    _deploy(_project(tmp_path / "clean", anvil.url))
    assert rpc(anvil.url, "evm_revert", [snapshot]) is True
    steps = list(faults.steps)
    assert len(steps) == 44
    for k in range(1, len(steps) + 1):
        snapshot = rpc(anvil.url, "evm_snapshot")
        try:
            root = _project(tmp_path / f"crash-{k}", anvil.url)
            faults.steps, faults.crash_at = [], k
            with pytest.raises(_Crash) as crash:
                _deploy(root)
            assert str(crash.value) == steps[k - 1]  # the crash really was at step k
            faults.crash_at = None
            result = _deploy(root)
            assert [d.name for d in result.contracts] == [
                "Consortium", "TitleRegistry", "CostSharing", "JointVentureEscrow"
            ]
            _check_converged(root, anvil.url)
            again = _deploy(root)
            assert not any(d.newly_deployed for d in again.contracts), steps[k - 1]
            _check_converged(root, anvil.url)
        finally:
            assert rpc(anvil.url, "evm_revert", [snapshot]) is True
