"""Benchmarks behind the figures in the README: ``make bench`` writes bench/results.json and .md.

Each section is a function returning a :class:`Section`; add new ones (gas reports, ...) to
``SECTIONS``. Timings are medians of several runs of the real command line in a subprocess, on a
throw-away copy of the project so the working tree is never touched.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
BENCH = REPO / "bench"
COOPETITION = Path(sys.executable).parent / "coopetition"


@dataclass(frozen=True)
class Row:
    metric: str
    value: float
    unit: str
    note: str = ""


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    rows: tuple[Row, ...]
    details: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    """Shared by the sections: run counts and a scratch copy of the project."""

    runs: int
    scratch: Path


def median_seconds(cmd: Sequence[str], runs: int, *, env: dict[str, str] | None = None) -> tuple[float, list[float]]:
    """Median wall time of ``cmd`` over ``runs`` runs (each must exit 0)."""
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        proc = subprocess.run(list(cmd), capture_output=True, text=True, env=env, check=False)
        elapsed = time.perf_counter() - started
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr or proc.stdout}")
        times.append(elapsed)
    return statistics.median(times), times


@contextmanager
def scratch_project() -> Iterator[Path]:
    """A copy of contracts/ with the repo's node_modules, in a temporary folder."""
    with tempfile.TemporaryDirectory(prefix="coopetition-bench-") as tmp:
        root = Path(tmp) / "project"
        shutil.copytree(REPO / "contracts", root / "contracts")
        (root / "node_modules").symlink_to(REPO / "node_modules")
        yield root


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env.pop("COOPETITION_PROJECT", None)
    return env


