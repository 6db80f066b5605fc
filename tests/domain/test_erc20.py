"""coopetition._domain.erc20 on the embedded chain: the one ERC-20 client and asset look-up, and
approve-if-short with the reset to zero that USDT-style tokens require (dry-run aware)."""

from __future__ import annotations

from pathlib import Path

import pytest
from _embedded import EmbeddedEnv
from _usdt import NonZeroToNonZeroApproval, UsdtStyleSender

from coopetition._artifacts import load_artifact
from coopetition._chain.deployments import deploy_contract
from coopetition._chain.records import DeploymentStore
from coopetition._chain.tx import TransactionPipeline
from coopetition._domain.asset import ETHER, Asset
from coopetition._domain.erc20 import ERC20, read_asset
from coopetition.exceptions import InputError

TEST_ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
OWNER, SPENDER = 1, 2


@pytest.fixture(scope="module")
def env() -> EmbeddedEnv:
    return EmbeddedEnv.start()


def _token(env: EmbeddedEnv, name: str = "MockERC20", symbol: str = "USDT") -> str:
    artifact = load_artifact(name, search=[TEST_ARTIFACTS])
    address = deploy_contract(env.pipeline(0), DeploymentStore(None, "embedded"), name=name, abi=artifact.abi,
                              bytecode=artifact.bytecode, args=["Test", symbol, 6], reset=True).address
    from mocks.mock_erc20 import MockERC20

    if name == "MockERC20":
        MockERC20(env.w3, address, env.pipeline(0)).mint(env.address(OWNER), 10**12)
    return address


def test_read_asset_names_ether_one_way_and_reads_token_metadata(env: EmbeddedEnv) -> None:
    for ref in (None, "ETH", "eth", "0x" + "00" * 20):
        assert read_asset(env.w3, ref) == ETHER
    token = _token(env)
    assert read_asset(env.w3, token.lower()) == Asset(token, "USDT", 6)
    with pytest.raises(InputError, match="has no code on this network"):
        read_asset(env.w3, env.address(5))
    with pytest.raises(InputError, match="is not an address"):
        read_asset(env.w3, "USDC")


def test_client_reads_balance_and_allowance(env: EmbeddedEnv) -> None:
    token = ERC20(env.w3, _token(env))
    assert (token.symbol(), token.decimals()) == ("USDT", 6)
    assert token.balance_of(env.address(OWNER)) == 10**12
    assert token.allowance(env.address(OWNER), env.address(SPENDER)) == 0


def test_approve_if_short_resets_an_old_partial_allowance_first(env: EmbeddedEnv) -> None:
    address = _token(env)
    guarded = UsdtStyleSender(env.pipeline(OWNER), env.w3)
    token = ERC20(env.w3, address, guarded)
    owner, spender = env.address(OWNER), env.address(SPENDER)
    assert token.approve_if_short(owner, spender, 100) and token.allowance(owner, spender) == 100
    assert token.approve_if_short(owner, spender, 100) == ()  # enough: nothing sent
    sent = token.approve_if_short(owner, spender, 250)
    assert len(sent) == 2 and all(tx.status == 1 for tx in sent)
    assert guarded.approvals == [(address, 0, 100), (address, 100, 0), (address, 0, 250)]
    assert token.allowance(owner, spender) == 250


def test_the_usdt_style_guard_itself_refuses_non_zero_to_non_zero(env: EmbeddedEnv) -> None:
    address = _token(env)
    token = ERC20(env.w3, address, UsdtStyleSender(env.pipeline(OWNER), env.w3))
    token.approve(env.address(SPENDER), 5)
    with pytest.raises(NonZeroToNonZeroApproval):
        token.approve(env.address(SPENDER), 6)  # what a client without the reset would send


def test_approve_if_short_in_a_dry_run_stops_at_the_first_simulated_approval(env: EmbeddedEnv) -> None:
    address = _token(env)
    owner, spender = env.address(OWNER), env.address(SPENDER)
    ERC20(env.w3, address, env.pipeline(OWNER)).approve(spender, 5)
    dry = TransactionPipeline(env.w3, env.accounts[OWNER], network="embedded", is_dev=True,
                              nonce_manager=env.nonces, dry_run=True)
    block = env.w3.eth.block_number
    sent = ERC20(env.w3, address, dry).approve_if_short(owner, spender, 50)
    assert len(sent) == 1 and sent[0].dry_run  # the reset to zero, simulated; nothing after it
    assert env.w3.eth.block_number == block
    assert ERC20(env.w3, address).allowance(owner, spender) == 5
