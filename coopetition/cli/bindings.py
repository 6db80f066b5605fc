"""``coopetition bindings``: typed Python modules from contract artifacts (ours or anyone's)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..exceptions import BindingError, InputError
from ._context import CliContext, pass_cli


def _show(path: Path) -> str:
    try:
        rel = os.path.relpath(path)
    except ValueError:  # pragma: no cover - other drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else Path(rel).as_posix()


@click.command("bindings")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("-o", "--out", "out_dir", type=click.Path(path_type=Path), default=None,
              help="Folder for the generated modules (default: the current folder).")
@click.option("--all", "all_", is_flag=True,
              help="Regenerate the package's own bindings (coopetition/bindings/) from coopetition/artifacts/.")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 listing the modules that differ from what would be generated.")
@pass_cli
def bindings_cmd(ctx: CliContext, paths: tuple[Path, ...], out_dir: Path | None, all_: bool,
                 check: bool) -> None:
    """Generate typed Python bindings from contract artifacts.

    PATHS are artifact files or folders: coopetition artifacts, Hardhat artifacts, Foundry out/
    folders, or bare ABI JSON files (the contract is named after the file). One module per
    contract, named after it in snake_case (JointVentureEscrow -> joint_venture_escrow.py).
    """
    from .._bindgen import (
        check_bindings,
        check_written,
        generate_all,
        package_artifacts_dir,
        package_bindings_dir,
        write_bindings,
    )

    if all_:
        if paths or out_dir is not None:
            raise InputError("--all regenerates the package's own bindings: give no PATH and no --out with it")
        if check:
            drifted = check_bindings()
            if drifted:
                raise BindingError(
                    f"bindings drifted from the artifacts: {', '.join(drifted)}; run `make bindings`"
                )
            ctx.emit("Bindings are up to date.", {"drifted": []})
            return
        if not any(package_artifacts_dir().glob("*.json")):
            ctx.info(f"No artifacts in {_show(package_artifacts_dir())}: run `coopetition compile` first.")
        written, removed = generate_all()
        ctx.emit(
            "\n".join([*(f"wrote {_show(p)}" for p in written), *(f"removed {_show(p)}" for p in removed)])
            or f"Nothing to generate into {_show(package_bindings_dir())}.",
            {"written": [str(p) for p in written], "removed": [str(p) for p in removed]},
        )
        return

    if not paths:
        raise InputError("give one or more artifact files or folders, or --all for the package's own bindings")
    target = out_dir if out_dir is not None else Path.cwd()
    shown_paths = " ".join(_show(p) for p in paths)
    regenerate = f"`coopetition bindings {shown_paths}" + (f" -o {_show(out_dir)}`" if out_dir else "`")
    if check:
        drifted = check_written(paths, target, regenerate=regenerate)
        if drifted:
            raise BindingError(f"bindings in {_show(target)} differ: {', '.join(drifted)}")
        ctx.emit(f"Bindings in {_show(target)} are up to date.", {"drifted": []})
        return
    written = write_bindings(paths, target, regenerate=regenerate)
    ctx.emit("\n".join(f"wrote {_show(p)}" for p in written), {"written": [str(p) for p in written]})