def bench_compile(ctx: Context) -> Section:
    """`coopetition compile`: no-op on an unchanged tree, and a forced full compile."""
    base = [str(COOPETITION), "--project", str(ctx.scratch), "compile"]
    env = _env()
    subprocess.run(base, capture_output=True, check=True, env=env)  # first compile, writes the launcher
    which_cmd = [str(COOPETITION), "--json", "--project", str(ctx.scratch), "compile", "--which"]
    chosen = json.loads(subprocess.run(which_cmd, capture_output=True, text=True, check=True, env=env).stdout)
    which = f"solc {chosen['version']} ({chosen['kind']})"
    noop, noop_runs = median_seconds(base, max(ctx.runs, 5), env=env)
    full, full_runs = median_seconds([*base, "--force"], max(3, ctx.runs // 2), env=env)
    sources = sorted(str(p.relative_to(ctx.scratch)) for p in (ctx.scratch / "contracts").rglob("*.sol"))
    return Section(
        "compile",
        "Compile",
        (
            Row("`coopetition compile`, unchanged tree (no-op)", noop, "s", "goal ≤ 0.3 s"),
            Row("`coopetition compile --force` (full compile)", full, "s", f"compiler: {which}"),
        ),
        {"noop_runs": noop_runs, "full_runs": full_runs, "compiler": which, "sources": sources},
    )


def bench_startup(ctx: Context) -> Section:
    """CLI start-up (bench/startup.py): `coopetition --version`, `--help` and one read command against
    anvil beside `python -c "import web3"`, interleaved in the same run; and a bare Python start."""
    from startup import measure

    rows, details = measure(max(ctx.runs, 5), COOPETITION, Row)
    bare, bare_runs = median_seconds([sys.executable, "-c", "pass"], max(ctx.runs, 5), env=_env())
    return Section("startup", "CLI start-up", (*rows, Row("`python -c pass` (reference)", bare, "s")),
                   {**details, "python_runs": bare_runs})


def bench_reads(ctx: Context) -> Section:
    """`escrow list` over 1,000 ventures on anvil beside a one-batch reference (bench/reads.py)."""
    from reads import measure

    rows, details = measure(max(ctx.runs, 3), COOPETITION, Row)
    return Section("reads", "Reads at scale (anvil)", rows, details)


def bench_writes(ctx: Context) -> Section:
    """500 escrow deposits on anvil: typed wrapper, service and pipelined, beside raw web3.py (bench/writes.py)."""
    from writes import measure as measure_writes

    rows, details = measure_writes(max(3, ctx.runs // 2), Row)
    return Section("writes", "Writes (anvil)", rows, details)


def bench_demo(ctx: Context) -> Section:
    """`coopetition demo` after set-up (a first, untimed run compiles the scratch copy; the timed runs
    find nothing to compile), beside `python -c "import web3"` measured in the same run."""
    env = _env()
    demo = [str(COOPETITION), "--project", str(ctx.scratch), "demo"]
    subprocess.run(demo, capture_output=True, check=True, env=env)  # set-up: compiles once
    runs = 3
    took, demo_runs = median_seconds(demo, runs, env=env)
    web3, web3_runs = median_seconds([sys.executable, "-c", "import web3"], runs, env=env)
    return Section(
        "demo",
        "Demo",
        (
            Row("`coopetition demo` after set-up (nothing to compile)", took, "s", "goal ≤ 10 s on a quiet machine"),
            Row('`python -c "import web3"` (reference)', web3, "s"),
        ),
        {"demo_runs": demo_runs, "import_web3_runs": web3_runs},
    )


SECTIONS: list[Callable[[Context], Section]] = [bench_compile, bench_startup, bench_reads, bench_writes, bench_demo]


# ---------------------------------------------------------------------------------- gas reports
# Every bench/gas_<family>.py that exists adds one section (skipped cleanly when the file is absent).
# Its report function is `gas_report()` (or, for modules written before that convention, the one
# public zero-argument function the module defines). It returns a gas_common.GasTable or rows that
# gas_common.as_gas_rows reads: GasRow, (operation, gas, baseline, baseline_gas, note) tuples,
# mappings or dataclasses with those fields.
GAS_MODULES = ("gas_consortium", "gas_escrow", "gas_rounds", "gas_costs", "gas_titles")
GAS_FAILURES: list[str] = []


def _gas_report_function(module: Any) -> Callable[[], Any]:
    import inspect

    named = getattr(module, "gas_report", None)
    if callable(named):
        return named  # type: ignore[no-any-return]
    candidates = [
        fn for name, fn in vars(module).items()
        if inspect.isfunction(fn) and not name.startswith("_") and fn.__module__ == module.__name__
        and all(p.default is not p.empty or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                for p in inspect.signature(fn).parameters.values())
    ]
    if len(candidates) != 1:
        names = ", ".join(fn.__name__ for fn in candidates) or "none"
        raise LookupError(f"define gas_report() (public zero-argument functions here: {names})")
    return candidates[0]


def _gas_section(name: str) -> Callable[[Context], Section]:
    def bench_gas(ctx: Context) -> Section:
        import importlib

        from gas_common import GasTable, as_gas_rows

        family = name.removeprefix("gas_")
        try:
            module = importlib.import_module(name)
            report = _gas_report_function(module)()
            if all(hasattr(report, a) for a in ("key", "title", "rows", "intro", "details")):
                table = report  # a GasTable (duck-typed: gas_common may be imported twice)
            else:
                table = GasTable(name, f"Gas: {family}", as_gas_rows(report))
        except Exception as exc:  # one broken family must not lose the other reports
            message = f"bench/{name}.py failed: {type(exc).__name__}: {exc}"
            print(message, file=sys.stderr)
            GAS_FAILURES.append(message)
            return Section(name, f"Gas: {family}", (), {"error": message})
        rows = tuple(Row(r.operation, r.gas, "gas", r.note) for r in table.rows)
        title = table.title if table.title.lower().startswith("gas") else f"Gas: {table.title}"
        return Section(table.key, title, rows, {
            "gas_rows": [{**asdict(r), "difference": r.difference} for r in table.rows],
            "intro": table.intro,
            **dict(table.details),
        })

    bench_gas.__name__ = f"bench_{name}"
    return bench_gas


sys.path.insert(0, str(BENCH))  # the gas modules import gas_common as a top-level module
SECTIONS += [_gas_section(name) for name in GAS_MODULES if (BENCH / f"{name}.py").is_file()]


def machine() -> dict[str, Any]:
    node = shutil.which("node")
    node_version = (
        subprocess.run([node, "--version"], capture_output=True, text=True).stdout.strip() if node else None
    )
    return {
        "python": platform.python_version(),
        "node": node_version,
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
    }


def render_markdown(sections: Sequence[Section], info: dict[str, Any], runs: int) -> str:
    lines = [
        "Generated by `make bench` (bench/run.py); do not edit.",
        "",
        f"Machine: Python {info['python']}, Node {info['node']}, {info['cpus']} CPUs, {info['platform']}. "
        f"Medians of at least {runs} runs.",
    ]
    for section in sections:
        if "error" in section.details:
            lines += ["", f"## {section.title}", "", f"Not measured: {section.details['error']}"]
            continue
        if "gas_rows" in section.details:  # a gas report (bench/gas_common.py)
            from gas_common import as_gas_rows, markdown_table

            intro = [section.details["intro"], ""] if section.details.get("intro") else []
            table = markdown_table(as_gas_rows(section.details["gas_rows"]))
            lines += ["", f"## {section.title}", "", *intro, *table]
            continue
        intro = [section.details["intro"], ""] if section.details.get("intro") else []
        lines += ["", f"## {section.title}", "", *intro, "| what | median | note |", "| --- | ---: | --- |"]
        for row in section.rows:
            value = f"{row.value:.3f} {row.unit}" if row.unit == "s" else (
                f"{row.value:.1f} {row.unit}" if row.unit in ("tx/s", "ms") else f"{row.value:g} {row.unit}")
            lines.append(f"| {row.metric} | {value} | {row.note} |")
    return "\n".join(lines) + "\n"


def _previous_sections() -> dict[str, Any]:
    path = BENCH / "results.json"
    return dict(json.loads(path.read_text()).get("sections", {})) if path.exists() else {}


def _previous_section(key: str, value: dict[str, Any]) -> Section:
    details = {k: v for k, v in value.items() if k not in ("title", "rows")}
    return Section(key, value["title"], tuple(Row(**r) for r in value["rows"]), details)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Run the coopetition benchmarks.")
    parser.add_argument("--runs", type=int, default=7, help="runs per timing (median taken)")
    parser.add_argument("--only", action="append",
                        help="run only these sections (by key); the others keep their last results")
    args = parser.parse_args(argv)
    if not any((REPO / "contracts").rglob("*.sol")):
        raise SystemExit("no contracts under contracts/: nothing to benchmark")

    sections = []
    with scratch_project() as scratch:
        ctx = Context(runs=args.runs, scratch=scratch)
        for fn in SECTIONS:
            if args.only and fn.__name__.removeprefix("bench_") not in args.only:
                continue
            section = fn(ctx)
            sections.append(section)
            for row in section.rows:
                value = f"{row.value:,.0f}" if row.unit == "gas" else f"{row.value:.3f}"
                print(f"{section.title}: {row.metric}: {value} {row.unit}")

    if args.only:  # keep every other section's last figures, in the usual order
        fresh = {s.key: s for s in sections}
        sections = [fresh.pop(key, None) or _previous_section(key, value)
                    for key, value in _previous_sections().items()] + list(fresh.values())
    info = machine()
    data = {
        "_generated": "by `make bench` (bench/run.py); do not edit",
        "machine": info,
        "runs": args.runs,
        "sections": {s.key: {"title": s.title, "rows": [asdict(r) for r in s.rows], **s.details}
                     for s in sections},
    }
    (BENCH / "results.json").write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    (BENCH / "results.md").write_text(render_markdown(sections, info, args.runs))
    print(f"wrote {BENCH / 'results.json'} and {BENCH / 'results.md'}")
    if GAS_FAILURES:
        print("gas reports that failed:\n  " + "\n  ".join(GAS_FAILURES), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
