"""``ape run deploy --dry-run``: the deploy's plan, from running it on a throwaway fork.

Like ``forge script`` without ``--broadcast``: the real deploy code runs against an anvil fork
of the connected network (ape's ``networks.fork()``, on a free port) with the deployer
impersonated, so no key or passphrase is needed, and the records are copied aside. What it
would send is exactly what it sent there; the network and the records stay untouched.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from stocksuite.deploy.deployer import DeployReport, SuiteDeployer
from stocksuite.deploy.config import SuiteConfig
from stocksuite.chain.deployments import Deployments
from stocksuite.config.errors import StockSuiteError


def simulate_deploy(project: Any, chain: Any, records: Deployments, config: SuiteConfig, alias: str | None,
                    accept_upgrades: bool = False) -> DeployReport:  # fmt: skip
    from ape import accounts, networks

    from stocksuite.chain.accounts import account_address

    deployer = account_address(alias, chain.chain_id)
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / records.folder.name
        if records.folder.is_dir():
            shutil.copytree(records.folder, copy)
        upstream = _instance()
        with networks.fork(provider_settings={"host": "auto"}):
            if (fork := _instance()) is None or fork == upstream:
                raise StockSuiteError("--dry-run could not start a separate fork (is APE_FOUNDRY_HOST pointing at the "
                                      "network itself?): stopped before sending anything.")  # fmt: skip
            sender = accounts.test_accounts.impersonate_account(deployer)  # no key needed on the fork
            chain.provider.set_balance(deployer, 10**21)
            fork_records = Deployments(folder=copy, chain_id=records.chain_id)
            fork_deployer = SuiteDeployer(project, chain, fork_records, sender, log=lambda _: None)
            return fork_deployer.deploy(config, accept_upgrades)


def _instance() -> str | None:
    """anvil's per-process instance id (None when the node is not anvil)."""
    from stocksuite.chain.deployments import DeploymentError, ForkPoint

    try:
        return ForkPoint.of_connected_chain().instance_id
    except DeploymentError:  # not anvil (a real RPC): no instance id
        return None
