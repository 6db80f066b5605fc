"""The one-batch reference for ``bench/run.py --only reads``: the same data as ``escrow list`` for every
venture (or ``titles book --all`` for every offer), read with raw web3.py + eth-abi (no coopetition),
one Multicall3 batch per stage.

    python bench/reads_reference.py URL ESCROW
    python bench/reads_reference.py --titles URL EXCHANGE REGISTRY CONSORTIUM
"""

from __future__ import annotations

import sys

from eth_abi import abi
from eth_utils.crypto import keccak
from web3 import Web3

MULTICALL3 = "0xcA11bde05977b3631167028862bE2a173976CA11"
CHUNK = 200
MAX_REQUEST = 1_500_000


def sel(signature: str) -> bytes:
    return keccak(text=signature)[:4]


def batch(w3: Web3, calls: list[tuple[str, bytes]]) -> list[bytes]:
    datas = []
    for i in range(0, len(calls), CHUNK):
        items = [(to, True, data) for to, data in calls[i:i + CHUNK]]
        datas.append("0x" + (sel("aggregate3((address,bool,bytes)[])") + abi.encode(["(address,bool,bytes)[]"], [items])).hex())
    out: list[bytes] = []
    group: list[str] = []
    size = 0
    groups = []
    for d in datas:
        if group and size + len(d) > MAX_REQUEST:
            groups.append(group)
            group, size = [], 0
        group.append(d)
        size += len(d)
    groups.append(group)
    for g in groups:
        answers = w3.provider.make_batch_request([("eth_call", [{"to": MULTICALL3, "data": d}, "latest"]) for d in g])  # type: ignore[attr-defined]
        for a in answers:
            (items,) = abi.decode(["(bool,bytes)[]"], bytes.fromhex(a["result"][2:]))
            out.extend(bytes(data) for _, data in items)
    return out


def main(url: str, escrow: str) -> int:
    w3 = Web3(Web3.HTTPProvider(url))
    escrow = Web3.to_checksum_address(escrow)
    count = abi.decode(["uint256"], w3.eth.call({"to": escrow, "data": "0x" + sel("ventureCount()").hex()}))[0]
    one = ["venture(uint256)", "ventureState(uint256)", "dissolutionVotes(uint256)", "partners(uint256)",
           "heldFor(uint256)", "ventureName(uint256)"]
    ids = range(1, count + 1)
    first = batch(w3, [(escrow, sel(s) + abi.encode(["uint256"], [v])) for v in ids for s in one])
    venture_type = "(address,address,address,uint64,uint64,uint32,uint32,uint32,uint8,uint32,uint32,uint32,uint32,uint256,uint256,uint256,uint256,uint256,uint256)"
    second: list[tuple[str, bytes]] = []
    for k, v in enumerate(ids):
        raw = abi.decode([venture_type], first[6 * k])[0]
        partners = abi.decode(["address[]"], first[6 * k + 3])[0]
        for who in partners:
            second.append((escrow, sel("partner(uint256,address)") + abi.encode(["uint256", "address"], [v, who])))
            second.append((escrow, sel("refundable(uint256,address)") + abi.encode(["uint256", "address"], [v, who])))
        for i in range(raw[11]):  # milestoneCount
            second.append((escrow, sel("milestone(uint256,uint256)") + abi.encode(["uint256", "uint256"], [v, i])))
            second.extend((escrow, sel("hasApproved(uint256,uint256,address)")
                           + abi.encode(["uint256", "uint256", "address"], [v, i, who])) for who in partners)
    results = batch(w3, second)
    w3.eth.get_block("latest")
    print(count, len(first) + len(results))
    return 0


OFFER = "(address,uint64,bool,uint8,address,uint96,address,uint96,uint8,uint96,uint96,uint160)"
TITLE_CLASS = "(string,bytes32,uint64,uint64,uint256,uint256)"
MEMBER = "(address,string)"


def titles(url: str, exchange: str, registry: str, consortium: str) -> int:
    """What ``titles book --all`` reads: the offer count, every offer and its state (one batch), the
    members with their labels, the class count and every class (one batch), the latest block."""
    w3 = Web3(Web3.HTTPProvider(url))
    exchange, registry, consortium = (Web3.to_checksum_address(a) for a in (exchange, registry, consortium))

    def one(to: str, signature: str, out: str) -> object:
        return abi.decode([out], w3.eth.call({"to": to, "data": "0x" + sel(signature).hex()}))[0]

    count = one(exchange, "offerCount()", "uint256")
    assert isinstance(count, int)
    answers = batch(w3, [(exchange, sel(s) + abi.encode(["uint256"], [i])) for i in range(1, count + 1)
                         for s in ("offer(uint256)", "offerState(uint256)")])
    offers = [(abi.decode([OFFER], answers[2 * k])[0], abi.decode(["uint8"], answers[2 * k + 1])[0])
              for k in range(count)]
    members = w3.eth.call({"to": consortium, "data": "0x" + sel("memberList()").hex()})
    labels = {m[0]: m[1] for m in abi.decode([f"{MEMBER}[]"], members)[0]}
    classes = one(registry, "classCount()", "uint256")
    assert isinstance(classes, int)
    names = [abi.decode([TITLE_CLASS], r)[0][0] for r in
             batch(w3, [(registry, sel("titleClass(uint256)") + abi.encode(["uint256"], [c])) for c in range(1, classes + 1)])]
    w3.eth.get_block("latest")
    print(len(offers), len(labels), len(names))
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "--titles":
        raise SystemExit(titles(*sys.argv[2:6]))
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
