"""Static analysis: slither over every Solidity file under ``contracts/``.

``python -m stocksuite.dev.analysis contracts`` compiles all sources in one standard-JSON run
through the project's compiler (the same ``solc-v<version>`` that ape uses, native or the npm
wasm shim), runs every slither detector and fails on any High or Medium finding. A finding
where slither is wrong is silenced in the source with a one-line justification:

    // slither-disable-next-line <detector> -- why it is a false positive
"""

from __future__ import annotations

import inspect
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from stocksuite.config.errors import StockSuiteError
from stocksuite.dev.toolchain import PROJECT_ROOT, provision_solc

FAILING_IMPACTS = frozenset({"High", "Medium"})

# The npm packages, as ape-config.yaml remaps them (there with an absolute NODE_MODULES).
REMAPPINGS = (
    "@openzeppelin/contracts/=node_modules/@openzeppelin/contracts/",
    "@openzeppelin/contracts-upgradeable/=node_modules/@openzeppelin/contracts-upgradeable/",
    "@chainlink/contracts/=node_modules/@chainlink/contracts/",
    "@arbitrum/nitro-contracts/=node_modules/@arbitrum/nitro-contracts/",
)


@dataclass(frozen=True)
class Finding:
    check: str
    impact: str
    confidence: str
    description: str

    @property
    def fails(self) -> bool:
        return self.impact in FAILING_IMPACTS


def solidity_sources(folder: Path) -> list[str]:
    """Project-relative paths of the ``.sol`` files under ``folder`` (ape's cache excluded)."""
    files = sorted(p for p in folder.rglob("*.sol") if ".cache" not in p.relative_to(folder).parts)
    if not files:
        raise StockSuiteError(f"no .sol files under {folder}")
    return [str(p.resolve().relative_to(PROJECT_ROOT)) for p in files]


def _standard_json(sources: list[str]) -> dict:
    return {
        "language": "Solidity",
        "sources": {src: {"urls": [src]} for src in sources},
        "settings": {
            "remappings": list(REMAPPINGS),
            "optimizer": {"enabled": True, "runs": 200},
            "evmVersion": "cancun",
            "outputSelection": {
                "*": {"*": ["abi", "metadata", "devdoc", "userdoc", "evm.bytecode",
                            "evm.deployedBytecode", "evm.methodIdentifiers"], "": ["ast"]}
            },
        },
    }  # fmt: skip


def analyze(folder: Path) -> list[Finding]:
    """Run all slither detectors over ``folder``; findings in npm packages are left out."""
    from crytic_compile import CryticCompile
    from crytic_compile.platform.solc_standard_json import SolcStandardJson
    from slither import Slither
    from slither.detectors import all_detectors
    from slither.detectors.abstract_detector import AbstractDetector

    solc = provision_solc()
    target = SolcStandardJson(_standard_json(solidity_sources(folder)))
    compilation = CryticCompile(target, solc=str(solc), solc_working_dir=str(PROJECT_ROOT))
    slither = Slither(compilation, filter_paths=["node_modules"], exclude_dependencies=True)
    for detector in vars(all_detectors).values():
        if inspect.isclass(detector) and issubclass(detector, AbstractDetector):
            slither.register_detector(detector)
    findings = []
    for results in slither.run_detectors():
        for result in results:
            findings.append(
                Finding(
                    check=result["check"],
                    impact=result["impact"],
                    confidence=result["confidence"],
                    description=result["description"].strip(),
                )
            )
    return findings


def main(argv: list[str]) -> int:
    folder = Path(argv[0] if argv else "contracts")
    try:
        findings = analyze(folder)
    except StockSuiteError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    failing = [f for f in findings if f.fails]
    for finding in failing:
        print(f"[{finding.impact}/{finding.confidence}] {finding.check}: {finding.description}\n")
    counts = Counter(f.impact for f in findings)
    summary = ", ".join(f"{counts.get(k, 0)} {k.lower()}" for k in
                        ("High", "Medium", "Low", "Informational", "Optimization"))  # fmt: skip
    print(f"slither over {folder}/: {summary}")
    if failing:
        print("High and medium findings must be fixed or justified (see stocksuite/dev/analysis.py).")
        return 1
    return 0


if __name__ == "__main__":
    import logging

    logging.getLogger("CryticCompile").setLevel(logging.ERROR)
    logging.getLogger("Slither").setLevel(logging.ERROR)
    raise SystemExit(main(sys.argv[1:]))
