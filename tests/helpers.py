"""Helpers shared by tests: running the project's commands as a user would."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent


def run(
    args: list[str],
    env: dict[str, str] | None = None,
    timeout: float = 300,
    input: str | None = None,  # noqa: A002 - subprocess's own name
    cwd: Path | None = None,
    unset: tuple[str, ...] = (),
    terminal: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run a command (from the project root by default) with the session's environment,
    plus ``env`` and minus the variables named in ``unset``. With ``terminal``, stdin is a
    terminal, as at a shell, and ``terminal`` is typed into it (for commands that ask only there)."""
    environment = {k: v for k, v in {**os.environ, **(env or {})}.items() if k not in unset}
    stdin = None if input is not None else subprocess.DEVNULL
    opened: tuple[int, ...] = ()
    if terminal is not None:
        controller, stdin = opened = pty.openpty()
        os.write(controller, terminal.encode())  # waits in the terminal until the command reads it
    try:
        return subprocess.run(
            args,
            cwd=cwd or PROJECT_ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=timeout,
            input=input,
            stdin=stdin,
        )
    finally:
        for fd in opened:
            os.close(fd)


def assert_one_line_error(proc: subprocess.CompletedProcess[str], *fragments: str) -> str:
    """A failed command that explains itself in one line and shows no traceback."""
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0, output
    assert "Traceback" not in output, output
    error_lines = [line for line in output.splitlines() if line.lower().startswith("error")]
    assert len(error_lines) == 1, output
    for fragment in fragments:
        assert fragment in error_lines[0], output
    return error_lines[0]
