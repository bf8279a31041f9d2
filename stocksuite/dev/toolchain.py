"""Offline toolchain: the Solidity compiler and the anvil binary.

ape-solidity compiles through py-solc-x, which looks for ``solc-v<version>`` in
``$SOLCX_BINARY_PATH``. :func:`provision_solc` puts the project's compiler adapter there: a
small script that runs the real compiler with ``--allow-paths <node_modules>`` (ape compiles
in a temporary copy of the project and passes no allowed paths, so imports remapped to the npm
packages would be refused). The real compiler is a native build when py-solc-x can download
one (kept beside it as ``solc-v<version>.native``), otherwise ``toolchain/solc-shim.cjs``, a
solc-compatible command line backed by the npm ``solc`` package (wasm). slither
(crytic-compile) uses the same adapter.
"""

from __future__ import annotations

import os
import platform
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from stocksuite.config.env import PROJECT_ROOT
from stocksuite.config.environment import environment
from stocksuite.config.errors import ToolchainError

SHIM = PROJECT_ROOT / "toolchain" / "solc-shim.cjs"
NODE_MODULES = PROJECT_ROOT / "node_modules"
_VERSION_RE = re.compile(r"Version: (\d+\.\d+\.\d+)\+commit\.[0-9a-f]+")
_NATIVE_INSTALL_TIMEOUT_S = 60


def solc_version() -> str:
    """The one pinned Solidity version, read from ``ape-config.yaml``."""
    import yaml

    config = yaml.safe_load((PROJECT_ROOT / "ape-config.yaml").read_text())
    try:
        return str(config["solidity"]["version"])
    except (KeyError, TypeError) as err:
        raise ToolchainError("ape-config.yaml has no solidity.version: pin one.") from err


def solc_dir() -> Path:
    """Where py-solc-x looks for compilers: ``$SOLCX_BINARY_PATH`` or ``<project>/.solcx``."""
    return environment().solcx_binary_path


def installed_solc_version(binary: Path) -> str | None:
    """The version a compiler executable reports, or ``None`` if it does not run."""
    try:
        out = subprocess.run([str(binary), "--version"], capture_output=True, text=True, timeout=60, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    match = _VERSION_RE.search(out)
    return match.group(1) if match else None


def _try_native_install(version: str, dest: Path) -> Path | None:
    """Ask py-solc-x for a native build; ``None`` when it cannot be downloaded."""
    if environment().solc == "wasm":
        return None
    native = dest / f"solc-v{version}.native"
    if installed_solc_version(native) == version:
        return native
    code = "import sys, solcx; solcx.install_solc(sys.argv[1], show_progress=False, solcx_binary_path=sys.argv[2])"
    with tempfile.TemporaryDirectory() as tmp:
        try:
            subprocess.run(
                [sys.executable, "-c", code, version, tmp],
                capture_output=True,
                timeout=_NATIVE_INSTALL_TIMEOUT_S,
                check=True,
            )
        except (OSError, subprocess.SubprocessError):
            return None
        downloaded = Path(tmp) / f"solc-v{version}"
        if installed_solc_version(downloaded) != version:
            return None
        shutil.move(downloaded, native)
    return native


def _real_compiler_command(version: str, dest: Path) -> str:
    """Shell words that run the real compiler: the native build, else node + the wasm shim."""
    if native := _try_native_install(version, dest):
        return shlex.quote(str(native))
    node = shutil.which("node")
    if node is None:
        raise ToolchainError("node is not on PATH: install Node.js 18+ (it runs the npm solc).")
    if not (NODE_MODULES / "solc" / "package.json").is_file():
        raise ToolchainError("node_modules/solc is missing: run 'make setup' (npm ci).")
    return f"{shlex.quote(node)} {shlex.quote(str(SHIM))}"


def _allowed_paths() -> str:
    """node_modules as written and with symlinks resolved (a symlinked node_modules, as in a git
    worktree sharing one install, is reached through either)."""
    return ",".join(dict.fromkeys([str(NODE_MODULES), str(NODE_MODULES.resolve())]))


def _write_adapter(target: Path, real: str) -> None:
    allowed = shlex.quote(_allowed_paths())
    target.write_text(
        "#!/bin/sh\n"
        "# The project's solc adapter, written by `python -m stocksuite.dev.toolchain`.\n"
        "# Adds node_modules to the allowed paths unless the caller passes its own.\n"
        f'case " $* " in *" --allow-paths "*) exec {real} "$@" ;; esac\n'
        f'exec {real} --allow-paths {allowed} "$@"\n'
    )
    target.chmod(0o755)


def provision_solc(version: str | None = None, dest: Path | None = None) -> Path:
    """Make ``solc-v<version>`` available to py-solc-x and return its path.

    Idempotent: an executable that already reports the right version is kept.
    """
    version = version or solc_version()
    dest = dest or solc_dir()
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / f"solc-v{version}"
    if installed_solc_version(target) == version and _allowed_paths() in target.read_text():
        return target
    if target.exists():
        target.unlink()
    _write_adapter(target, _real_compiler_command(version, dest))
    found = installed_solc_version(target)
    if found != version:
        raise ToolchainError(f"{target} reports version {found!r}, expected {version}.")
    return target


def anvil_binary() -> Path:
    """The anvil executable: ``$ANVIL_BIN``, the npm ``@foundry-rs/anvil`` build, or PATH."""
    if (path := environment().anvil_bin) is not None:
        env = str(path)
        if not (path.is_file() and os.access(path, os.X_OK)):
            raise ToolchainError(f"ANVIL_BIN={env} is not an executable file.")
        return path
    machine = {"x86_64": "amd64", "amd64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(
        platform.machine().lower(), platform.machine().lower()
    )
    npm_build = NODE_MODULES / "@foundry-rs" / f"anvil-{sys.platform}-{machine}" / "bin" / "anvil"
    if npm_build.is_file():
        return npm_build
    if found := shutil.which("anvil"):
        return Path(found)
    raise ToolchainError(
        "anvil not found: run 'make setup' (installs @foundry-rs/anvil from npm) "
        "or set ANVIL_BIN to an anvil executable."
    )


def main(argv: list[str] | None = None) -> int:
    """``python -m stocksuite.dev.toolchain`` provisions the compiler and checks anvil."""
    del argv
    try:
        solc = provision_solc()
        anvil = anvil_binary()
    except ToolchainError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    kind = "npm solc (wasm) shim" if str(SHIM) in solc.read_text() else "native"
    print(f"solc {solc_version()} ({kind}): {solc}")
    print(f"anvil: {anvil}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
