"""The local chain looks like Arbitrum to contracts and tools."""

from __future__ import annotations

import sys

import ape
import pytest

from stocksuite.l2 import ARB_GAS_INFO, ARB_SYS, ARBITRUM_LOCAL_CHAIN_ID, LocalL2, free_port, rpc
from tests.helpers import run

ALIAS_OFFSET = 0x1111000000000000000000000000000000001111


@pytest.fixture(scope="module")
def probe(project, deployer):
    return deployer.deploy(project.L2Probe)


@pytest.fixture(scope="module")
def arb_sys(project):
    return project.ArbSysMock.at(ARB_SYS)


def test_chain_answers_with_the_arbitrum_chain_id(chain, l2_url):
    assert int(rpc(l2_url, "eth_chainId"), 16) == ARBITRUM_LOCAL_CHAIN_ID == 412346
    assert chain.chain_id == ARBITRUM_LOCAL_CHAIN_ID


def test_contract_reads_arbsys_chain_id_and_block_number(probe, chain):
    chain_id, block_number = probe.arbInfo()
    assert chain_id == ARBITRUM_LOCAL_CHAIN_ID
    assert block_number == chain.blocks.head.number


def test_arbsys_block_number_inside_a_transaction_is_that_block(probe, deployer):
    receipt = probe.ping(sender=deployer)
    event = receipt.events.filter(probe.Pinged)[0]
    assert event.arbChainId == ARBITRUM_LOCAL_CHAIN_ID
    assert event.arbBlockNumber == receipt.block_number


def test_arbsys_answers_like_arbitrum(arb_sys, deployer):
    assert arb_sys.arbOSVersion() == 95  # 55 + ArbOS 40
    assert arb_sys.wasMyCallersAddressAliased() is False
    assert arb_sys.getStorageGasAvailable() == 0
    assert arb_sys.myCallersAddressWithoutAliasing(sender=deployer) == deployer.address


def test_l1_to_l2_alias_is_the_nitro_formula(arb_sys):
    l1 = "0x00000000000000000000000000000000000000aa"
    expected = (int(l1, 16) + ALIAS_OFFSET) % 2**160
    assert int(arb_sys.mapL1SenderContractAddressToL2Alias(l1, l1), 16) == expected
    top = "0xffffffffffffffffffffffffffffffffffffffff"  # wraps modulo 2**160
    assert int(arb_sys.mapL1SenderContractAddressToL2Alias(top, top), 16) == ALIAS_OFFSET - 1


def test_l2_to_l1_messaging_is_refused_with_a_named_error(arb_sys, deployer):
    with ape.reverts(arb_sys.UnsupportedOnLocalL2):
        arb_sys.withdrawEth(deployer, sender=deployer)


def test_arbgasinfo_is_installed(project):
    gas_info = project.ArbGasInfoMock.at(ARB_GAS_INFO)
    assert gas_info.getMinimumGasPrice() == 10**7
    assert gas_info.getL1BaseFeeEstimate() == 0


def test_advance_moves_the_local_l2_clock_and_mines_a_block():
    with LocalL2(port=free_port()) as node:  # its own chain: the session chain's clock stays
        before = int(rpc(node.url, "eth_getBlockByNumber", ["latest", False])["timestamp"], 16)
        proc = run([sys.executable, "-m", "stocksuite.l2", "advance", "86400"], env={"L2_PORT": str(node.port)})
        assert proc.returncode == 0, proc.stdout + proc.stderr
        head = rpc(node.url, "eth_getBlockByNumber", ["latest", False])
        assert int(head["number"], 16) == 1 and int(head["timestamp"], 16) >= before + 86400
        assert "clock moved 86400 s ahead; block 1 at " in proc.stdout
