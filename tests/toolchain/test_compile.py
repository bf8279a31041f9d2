"""ape compiles the project offline with the pinned settings."""

from __future__ import annotations

import json
import shutil

import pytest
import yaml

from tests.helpers import PROJECT_ROOT, VENV_BIN, run


def test_config_pins_one_version_with_optimizer_and_cancun():
    config = yaml.safe_load((PROJECT_ROOT / "ape-config.yaml").read_text())["solidity"]
    assert config["version"] == "0.8.28"
    assert config["optimize"] is True
    assert config["evm_version"] == "cancun"
    pragmas = {
        line.strip()
        for path in (PROJECT_ROOT / "contracts").rglob("*.sol")
        if ".cache" not in path.parts
        for line in path.read_text().splitlines()
        if line.startswith("pragma solidity")
    }
    assert pragmas == {"pragma solidity 0.8.28;"}


def test_every_remapping_points_at_an_installed_npm_dependency():
    config = yaml.safe_load((PROJECT_ROOT / "ape-config.yaml").read_text())["solidity"]
    npm = json.loads((PROJECT_ROOT / "package.json").read_text())["dependencies"]
    for remapping in config["import_remapping"]:
        prefix, target = remapping.split("=")
        package = target.removeprefix("${NODE_MODULES}/")
        assert prefix == package and package in npm, remapping
        installed = json.loads((PROJECT_ROOT / "node_modules" / package / "package.json").read_text())
        assert installed["version"] == npm[package], package


def test_project_contracts_compile_with_openzeppelin(project):
    plain = project.PlainERC20.contract_type  # imports OpenZeppelin's ERC20
    assert plain.get_runtime_bytecode() and "transfer" in [m.name for m in plain.mutable_methods]
    assert project.L2Probe.contract_type.get_runtime_bytecode()


@pytest.mark.skipif(shutil.which("unshare") is None, reason="needs util-linux unshare")
def test_compile_succeeds_with_no_network_at_all(tmp_path):
    # A fresh ape home and build folder, inside a network namespace with no interfaces up.
    probe = run(["unshare", "-rn", "true"])
    if probe.returncode != 0:
        pytest.skip(f"cannot create a network namespace here: {probe.stderr.strip()}")
    build = tmp_path / "project"
    shutil.copytree(PROJECT_ROOT / "contracts", build / "contracts",
                    ignore=shutil.ignore_patterns(".cache"))  # fmt: skip
    shutil.copy(PROJECT_ROOT / "ape-config.yaml", build / "ape-config.yaml")
    (build / "node_modules").symlink_to(PROJECT_ROOT / "node_modules")
    proc = run(["unshare", "-rn", str(VENV_BIN / "ape"), "compile", "--force"],
               env={"HOME": str(tmp_path / "home")}, cwd=build)  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "compiled" in proc.stdout + proc.stderr
    manifest = json.loads((build / ".build" / "__local__.json").read_text())
    assert {"PlainERC20", "L2Probe", "ArbSysMock"} <= set(manifest["contractTypes"])
