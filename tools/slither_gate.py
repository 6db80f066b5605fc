"""Run slither on contracts/ through coopetition's compiler and fail on untriaged High/Medium findings.

Usage (``make slither`` does this)::

    .venv/bin/python tools/slither_gate.py [--slither .venv-slither/bin/slither] [--json]

slither-analyzer lives in its own virtual environment (``.venv-slither``, pinned by
``constraints-slither.txt``) because it pins another web3 than the package. It compiles through the
same compiler ``coopetition compile`` picks (native solc, or solc-js through the Node bridge launcher)
with the same remappings and settings. Every source under contracts/ except contracts/test/ that
declares a deployable contract is analysed, together with everything it imports; a source holding
only abstract contracts, libraries or interfaces is analysed through the contracts that inherit or
use it (alone, an abstract storage base looks "never initialized" because only its heirs write it).
Findings in node_modules are filtered out.

A High or Medium finding fails the gate unless ``slither-triage.json`` lists it::

    {"accepted": [{"check": "unused-return", "where": "Consortium.removeMember(address)",
                   "reason": "why this is not a bug"}]}

``where`` must occur in the finding's description (use the function signature, not a line number, so
the entry survives edits); ``reason`` must not be empty.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from coopetition._compiler import EVM_VERSION, OPTIMIZER_RUNS, find_compiler  # noqa: E402
from coopetition._compiler.sources import compile_units  # noqa: E402
from coopetition._project import find_project  # noqa: E402

FAILING = ("High", "Medium")


@dataclass(frozen=True)
class Finding:
    id: str
    check: str
    impact: str
    confidence: str
    description: str

    @property
    def headline(self) -> str:
        return self.description.strip().splitlines()[0]


def load_triage(path: Path) -> list[dict[str, str]]:
    if not path.is_file():
        return []
    data = json.loads(path.read_text())
    entries = data.get("accepted", [])
    for entry in entries:
        if not entry.get("check") or not str(entry.get("reason", "")).strip():
            raise SystemExit(f"{path}: every accepted finding needs a 'check' and a 'reason': {entry}")
    return list(entries)


def is_triaged(finding: Finding, triage: list[dict[str, str]]) -> bool:
    return any(
        entry["check"] == finding.check and entry.get("where", "") in finding.description
        for entry in triage
    )


def run_slither(slither: str, source: str, solc: Path, remaps: list[str]) -> list[Finding]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "slither.json"
        cmd = [
            slither, source,
            "--solc", str(solc),
            "--solc-args", f"--optimize --optimize-runs {OPTIMIZER_RUNS} --evm-version {EVM_VERSION}",
            "--filter-paths", "node_modules",
            "--json", str(out),
        ]
        if remaps:
            cmd += ["--solc-remaps", " ".join(remaps)]
        proc = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, check=False)
        try:
            data: dict[str, Any] = json.loads(out.read_text())
        except (OSError, ValueError):
            tail = "\n".join((proc.stderr or proc.stdout).strip().splitlines()[-15:])
            raise SystemExit(f"slither did not produce a report for {source}:\n{tail}") from None
    if not data.get("success"):
        raise SystemExit(f"slither failed on {source}: {data.get('error')}")
    return [
        Finding(d["id"], d["check"], d["impact"], d["confidence"], d["description"])
        for d in data.get("results", {}).get("detectors", [])
    ]


_DEPLOYABLE = re.compile(r"^\s*contract\s+[A-Za-z_$]", re.M)


def deployable(source: str) -> bool:
    """Whether ``source`` (a path relative to the project) declares a non-abstract contract."""
    text = re.sub(r"//[^\n]*|/\*.*?\*/", "", (REPO / source).read_text(), flags=re.S)
    return bool(_DEPLOYABLE.search(text))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slither", default=str(REPO / ".venv-slither" / "bin" / "slither"))
    parser.add_argument("--triage", default=str(REPO / "slither-triage.json"))
    parser.add_argument("--json", action="store_true", help="print every finding as JSON")
    args = parser.parse_args(argv)

    project = find_project(REPO)
    # every shipped unit: the main one and each compiler profile's (the titles contracts are one)
    units = [u for u in compile_units(project) if u.name != "test"]
    if not units:
        print("slither: no contracts to analyse")
        return 0
    solc = find_compiler(project).path
    remaps = sorted({r for u in units for r in u.input["settings"]["remappings"]})
    triage = load_triage(Path(args.triage))

    findings: dict[str, Finding] = {}
    with ThreadPoolExecutor(max_workers=2) as pool:
        targets = [t for u in units for t in u.targets if deployable(t)]
        reports = pool.map(lambda source: run_slither(args.slither, source, solc, remaps), targets)
        for report in reports:
            for finding in report:
                findings.setdefault(finding.id, finding)

    ordered = sorted(findings.values(), key=lambda f: (FAILING.index(f.impact) if f.impact in FAILING
                                                       else 9, f.check, f.headline))
    failing = [f for f in ordered if f.impact in FAILING and not is_triaged(f, triage)]
    triaged = [f for f in ordered if f.impact in FAILING and is_triaged(f, triage)]
    if args.json:
        print(json.dumps([f.__dict__ for f in ordered], indent=2))
    for finding in failing:
        print(f"FAIL {finding.impact}/{finding.confidence} {finding.check}: {finding.headline}")
    counts = {level: sum(1 for f in ordered if f.impact == level)
              for level in ("High", "Medium", "Low", "Informational", "Optimization")}
    summary = ", ".join(f"{n} {level.lower()}" for level, n in counts.items() if n) or "no findings"
    print(f"slither: {len(targets)} sources with deployable contracts, {summary}; {len(triaged)} high/medium triaged in "
          f"{Path(args.triage).name}, {len(failing)} failing")
    if failing:
        print("Fix them, or list each in slither-triage.json with a reason.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
