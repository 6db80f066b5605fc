"""A service write costs its checks' reads in one round trip, then the pipeline's three (anvil,
counted by the counting provider): ``EscrowService.deposit`` is four round trips for ether."""

from __future__ import annotations

from pathlib import Path

import pytest
from _rpc_count import RpcCounter
from conftest import start_anvil

from coopetition._chain.devnet import anvil_dev_accounts
from coopetition._chain.multicall import MULTICALL3_ADDRESS
from coopetition._session import SuiteMember, connect, deploy_suite
from coopetition.exceptions import InputError

pytestmark = pytest.mark.anvil

ADDR = [a.address for a in anvil_dev_accounts()]
PREPARE_BATCH = ("eth_estimateGas", "eth_getBlockByNumber", "eth_maxPriorityFeePerGas", "eth_getBalance",
                 "eth_getTransactionCount")


def test_an_ether_deposit_is_four_round_trips_and_its_checks_still_refuse(tmp_path: Path) -> None:
    node = start_anvil()
    try:
        (tmp_path / "coopetition.toml").write_text(f'[networks.dev]\nurl = "{node.url}"\n')
        conn = connect("dev", account=1, project=tmp_path)
        deploy_suite(conn, [SuiteMember("Acme", ADDR[1]), SuiteMember("Globex", ADDR[2])], quorum=2)
        escrow = conn.suite().escrow
        vid = escrow.create(escrow.terms("JV", partners=[("Acme", "1 ether"), ("Globex", "1 ether")],
                                         milestones=["2 ether"], beneficiary=ADDR[4], quorum=2)).id
        escrow.deposit(vid, "0.1 ether")  # the first read of a connection asks whether Multicall3 is there
        counter = RpcCounter.install(conn.w3)
        for _ in range(3):
            counter.reset()
            assert escrow.deposit(vid, "0.1 ether").status == 1
            multicall, *send = counter.trips
            assert multicall == ("eth_call",), counter.trips  # venture and position, one aggregate3
            assert send[:2] == [PREPARE_BATCH, ("eth_sendRawTransaction",)], counter.trips
            assert set(send[2:]) == {("eth_getTransactionReceipt",)}, counter.trips
        assert escrow.contract.partner(vid, ADDR[1]).paid == 4 * 10**17
        counter.reset()
        with pytest.raises(InputError, match=r"more than .* still owes"):
            escrow.deposit(vid, "1 ether")
        assert counter.trips == [("eth_call",)]  # refused from the batched reads: nothing sent
        assert len(conn.w3.eth.get_code(MULTICALL3_ADDRESS)) > 0
    finally:
        node.stop()
