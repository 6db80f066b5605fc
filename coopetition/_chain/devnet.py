"""The local devnet: the project's pinned anvil, run in the background with its state kept on disk.

Everything lives under ``<project>/.coopetition/devnet/``:

* ``state.json``: anvil's state, loaded at start, dumped every ``state_interval`` seconds and on exit
  (``--state`` + ``--state-interval``), so a crash loses at most a few seconds and a restart keeps
  deployments;
* ``anvil.log``: anvil's output;
* ``states/``: anvil's spilled old states (``--cache-path``; by default they pile up in ~/.foundry):
  no later run needs them (a restart loads ``state.json``), so ``start`` and ``stop`` delete them;
* ``anvil.pid``: present while the devnet runs;
* ``devnet.json``: the last start (pid, port, URL, chain id, anvil path, command line and the kernel's
  start time of the process), used by ``dev`` to find the port and by ``stop`` to signal only the
  process this project started.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._project import Project, find_project
from ..exceptions import DevnetError
from .multicall import MULTICALL3_ADDRESS, multicall3_code

if TYPE_CHECKING:
    from eth_account.signers.local import LocalAccount

__all__ = [
    "ANVIL_MNEMONIC",
    "ANVIL_PACKAGE",
    "DEFAULT_CHAIN_ID",
    "DEFAULT_PORT",
    "DevAccountBalance",
    "Devnet",
    "DevnetRecord",
    "DevnetStatus",
    "anvil_dev_accounts",
    "devnet_url",
]

ANVIL_PACKAGE = "@foundry-rs/anvil-linux-amd64 1.7.1"
DEFAULT_PORT = 8545
DEFAULT_CHAIN_ID = 31337
DEFAULT_STATE_INTERVAL = 2
HOST = "127.0.0.1"
ANVIL_MNEMONIC = "test test test test test test test test test test test junk"
"""anvil's public development mnemonic: its funded accounts are known to everyone."""
DEV_ACCOUNT_COUNT = 10

# children started from this interpreter, kept so they are reaped (no zombie, no ResourceWarning)
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


@dataclass(frozen=True)
class DevnetRecord:
    """What ``devnet.json`` holds about the last start."""

    pid: int
    port: int
    url: str
    chain_id: int
    block_time: float | None
    started_at: str
    anvil: str
    cmdline: tuple[str, ...]
    proc_start: int | None
    """Start time of the process in clock ticks since boot (``/proc/<pid>/stat`` field 22)."""
    state_file: str
    log_file: str
    genesis_hash: str | None = None
    genesis_timestamp: int | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["cmdline"] = list(self.cmdline)
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> DevnetRecord:
        return cls(
            pid=int(data["pid"]),
            port=int(data["port"]),
            url=str(data["url"]),
            chain_id=int(data["chain_id"]),
            block_time=None if data.get("block_time") is None else float(data["block_time"]),
            started_at=str(data["started_at"]),
            anvil=str(data["anvil"]),
            cmdline=tuple(str(a) for a in data["cmdline"]),
            proc_start=None if data.get("proc_start") is None else int(data["proc_start"]),
            state_file=str(data["state_file"]),
            log_file=str(data["log_file"]),
            genesis_hash=None if data.get("genesis_hash") is None else str(data["genesis_hash"]),
            genesis_timestamp=None if data.get("genesis_timestamp") is None else int(data["genesis_timestamp"]),
        )


@dataclass(frozen=True)
class DevAccountBalance:
    index: int
    address: str
    balance_wei: int


@dataclass(frozen=True)
class DevnetStatus:
    running: bool
    url: str
    chain_id: int | None = None
    block_number: int | None = None
    accounts: tuple[DevAccountBalance, ...] = ()
    pid: int | None = None
    state_file: str | None = None
    log_file: str | None = None
    started_at: str | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["accounts"] = [
            {"index": a.index, "address": a.address, "balance_wei": str(a.balance_wei)}
            for a in self.accounts
        ]
        return data


def _proc_stat(pid: int) -> tuple[str, int] | None:
    """(state letter, start time in ticks) of a live process, or None."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # the command name is in parentheses and may contain spaces: split after the last ')'
    rest = raw[raw.rindex(")") + 2 :].split()
    return rest[0], int(rest[19])


def _proc_cmdline(pid: int) -> tuple[str, ...] | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    return tuple(part.decode(errors="replace") for part in raw.split(b"\0") if part)


def _reap(pid: int) -> None:
    child = _CHILDREN.get(pid)
    if child is not None:
        if child.poll() is not None:
            _CHILDREN.pop(pid, None)
        return
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)


def _forget(pid: int) -> None:
    """Reap a child of ours that has exited (it may still be a zombie when _alive said False)."""
    child = _CHILDREN.pop(pid, None)
    if child is not None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=5)


def _alive(pid: int) -> bool:
    _reap(pid)
    stat = _proc_stat(pid)
    return stat is not None and stat[0] not in ("Z", "X")


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR: connections in TIME_WAIT (a devnet just stopped) do not count, a listener does
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
    return True


def _rpc(url: str, method: str, params: list[Any] | None = None, timeout: float = 2.0) -> Any:
    body = json.dumps({"jsonrpc": "2.0", "id": 1, "method": method, "params": params or []}).encode()
    request = urllib.request.Request(url, body, {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.loads(response.read())["result"]


@lru_cache(maxsize=1)
def anvil_dev_accounts() -> tuple[LocalAccount, ...]:
    """anvil's ten funded accounts, derived from its public mnemonic (m/44'/60'/0'/0/i)."""
    from eth_account import Account

    Account.enable_unaudited_hdwallet_features()
    return tuple(
        Account.from_mnemonic(ANVIL_MNEMONIC, account_path=f"m/44'/60'/0'/0/{i}")
        for i in range(DEV_ACCOUNT_COUNT)
    )


def devnet_url(project: Project | None = None) -> str:
    """The URL of the project's devnet: its recorded port, else http://127.0.0.1:8545."""
    record = Devnet(project if project is not None else find_project()).record()
    return record.url if record is not None else f"http://{HOST}:{DEFAULT_PORT}"


