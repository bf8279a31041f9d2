"""Bad input to the L2 commands: one clear line, no traceback, nothing started."""

from __future__ import annotations

import socket
import sys

import pytest

from stocksuite.errors import L2Error
from stocksuite.l2 import LocalL2, free_port
from tests.helpers import assert_one_line_error, run

L2_CLI = [sys.executable, "-m", "stocksuite.l2"]


@pytest.fixture
def busy_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        yield sock.getsockname()[1]


def test_port_in_use_is_refused_before_starting(busy_port):
    with pytest.raises(L2Error, match=f"port {busy_port} .* already in use by another program"):
        LocalL2(port=busy_port).start()


def test_port_in_use_on_the_command_line(busy_port):
    proc = run([*L2_CLI, "serve", "--port", str(busy_port)])
    assert_one_line_error(proc, f"port {busy_port}", "already in use", "L2_PORT")


def test_port_taken_by_the_l2_itself_says_so(l2_url):
    port = l2_url.rsplit(":", 1)[1]
    proc = run([*L2_CLI, "serve", "--port", port])
    assert_one_line_error(proc, "a node with chain id 412346")


def test_missing_anvil_binary(tmp_path):
    proc = run([*L2_CLI, "serve", "--port", str(free_port())],
               env={"ANVIL_BIN": str(tmp_path / "anvil")})  # fmt: skip
    assert_one_line_error(proc, "ANVIL_BIN", "not an executable")


def test_fork_of_nothing_says_to_start_the_l2():
    proc = run([*L2_CLI, "fork", "--port", str(free_port()),
                "--fork-url", f"http://127.0.0.1:{free_port()}"])  # fmt: skip
    assert_one_line_error(proc, "cannot fork", "make l2")


def test_wrong_network_name_is_one_clear_line():
    from tests.helpers import VENV_BIN

    proc = run([str(VENV_BIN / "ape"), "run", "demo", "--network", "arbitrum:nope"])
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Traceback" not in output
    assert "No network in 'arbitrum' named 'nope'" in output
