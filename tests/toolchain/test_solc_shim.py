"""The npm-solc shim behaves like the native CLI where py-solc-x, ape and slither rely on it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from stocksuite.dev.toolchain import SHIM, provision_solc, solc_version
from tests.helpers import PROJECT_ROOT, run

ERC20_IMPORT = """// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
contract Coin is ERC20 { constructor() ERC20("Coin", "C") { _mint(msg.sender, 1e18); } }
"""


@pytest.fixture(scope="module")
def solc() -> str:
    return str(provision_solc())


def test_version_banner_is_what_py_solc_x_parses(solc):
    proc = run([solc, "--version"])
    assert proc.returncode == 0
    assert re.search(rf"Version: {re.escape(solc_version())}\+commit\.[0-9a-f]{{8}}", proc.stdout)


def test_help_lists_combined_json_outputs_on_one_line(solc):
    # py-solc-x reads the outputs from the last word of the line starting "  --combined-json".
    line = next(x for x in run([solc, "--help", "-"]).stdout.splitlines()
                if x.startswith("  --combined-json"))  # fmt: skip
    assert {"abi", "bin", "bin-runtime", "ast", "srcmap"} <= set(line.split(" ")[-1].split(","))


def test_standard_json_resolves_remapped_imports_through_base_path(solc):
    source = {
        "language": "Solidity",
        "sources": {"Coin.sol": {"content": ERC20_IMPORT}},
        "settings": {
            "remappings": ["@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/"],
            "optimizer": {"enabled": True, "runs": 200},
            "evmVersion": "cancun",
            "outputSelection": {"*": {"*": ["abi", "evm.bytecode.object"]}},
        },
    }
    proc = run([solc, "--standard-json", "--base-path", str(PROJECT_ROOT)],
               input=json.dumps(source))  # fmt: skip
    out = json.loads(proc.stdout)
    assert not [e for e in out.get("errors", []) if e["severity"] == "error"], out["errors"]
    assert len(out["contracts"]["Coin.sol"]["Coin"]["evm"]["bytecode"]["object"]) > 1000


def test_standard_json_refuses_files_outside_allowed_directories(solc, tmp_path):
    secret = tmp_path / "Outside.sol"
    secret.write_text("pragma solidity 0.8.28; contract Outside {}")
    source = {
        "language": "Solidity",
        "sources": {"A.sol": {"content": f'pragma solidity 0.8.28; import "{secret}";'}},
        "settings": {"outputSelection": {"*": {"*": ["abi"]}}},
    }
    proc = run([solc, "--standard-json", "--base-path", str(PROJECT_ROOT)],
               input=json.dumps(source))  # fmt: skip
    errors = json.loads(proc.stdout)["errors"]
    assert any("outside of allowed directories" in e["message"] for e in errors), errors


def test_combined_json_with_remappings_and_file_arguments(solc, tmp_path):
    # The form crytic-compile (slither) uses: remappings, a file, --combined-json, --allow-paths.
    contract = tmp_path / "Coin.sol"
    contract.write_text(ERC20_IMPORT)
    proc = run([
        solc, "@openzeppelin/=node_modules/@openzeppelin/", str(contract),
        "--combined-json", "abi,ast,bin,bin-runtime,srcmap,srcmap-runtime,userdoc,devdoc,hashes",
        "--optimize", "--evm-version", "cancun", "--allow-paths", f".,{tmp_path}",
    ])  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    coin = out["contracts"][f"{contract}:Coin"]
    assert coin["hashes"]["transfer(address,uint256)"] == "a9059cbb"
    assert coin["bin"] and coin["bin-runtime"] and coin["srcmap"]
    assert "node_modules/@openzeppelin/contracts/token/ERC20/ERC20.sol" in out["sourceList"]
    assert all("AST" in out["sources"][name] for name in out["sourceList"])


def test_combined_json_reads_source_from_stdin(solc):
    # py-solc-x's compile_source (ape's compile_code) pipes the source with "-".
    proc = run([solc, "-", "--combined-json", "abi,bin"],
               input="pragma solidity 0.8.28; contract S { function f() external {} }")  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "<stdin>:S" in json.loads(proc.stdout)["contracts"]


def test_oversized_output_arrives_whole(solc):
    # ~300 contracts with full output selection: several MB through a pipe, parsed whole.
    body = "".join(
        f"contract C{i} {{ uint256 public v{i}; event E{i}(uint256 indexed a, address b);"
        f" function set{i}(uint256 x) external {{ v{i} = x * {i + 1}; emit E{i}(x, msg.sender); }} }}\n"
        for i in range(300)
    )
    source = {
        "language": "Solidity",
        "sources": {"Many.sol": {"content": f"pragma solidity 0.8.28;\n{body}"}},
        "settings": {"outputSelection": {"*": {"*": ["*"], "": ["ast"]}}},
    }
    proc = run([solc, "--standard-json"], input=json.dumps(source))
    assert len(proc.stdout) > 4_000_000
    out = json.loads(proc.stdout)
    assert len(out["contracts"]["Many.sol"]) == 300


def test_unknown_option_is_one_clear_error(solc):
    proc = run([solc, "--no-such-flag", "x.sol"])
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("Error: unsupported option '--no-such-flag'")


def test_adapter_runs_the_native_build_or_the_shim_with_node_modules_allowed(solc):
    text = Path(solc).read_text()
    native = Path(f"{solc}.native")
    assert (native.is_file() and str(native) in text) or str(SHIM) in text
    assert f"--allow-paths {PROJECT_ROOT / 'node_modules'}" in text


def test_adapter_leaves_an_explicit_allow_paths_alone(solc, tmp_path):
    # Native solc rejects --allow-paths given twice; crytic-compile passes its own.
    contract = tmp_path / "A.sol"
    contract.write_text("pragma solidity 0.8.28; contract A {}")
    proc = run([solc, str(contract), "--combined-json", "abi", "--allow-paths", str(tmp_path)])
    assert proc.returncode == 0, proc.stderr
