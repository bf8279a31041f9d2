"""``python -m benchmarks [--only SUBSTRING]``: run the benchmarks, rewrite the JSON files."""

from __future__ import annotations

import importlib
import json
import os
import pkgutil
import sys
from pathlib import Path

import click

HERE = Path(__file__).resolve().parent


@click.command()
@click.option("--only", default=None, help="Run only benchmarks whose name contains this.")
def main(only: str | None) -> None:
    from stocksuite.config.env import apply_defaults
    from stocksuite.dev.l2 import LocalL2, free_port

    apply_defaults()
    import benchmarks

    for module in pkgutil.iter_modules([str(HERE)]):
        if module.name.startswith("bench_"):
            importlib.import_module(f"benchmarks.{module.name}")

    with LocalL2(port=free_port()) as node:
        os.environ["APE_FOUNDRY_HOST"] = node.url
        from ape import accounts, networks, project

        gas_figures: dict[str, int] = {}
        size_figures: dict[str, int] = {}
        time_figures: dict[str, float] = {}
        with networks.parse_network_choice("arbitrum:devnet:foundry"):
            for name, fn in sorted(benchmarks.GAS.items()):
                if only and only not in name:
                    continue
                click.echo(f"gas: {name}")
                gas_figures.update(fn(accounts=accounts.test_accounts, project=project))
            for name, fn in sorted(benchmarks.SIZES.items()):
                if only and only not in name:
                    continue
                click.echo(f"size: {name}")
                size_figures.update(fn(accounts=accounts.test_accounts, project=project))
            for name, fn in sorted(benchmarks.TIMING.items()):
                if only and only not in name:
                    continue
                click.echo(f"timing: {name}")
                time_figures.update(fn(accounts=accounts.test_accounts, project=project, url=node.url))

    _write(HERE / "gas.json", gas_figures, merge=bool(only))
    _write(HERE / "sizes.json", size_figures, merge=bool(only))
    _write(HERE / "timing.json", time_figures, merge=bool(only))
    width = max(map(len, [*gas_figures, *size_figures, *time_figures]), default=0)
    for key, value in sorted(gas_figures.items()):
        click.echo(f"  {key:<{width}}  {value:>10,} gas")
    for key, value in sorted(size_figures.items()):
        click.echo(f"  {key:<{width}}  {value:>10,} bytes")
    for key, value in sorted(time_figures.items()):
        unit = " s" if key.endswith("_s") else ""  # rates (logs per second) carry their unit in the name
        click.echo(f"  {key:<{width}}  {value:>10.2f}{unit}")


def _write(path: Path, figures: dict, merge: bool) -> None:
    if not figures:
        return
    if merge and path.is_file():
        figures = {**json.loads(path.read_text()), **figures}
    path.write_text(json.dumps(dict(sorted(figures.items())), indent=2) + "\n")


if __name__ == "__main__":
    sys.exit(main())
