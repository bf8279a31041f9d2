"""A fork of the local L2 sees its state and keeps its own writes."""

from __future__ import annotations

import time

import pytest

from stocksuite.dev.l2 import ARBITRUM_LOCAL_CHAIN_ID, LocalL2, free_port, rpc


def _balance_of(url: str, token: str, holder: str) -> int:
    data = "0x70a08231" + holder[2:].lower().rjust(64, "0")
    return int(rpc(url, "eth_call", [{"to": token, "data": data}, "latest"]), 16)


def _receipt(url: str, tx_hash: str, timeout: float = 30.0) -> dict:
    deadline = time.monotonic() + timeout
    while (receipt := rpc(url, "eth_getTransactionReceipt", [tx_hash])) is None:
        assert time.monotonic() < deadline, f"no receipt for {tx_hash}"
        time.sleep(0.1)
    return receipt


@pytest.fixture
def token(project, deployer, accounts):
    token = deployer.deploy(project.PlainERC20, "Fork Test", "FT", 18)
    token.mint(accounts[1], 1_000, sender=deployer)
    return token


@pytest.fixture
def fork(l2_url, token):
    with LocalL2(port=free_port(), fork_url=l2_url) as node:
        yield node


def test_fork_sees_state_written_before_it_started(fork, token, accounts):
    assert int(rpc(fork.url, "eth_chainId"), 16) == ARBITRUM_LOCAL_CHAIN_ID
    assert _balance_of(fork.url, token.address, accounts[1].address) == 1_000
    # The precompile mocks come along with the forked state.
    assert rpc(fork.url, "eth_getCode", ["0x0000000000000000000000000000000000000064", "latest"]) != "0x"


def test_writes_on_the_fork_do_not_reach_the_l2(fork, token, accounts, l2_url):
    holder, other = accounts[1].address, accounts[2].address
    transfer = "0xa9059cbb" + other[2:].lower().rjust(64, "0") + hex(400)[2:].rjust(64, "0")
    tx = rpc(fork.url, "eth_sendTransaction", [{"from": holder, "to": token.address, "data": transfer}])
    assert int(_receipt(fork.url, tx)["status"], 16) == 1
    assert _balance_of(fork.url, token.address, other) == 400
    assert _balance_of(l2_url, token.address, other) == 0
    assert token.balanceOf(holder) == 1_000
