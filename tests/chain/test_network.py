"""Networks: resolving names and URLs, connecting with the chain-id guard, PoA and EIP-1559 detection."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import AnvilNode, free_port, rpc
from web3 import Web3
from web3.exceptions import ExtraDataLengthError
from web3.providers.base import JSONBaseProvider

from coopetition._chain.network import (
    DEFAULT_TIMEOUT,
    NetworkSpec,
    anvil_dev_accounts,
    chain_from_web3,
    connect_chain,
    extra_data_is_poa,
    open_chain,
    resolve_network,
)
from coopetition._project import find_project
from coopetition.cli import cli
from coopetition.exceptions import (
    AccountError,
    ChainIdMismatchError,
    ConfigError,
    NodeUnreachableError,
    UnknownNetworkError,
)

ANVIL_ACCOUNT_0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"


def make_project(root: Path, toml: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "coopetition.toml").write_text(toml)
    return root


# -- resolve ---------------------------------------------------------------------------------------


def test_resolve_none_means_dev_on_default_url(tmp_path: Path) -> None:
    spec = resolve_network(None, find_project(make_project(tmp_path)))
    assert (spec.name, spec.kind, spec.url, spec.is_dev) == ("dev", "dev", "http://127.0.0.1:8545", True)
    assert spec.chain_id is None and spec.confirmations == 0 and spec.timeout == DEFAULT_TIMEOUT


def test_resolve_embedded_has_no_url_and_allows_dev_keys(tmp_path: Path) -> None:
    spec = resolve_network("embedded", find_project(make_project(tmp_path)))
    assert (spec.kind, spec.url, spec.is_dev) == ("embedded", None, True)


def test_resolve_configured_network_reads_env_and_never_shows_the_secret(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RPC_KEY", "s3cr3t")
    project = find_project(make_project(tmp_path, """
