"""``coopetition compile``: contracts/ -> artifacts (fast no-op when nothing changed)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..exceptions import ArtifactError
from ._context import CliContext, pass_cli


def _show(path: Path, root: Path) -> str:
    try:
        return Path(os.path.relpath(path, root)).as_posix()
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)


@click.command("compile")
@click.option(
    "--solc", "solc_path", envvar="COOPETITION_SOLC", default=None, metavar="PATH",
    help="Use this solc 0.8.37 binary (default: py-solc-x's, then PATH, then the npm solc-js).",
)
@click.option("--force", is_flag=True, help="Compile even when nothing changed.")
@click.option("--check", is_flag=True,
              help="Compile nothing; fail when the artifacts are stale against contracts/.")
@click.option("--which", "which_", is_flag=True, help="Print the compiler that would be used and exit.")
@pass_cli
def compile_cmd(ctx: CliContext, solc_path: str | None, force: bool, check: bool, which_: bool) -> None:
    """Compile contracts/ into the artifacts the package ships (tests/artifacts for contracts/test)."""
    from .._compiler import check_artifacts, compile_project, find_compiler

    project = ctx.project
    if which_:
        compiler = find_compiler(project, solc=solc_path)
        ctx.emit(
            str(compiler.path),
            {"kind": compiler.kind, "path": str(compiler.path), "version": compiler.version},
        )
        return
    if check:
        problems = check_artifacts(project)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise ArtifactError(f"artifacts are stale: {problems[0]}{more}; run `make compile`")
        ctx.emit("Artifacts are up to date.", {"stale": []})
        return

    result = compile_project(project, solc=solc_path, force=force)
    hidden = 0
    for warning in result.warnings:
        if warning.startswith("node_modules/"):
            hidden += 1  # in a dependency: nothing the user can fix here
        else:
            ctx.info(warning)
    if hidden:
        ctx.info(f"({hidden} warning{'s' if hidden > 1 else ''} in node_modules not shown; --json lists them)")
    root = project.root
    if result.cached:
        human = (f"Nothing to compile: {len(result.contracts)} artifacts are up to date "
                 f"({result.seconds:.2f} s).")
    else:
        human = (
            f"Compiled {len(result.contracts)} contracts with {result.compiler.describe()} "
            f"in {result.seconds:.1f} s: {len(result.written)} written, "
            f"{len(result.unchanged)} unchanged, {len(result.removed)} removed."
        )
        for path in result.written:
            human += f"\n  wrote   {_show(path, root)}"
        for path in result.removed:
            human += f"\n  removed {_show(path, root)}"
    used = result.compiler
    ctx.emit(
        human,
        {
            "cached": result.cached,
            "compiler": {"kind": used.kind, "path": str(used.path), "version": used.version},
            "contracts": list(result.contracts),
            "written": [_show(p, root) for p in result.written],
            "unchanged": [_show(p, root) for p in result.unchanged],
            "removed": [_show(p, root) for p in result.removed],
            "seconds": round(result.seconds, 3),
            "warnings": list(result.warnings),
        },
    )