class Devnet:
    """Start, stop, inspect and reset the anvil of one project."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self.dir = project.state_dir / "devnet"
        self.state_file = self.dir / "state.json"
        self.log_file = self.dir / "anvil.log"
        self.pid_file = self.dir / "anvil.pid"
        self.record_file = self.dir / "devnet.json"
        self.states_dir = self.dir / "states"

    # -- lookup -------------------------------------------------------------------------------------

    @property
    def anvil_path(self) -> Path:
        return self.project.node_modules / ".bin" / "anvil"

    def find_anvil(self) -> Path:
        path = self.anvil_path
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise DevnetError(
                f"anvil not found: run `npm ci` in {self.project.root} (package {ANVIL_PACKAGE})"
            )
        return path

    def record(self) -> DevnetRecord | None:
        """The last start recorded for this project (running or not)."""
        try:
            return DevnetRecord.from_json(json.loads(self.record_file.read_text()))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise DevnetError(f"cannot read {self.record_file}: {exc}; delete it and start again") from None

    def _is_ours(self, record: DevnetRecord) -> bool:
        """True when record.pid is alive and is the very anvil process recorded (not a reused pid)."""
        if not _alive(record.pid):
            return False
        if _proc_cmdline(record.pid) != record.cmdline:
            return False
        stat = _proc_stat(record.pid)
        return record.proc_start is None or (stat is not None and stat[1] == record.proc_start)

    def running(self) -> DevnetRecord | None:
        """The record of the devnet when its anvil is running, else None."""
        if not self.pid_file.exists():
            return None
        record = self.record()
        if record is None or not self._is_ours(record):
            return None
        return record

    # -- start --------------------------------------------------------------------------------------

    def start(
        self,
        *,
        port: int = DEFAULT_PORT,
        chain_id: int = DEFAULT_CHAIN_ID,
        block_time: float | None = None,
        state_interval: int = DEFAULT_STATE_INTERVAL,
        timeout: float = 30.0,
    ) -> tuple[DevnetRecord, bool]:
        """Start anvil in the background; returns (record, started) with started False when it was
        already running."""
        current = self.running()
        if current is not None:
            return current, False
        if not 1 <= port <= 65535:
            raise DevnetError(f"port {port} is out of range (1-65535)")
        if chain_id < 1:
            raise DevnetError(f"chain id {chain_id} must be a positive integer")
        if block_time is not None and block_time <= 0:
            raise DevnetError(f"block time {block_time} must be a positive number of seconds")
        anvil = self.find_anvil()
        if not _port_free(port):
            raise DevnetError(
                f"port {port} on {HOST} is already in use: stop what listens there or pass --port"
            )
        self.dir.mkdir(parents=True, exist_ok=True)
        self.pid_file.unlink(missing_ok=True)
        shutil.rmtree(self.states_dir, ignore_errors=True)  # left by an anvil that crashed
        args = [
            str(anvil), "--host", HOST, "--port", str(port), "--chain-id", str(chain_id),
            "--state", str(self.state_file), "--state-interval", str(state_interval),
            "--cache-path", str(self.states_dir),
        ]
        if block_time is not None:
            args += ["--block-time", _fmt_seconds(block_time)]
        previous = self.record()
        if not self.state_file.exists() and previous is not None and previous.genesis_timestamp is not None:
            # a fresh chain (after reset) must not repeat the previous genesis hash, which depends only
            # on the chain id and the genesis timestamp in seconds: deployment records compare it
            args += ["--timestamp", str(max(int(time.time()), previous.genesis_timestamp + 1))]
        url = f"http://{HOST}:{port}"
        with self.log_file.open("ab") as log:
            log.write(f"--- coopetition devnet start {datetime.now(UTC).isoformat()}: {' '.join(args)}\n".encode())
            log.flush()
            try:
                process = subprocess.Popen(
                    args, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                    cwd=self.project.root, start_new_session=True,
                )
            except OSError as exc:
                raise DevnetError(f"cannot run {anvil}: {exc.strerror or exc}") from None
        _CHILDREN[process.pid] = process
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                _forget(process.pid)
                raise DevnetError(
                    f"anvil exited at start (code {process.returncode}): {self._last_log_line()} "
                    f"(see {self.log_file})"
                )
            try:
                reported = int(str(_rpc(url, "eth_chainId", timeout=0.5)), 16)
                break
            except (OSError, ValueError, KeyError):
                if time.monotonic() > deadline:
                    self._terminate(process.pid)
                    raise DevnetError(f"anvil did not answer at {url} within {timeout:.0f} s (see {self.log_file})") from None
                time.sleep(0.05)
        stat = _proc_stat(process.pid)
        try:
            genesis = _rpc(url, "eth_getBlockByNumber", ["0x0", False])
            if _rpc(url, "eth_getCode", [MULTICALL3_ADDRESS, "latest"]) in ("0x", ""):  # batched reads
                _rpc(url, "anvil_setCode", [MULTICALL3_ADDRESS, "0x" + multicall3_code().hex()])
        except (OSError, ValueError, KeyError) as exc:
            self._terminate(process.pid)
            raise DevnetError(f"anvil at {url} did not return its genesis block: {exc}") from None
        record = DevnetRecord(
            pid=process.pid, port=port, url=url, chain_id=reported, block_time=block_time,
            started_at=datetime.now(UTC).isoformat(timespec="seconds"), anvil=str(anvil),
            cmdline=_proc_cmdline(process.pid) or tuple(args),
            proc_start=stat[1] if stat else None,
            state_file=str(self.state_file), log_file=str(self.log_file),
            genesis_hash=str(genesis["hash"]), genesis_timestamp=int(str(genesis["timestamp"]), 16),
        )
        _atomic_write(self.record_file, json.dumps(record.to_json(), indent=2) + "\n")
        _atomic_write(self.pid_file, f"{process.pid}\n")
        return record, True

    def _last_log_line(self) -> str:
        try:
            lines = [ln.strip() for ln in self.log_file.read_text(errors="replace").splitlines() if ln.strip()]
        except OSError:
            return "no log"
        return lines[-1] if lines else "no output"

    # -- stop ---------------------------------------------------------------------------------------

    def stop(self, *, timeout: float = 20.0) -> DevnetRecord | None:
        """Stop the anvil this project started (SIGTERM so it dumps its state); None if not running.

        Refuses, with :class:`DevnetError`, to signal a live process that is not the recorded anvil.
        """
        record = self.record()
        if record is None or not self.pid_file.exists():
            return None
        if not _alive(record.pid):
            self.pid_file.unlink(missing_ok=True)  # it died on its own (crash, reboot)
            return None
        if not self._is_ours(record):
            raise DevnetError(
                f"pid {record.pid} recorded in {self.pid_file} is not the anvil this project started "
                f"(another process reuses it): not signalling it; delete {self.pid_file} if the devnet is gone"
            )
        if not self._terminate(record.pid, timeout=timeout):
            raise DevnetError(f"anvil (pid {record.pid}) did not stop within {timeout:.0f} s")
        self.pid_file.unlink(missing_ok=True)
        shutil.rmtree(self.states_dir, ignore_errors=True)
        return record

    def _terminate(self, pid: int, *, timeout: float = 20.0) -> bool:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not _alive(pid):
                _forget(pid)
                return True
            time.sleep(0.05)
        return False

    # -- reset --------------------------------------------------------------------------------------

    def reset(self) -> tuple[DevnetRecord | None, DevnetRecord | None]:
        """Stop, delete the state, and start again with the same options if it was running.

        Returns (the stopped record or None, the new record or None)."""
        stopped = self.stop()
        for path in (self.state_file, self.state_file.with_name(self.state_file.name + ".tmp")):
            path.unlink(missing_ok=True)
        if stopped is None:
            return None, None
        started, _ = self.start(port=stopped.port, chain_id=stopped.chain_id, block_time=stopped.block_time)
        return stopped, started

    # -- status -------------------------------------------------------------------------------------

    def status(self) -> DevnetStatus:
        record = self.running()
        if record is None:
            return DevnetStatus(running=False, url=devnet_url(self.project))

        try:
            chain_id = int(str(_rpc(record.url, "eth_chainId")), 16)
            block = int(str(_rpc(record.url, "eth_blockNumber")), 16)
            accounts = tuple(
                DevAccountBalance(
                    index=i, address=acct.address,
                    balance_wei=int(str(_rpc(record.url, "eth_getBalance", [acct.address, "latest"])), 16),
                )
                for i, acct in enumerate(anvil_dev_accounts())
            )
        except (OSError, ValueError, KeyError) as exc:
            raise DevnetError(f"anvil (pid {record.pid}) runs but does not answer at {record.url}: {exc}") from None
        return DevnetStatus(
            running=True, url=record.url, chain_id=chain_id, block_number=block, accounts=accounts,
            pid=record.pid, state_file=record.state_file, log_file=record.log_file,
            started_at=record.started_at,
        )


def _fmt_seconds(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _atomic_write(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    os.replace(tmp, path)
