"""Bad input to the L2 commands: one clear line, no traceback, nothing started or sent."""

from __future__ import annotations

import json
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from stocksuite.config.errors import L2Error
from stocksuite.dev.l2 import LocalL2, free_port, rpc
from tests.helpers import assert_one_line_error, run

L2_CLI = [sys.executable, "-m", "stocksuite.dev.l2"]


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


@pytest.fixture
def nitro_like_node():
    """A JSON-RPC node serving chain id 412346 that is no anvil, as Arbitrum's nitro-testnode;
    yields its port and the methods it was asked."""
    asked: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            request = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            asked.append(request["method"])
            reply = {"jsonrpc": "2.0", "id": request["id"]}
            if request["method"] == "eth_chainId":
                reply["result"] = hex(412346)
            else:
                reply["error"] = {"code": -32601, "message": f"the method {request['method']} does not exist"}
            body = json.dumps(reply).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1], asked
    server.shutdown()
    server.server_close()


def test_advance_refuses_a_node_that_is_not_anvil(nitro_like_node):
    port, asked = nitro_like_node
    proc = run([*L2_CLI, "advance", "86400", "--port", str(port)])
    assert_one_line_error(proc, "chain id 412346 but is not anvil", "only be skipped on the local L2",
                          "Nothing was sent")  # fmt: skip
    assert asked == ["eth_chainId", "anvil_nodeInfo"]  # no evm_increaseTime, no evm_mine


def test_advance_refuses_another_chain_and_nothing_at_all():
    with LocalL2(port=free_port(), chain_id=31337) as node:
        before = rpc(node.url, "eth_getBlockByNumber", ["latest", False])
        proc = run([*L2_CLI, "advance", "86400", "--port", str(node.port)])
        assert_one_line_error(proc, "serves chain id 31337", "on a real network, wait", "Nothing was sent")
        assert rpc(node.url, "eth_getBlockByNumber", ["latest", False]) == before
    assert_one_line_error(run([*L2_CLI, "advance", "60", "--port", str(free_port())]), "nothing answers", "make l2")


def test_wrong_network_name_is_one_clear_line():
    from tests.helpers import VENV_BIN

    proc = run([str(VENV_BIN / "ape"), "run", "demo", "--network", "arbitrum:nope"])
    output = proc.stdout + proc.stderr
    assert proc.returncode != 0 and "Traceback" not in output
    assert "No network in 'arbitrum' named 'nope'" in output