[networks.consortium]
url = "https://rpc.example.org/v1/${RPC_KEY}"
chain_id = 1337
confirmations = 2
timeout = 30
poa = true
"""))
    spec = resolve_network("consortium", project)
    assert spec.url == "https://rpc.example.org/v1/s3cr3t"
    assert (spec.kind, spec.chain_id, spec.confirmations, spec.timeout, spec.poa, spec.is_dev) == (
        "rpc", 1337, 2, 30.0, True, False)
    assert "s3cr3t" not in spec.display_url and "${RPC_KEY}" in spec.display_url
    assert "s3cr3t" not in repr(spec)


def test_resolve_reads_tool_coopetition_in_pyproject(tmp_path: Path) -> None:
    tmp_path.joinpath("pyproject.toml").write_text(
        '[tool.coopetition.networks.besu]\nurl = "http://10.0.0.5:8545"\nchain_id = 2018\n')
    spec = resolve_network("besu", find_project(tmp_path))
    assert (spec.url, spec.chain_id, spec.kind) == ("http://10.0.0.5:8545", 2018, "rpc")


def test_resolve_configured_network_fails_when_env_var_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("NOT_SET_ANYWHERE", raising=False)
    project = find_project(make_project(tmp_path, '[networks.x]\nurl = "https://h/${NOT_SET_ANYWHERE}"\n'))
    with pytest.raises(ConfigError, match="NOT_SET_ANYWHERE is not set"):
        resolve_network("x", project)


@pytest.mark.parametrize("url", ["http://127.0.0.1:8545", "https://rpc.example.org/key", "ws://127.0.0.1:8546",
                                 "wss://node.example.org"])
def test_resolve_url_as_name(url: str) -> None:
    spec = resolve_network(url)
    assert (spec.kind, spec.url, spec.name, spec.is_dev, spec.chain_id) == ("rpc", url, url, False, None)


def test_resolve_url_hides_userinfo_in_name() -> None:
    spec = resolve_network("https://user:pw@rpc.example.org")
    assert "pw" not in spec.name and "pw" not in spec.display_url
    assert spec.url == "https://user:pw@rpc.example.org"


def test_resolve_unknown_name_lists_valid_names(tmp_path: Path) -> None:
    project = find_project(make_project(tmp_path, '[networks.besu]\nurl = "http://10.0.0.5:8545"\n'))
    with pytest.raises(UnknownNetworkError) as info:
        resolve_network("mainnet", project)
    message = str(info.value)
    assert "'mainnet'" in message and "embedded, dev, besu" in message and "\n" not in message


@pytest.mark.parametrize("url", ["ftp://example.org", "http://", "http://host:99999", "htp://x:1"])
def test_resolve_malformed_url_is_one_line_config_error(url: str) -> None:
    with pytest.raises(ConfigError) as info:
        resolve_network(url)
    assert "malformed URL" in str(info.value) and "\n" not in str(info.value)


@pytest.mark.parametrize(("table", "match"), [
    ('url = "gopher://x"', "malformed URL for x"),
    ("chain_id = 5", "needs a url"),
    ('url = "http://h:1"\nchain_id = "five"', "chain_id must be an integer"),
    ('url = "http://h:1"\nconfirmations = -1', "confirmations must be an integer >= 0"),
    ('url = "http://h:1"\ntimeout = 0', "timeout must be a positive number"),
    ('url = "http://h:1"\npoa = "yes"', "poa must be true or false"),
    ('url = "http://h:1"\nrpc_key = "oops"', "unknown key"),
])
def test_resolve_bad_configuration_is_config_error(tmp_path: Path, table: str, match: str) -> None:
    project = find_project(make_project(tmp_path, f"[networks.x]\n{table}\n"))
    with pytest.raises(ConfigError, match=match):
        resolve_network("x", project)


def test_resolve_dev_uses_the_devnet_recorded_port(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    (root / ".coopetition" / "devnet").mkdir(parents=True)
    (root / ".coopetition" / "devnet" / "devnet.json").write_text(
        '{"pid": 1, "port": 9999, "url": "http://127.0.0.1:9999", "chain_id": 31337, "block_time": null,'
        ' "started_at": "x", "anvil": "a", "cmdline": ["a"], "proc_start": null, "state_file": "s",'
        ' "log_file": "l"}')
    assert resolve_network("dev", find_project(root)).url == "http://127.0.0.1:9999"


# -- connect ---------------------------------------------------------------------------------------


def test_connect_embedded_gives_funded_dev_accounts() -> None:
    chain = connect_chain(resolve_network("embedded"))
    accounts = chain.dev_accounts()
    assert len(accounts) == 10
    assert chain.w3.eth.get_balance(accounts[0].address) > 10**18
    assert chain.supports_eip1559 and not chain.poa
    assert chain.genesis_hash.startswith("0x") and len(chain.genesis_hash) == 66
    assert chain.chain_id == chain.w3.eth.chain_id


def test_connect_anvil_default(anvil: AnvilNode) -> None:
    chain = connect_chain(resolve_network(anvil.url))
    assert chain.chain_id == 31337
    assert chain.supports_eip1559 and not chain.poa
    genesis = rpc(anvil.url, "eth_getBlockByNumber", ["0x0", False])
    assert isinstance(genesis, dict) and chain.genesis_hash == genesis["hash"]


def test_connect_anvil_over_websocket(anvil: AnvilNode) -> None:
    chain = connect_chain(resolve_network(f"ws://127.0.0.1:{anvil.port}"))
    assert chain.chain_id == 31337
    assert chain.w3.eth.get_balance(ANVIL_ACCOUNT_0) == 10_000 * 10**18


def test_websocket_provider_answers_each_thread_its_own_reply(anvil: AnvilNode) -> None:
    from concurrent.futures import ThreadPoolExecutor

    chain = connect_chain(resolve_network(f"ws://127.0.0.1:{anvil.port}"))
    addresses = [a.address for a in anvil_dev_accounts()] + ["0x" + "00" * 19 + "01"] * 10
    with ThreadPoolExecutor(max_workers=8) as pool:
        balances = list(pool.map(chain.w3.eth.get_balance, addresses))
    assert balances == [10_000 * 10**18] * 10 + [0] * 10


@pytest.mark.parametrize("extra", [(), ("--disable-min-priority-fee",)], ids=["plain", "no-min-tip"])
def test_connect_anvil_with_zero_base_fee_and_zero_gas_price(
    anvil_factory: Callable[..., AnvilNode], extra: tuple[str, ...]
) -> None:
    node = anvil_factory("--base-fee", "0", "--gas-price", "0", *extra)
    chain = connect_chain(resolve_network(node.url))
    latest = chain.w3.eth.get_block("latest")
    assert chain.supports_eip1559 and latest["baseFeePerGas"] == 0
    if extra:  # anvil 1.7.1 still suggests a 1 gwei tip in eth_gasPrice unless told not to
        assert chain.w3.eth.gas_price == 0
    # a free-gas legacy transfer signed by the well-known dev key is accepted and costs nothing
    sender = anvil_dev_accounts()[0]
    before = chain.w3.eth.get_balance(sender.address)
    tx = {"to": "0x000000000000000000000000000000000000dEaD", "value": 5, "gas": 21_000, "gasPrice": 0,
          "nonce": 0, "chainId": chain.chain_id}
    tx_hash = chain.w3.eth.send_raw_transaction(sender.sign_transaction(tx).raw_transaction)
    assert chain.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=10)["status"] == 1
    assert chain.w3.eth.get_balance(sender.address) == before - 5


def test_connect_refuses_chain_id_mismatch(anvil_factory: Callable[..., AnvilNode], tmp_path: Path) -> None:
    node = anvil_factory("--chain-id", "4242")
    project = find_project(make_project(tmp_path, f'[networks.consortium]\nurl = "{node.url}"\nchain_id = 1234\n'))
    with pytest.raises(ChainIdMismatchError) as info:
        connect_chain(resolve_network("consortium", project))
    assert str(info.value) == f"network consortium expects chain id 1234 but the node at {node.url} reports 4242"
    node_ok = find_project(make_project(tmp_path / "ok", f'[networks.c]\nurl = "{node.url}"\nchain_id = 4242\n'))
    assert connect_chain(resolve_network("c", node_ok)).chain_id == 4242


def test_connect_fails_when_no_node_answers() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(NodeUnreachableError) as info:
        open_chain(url)
    assert str(info.value) == f"no node answers at {url} (network {url})"


def test_connect_dev_tells_to_start_the_devnet(tmp_path: Path) -> None:
    port = free_port()
    project = find_project(make_project(tmp_path, f'[networks.dev]\nurl = "http://127.0.0.1:{port}"\n'))
    with pytest.raises(NodeUnreachableError) as info:
        open_chain("dev", project)
    assert str(info.value) == (
        f"no node answers at http://127.0.0.1:{port} (network dev): run `coopetition devnet start`")


def test_unreachable_message_never_shows_the_rpc_secret(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RPC_KEY", "s3cr3t")
    port = free_port()
    project = find_project(make_project(tmp_path, f'[networks.x]\nurl = "http://127.0.0.1:{port}/${{RPC_KEY}}"\n'))
    with pytest.raises(NodeUnreachableError) as info:
        open_chain("x", project)
    assert str(info.value) == f"no node answers at http://127.0.0.1:{port}/${{RPC_KEY}} (network x)"


def test_connect_over_websocket_fails_cleanly_when_no_node() -> None:
    url = f"ws://127.0.0.1:{free_port()}"
    with pytest.raises(NodeUnreachableError, match="no node answers"):
        open_chain(url)


def test_dev_accounts_are_refused_on_a_non_dev_network(anvil: AnvilNode) -> None:
    chain = open_chain(anvil.url)
    with pytest.raises(AccountError) as info:
        chain.dev_accounts()
    assert str(info.value) == (
        f"dev accounts are refused on network {anvil.url}: use a keystore (`coopetition accounts new`)")


def test_dev_accounts_on_dev_are_anvils_well_known_keys(anvil: AnvilNode, tmp_path: Path) -> None:
    project = find_project(make_project(tmp_path, f'[networks.dev]\nurl = "{anvil.url}"\n'))
    chain = open_chain("dev", project)
    accounts = chain.dev_accounts()
    assert accounts[0].address == ANVIL_ACCOUNT_0
    assert accounts[9].address == "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720"
    assert all(chain.w3.eth.get_balance(a.address) == 10_000 * 10**18 for a in accounts)


# -- CLI: every bad network input is one line, exit 1, no traceback --------------------------------


def run_cli(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args))


def assert_one_line_error(result: Any, text: str) -> None:
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [f"Error: {text}"], result.output


def test_cli_node_down_on_dev_is_one_line(tmp_path: Path) -> None:
    port = free_port()
    root = make_project(tmp_path, f'[networks.dev]\nurl = "http://127.0.0.1:{port}"\n')
    result = run_cli("--project", str(root), "accounts", "balance", "0")
    assert_one_line_error(
        result, f"no node answers at http://127.0.0.1:{port} (network dev): run `coopetition devnet start`")


def test_cli_unknown_network_is_one_line(tmp_path: Path) -> None:
    root = make_project(tmp_path)
    result = run_cli("--project", str(root), "--network", "mainnet", "accounts", "balance", "0")
    assert_one_line_error(
        result, "unknown network 'mainnet': valid names are embedded, dev, or give an http(s):// or ws(s):// URL")


def test_cli_malformed_url_is_one_line(tmp_path: Path) -> None:
    result = run_cli("--project", str(make_project(tmp_path)), "--network", "ftp://x", "accounts", "balance")
    assert result.exit_code == 1 and "malformed URL" in result.output and "Traceback" not in result.output


def test_cli_chain_id_mismatch_is_one_line(anvil_factory: Callable[..., AnvilNode], tmp_path: Path) -> None:
    node = anvil_factory("--chain-id", "4242")
    root = make_project(tmp_path, f'[networks.c]\nurl = "{node.url}"\nchain_id = 1\n')
    result = run_cli("--project", str(root), "--network", "c", "accounts", "balance", ANVIL_ACCOUNT_0)
    assert_one_line_error(result, f"network c expects chain id 1 but the node at {node.url} reports 4242")


def test_cli_balance_of_a_dev_account_on_embedded(tmp_path: Path) -> None:
    result = run_cli("--project", str(make_project(tmp_path)), "--network", "embedded", "--json",
                     "accounts", "balance", "1")
    assert result.exit_code == 0, result.output
    assert '"balance": "1000000000000000000000000"' in result.output


# -- proof of authority ----------------------------------------------------------------------------
# anvil cannot produce blocks whose extra-data exceeds 32 bytes, so this drives the detection and
# web3's ExtraDataToPOAMiddleware through a stub JSON-RPC provider answering like a Clique/QBFT node
# (97 bytes of extra-data: 32 vanity + 65 seal). It covers our detection and middleware wiring, not a
# real Besu/Quorum node.

POA_EXTRA = "0x" + "ab" * 97


class PoaStubProvider(JSONBaseProvider):
    def __init__(self, extra_data: str, chain_id: int = 2018) -> None:
        super().__init__()
        self.extra_data = extra_data
        self.chain_id = chain_id
        self.calls: list[str] = []

    def _block(self, number: int) -> dict[str, Any]:
        return {
            "number": hex(number), "hash": "0x" + f"{number + 1:064x}", "parentHash": "0x" + "00" * 32,
            "nonce": "0x0000000000000000", "sha3Uncles": "0x" + "11" * 32, "logsBloom": "0x" + "00" * 256,
            "transactionsRoot": "0x" + "22" * 32, "stateRoot": "0x" + "33" * 32, "receiptsRoot": "0x" + "44" * 32,
            "miner": "0x" + "00" * 20, "difficulty": "0x1", "totalDifficulty": "0x1",
            "extraData": self.extra_data, "size": "0x100", "gasLimit": "0x1c9c380", "gasUsed": "0x0",
            "timestamp": "0x5f5e100", "transactions": [], "uncles": [], "mixHash": "0x" + "00" * 32,
        }

    def make_request(self, method: Any, params: Any) -> Any:
        self.calls.append(str(method))
        if method == "eth_chainId":
            return {"jsonrpc": "2.0", "id": 1, "result": hex(self.chain_id)}
        if method == "eth_getBlockByNumber":
            number = 0 if params[0] == "0x0" else 7
            return {"jsonrpc": "2.0", "id": 1, "result": self._block(number)}
        return {"jsonrpc": "2.0", "id": 1, "error": {"code": -32601, "message": f"no {method}"}}


def stub_spec(**overrides: Any) -> NetworkSpec:
    base: dict[str, Any] = {"name": "besu", "kind": "rpc", "url": "http://stub", "chain_id": None,
                            "is_dev": False, "confirmations": 0, "timeout": 5.0}
    base.update(overrides)
    return NetworkSpec(**base)


def test_poa_stub_without_middleware_fails_in_web3() -> None:
    # the control: web3 alone rejects such blocks, so the next test's success is our doing
    with pytest.raises(ExtraDataLengthError):
        Web3(PoaStubProvider(POA_EXTRA)).eth.get_block("latest")


def test_poa_extra_data_is_detected_and_middleware_injected() -> None:
    chain = chain_from_web3(stub_spec(), Web3(PoaStubProvider(POA_EXTRA)))
    assert chain.poa and chain.chain_id == 2018 and not chain.supports_eip1559
    block = chain.w3.eth.get_block("latest")
    assert block["number"] == 7 and len(block["proofOfAuthorityData"]) == 97


def test_short_extra_data_does_not_inject_poa_middleware() -> None:
    chain = chain_from_web3(stub_spec(), Web3(PoaStubProvider("0x" + "ab" * 32)))
    assert not chain.poa
    assert len(chain.w3.eth.get_block("latest")["extraData"]) == 32


def test_poa_forced_by_configuration() -> None:
    chain = chain_from_web3(stub_spec(poa=True), Web3(PoaStubProvider("0x")))
    assert chain.poa and "proofOfAuthorityData" in chain.w3.eth.get_block("latest")


def test_poa_chain_id_guard_applies_before_blocks_are_read() -> None:
    provider = PoaStubProvider(POA_EXTRA, chain_id=2018)
    with pytest.raises(ChainIdMismatchError):
        chain_from_web3(stub_spec(chain_id=1), Web3(provider))
    assert provider.calls == ["eth_chainId"]


@pytest.mark.parametrize(("extra", "expected"), [("0x", False), ("0x" + "00" * 32, False),
                                                 ("0x" + "00" * 33, True), (b"\x00" * 97, True)])
def test_extra_data_is_poa_threshold(extra: Any, expected: bool) -> None:
    assert extra_data_is_poa({"extraData": extra}) is expected


def test_real_cli_process_node_down_prints_one_line_without_traceback(tmp_path: Path) -> None:
    import subprocess
    import sys

    url = f"http://127.0.0.1:{free_port()}"
    proc = subprocess.run(
        [sys.executable, "-m", "coopetition", "--project", str(make_project(tmp_path)), "--network", url,
         "accounts", "balance", ANVIL_ACCOUNT_0],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode == 1 and proc.stdout == ""
    assert proc.stderr == f"Error: no node answers at {url} (network {url})\n"
