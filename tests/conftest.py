"""Test session: a private local Arbitrum-style L2 on a free port, started and stopped here.

ape's pytest plugin connects to ``--network arbitrum:devnet:foundry`` (pyproject addopts)
after collection; ``APE_FOUNDRY_HOST`` points that provider at the chain started below, so
the suite never touches a developer's ``make l2`` on 8545. Set ``APE_FOUNDRY_HOST`` yourself
to run the suite against another Arbitrum-style node.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from stocksuite.config.env import apply_defaults

apply_defaults()

_SESSION_L2 = None
_CLEANUP: list[Callable[[], None]] = []


def _cache_test_account_derivation() -> None:
    """Derive each test account once per process.

    ape prints the call trace of every reverted transaction, and labels its addresses by asking
    whether each is one of the test accounts: ape's container derives all of them again from the
    mnemonic for every such question (about 0.4 s for 23 accounts, pure-Python elliptic curve
    maths), which made each expected revert in this suite cost more than the call itself.
    """
    import functools

    import ape_test.accounts

    derive = ape_test.accounts.generate_dev_accounts
    if not hasattr(derive, "cache_info"):
        cached = functools.lru_cache(maxsize=None)(derive)
        ape_test.accounts.generate_dev_accounts = lambda *a, **kw: list(cached(*a, **kw))


_cache_test_account_derivation()


def _own_ape_data_folder() -> None:
    """This process and the commands it runs keep ape's data (its deployments map, contract
    cache, node list) in a folder of their own: never the developer's ``~/.ape``, and never one
    another pytest-xdist worker writes at the same time."""
    import tempfile

    import ape

    folder = Path(tempfile.mkdtemp(prefix="stocksuite-ape-data-"))
    _CLEANUP.append(lambda: shutil.rmtree(folder, ignore_errors=True))
    os.environ["APE_DATA_FOLDER"] = str(folder)
    ape.config.DATA_FOLDER = folder


def pytest_configure(config: pytest.Config) -> None:
    global _SESSION_L2
    if os.environ.get("APE_FOUNDRY_HOST"):
        return
    from stocksuite.dev.l2 import LocalL2, free_port
    from stocksuite.dev.toolchain import provision_solc

    provision_solc()
    if getattr(config.option, "numprocesses", None) and not hasattr(config, "workerinput"):
        # pytest-xdist's controller runs no test: each worker starts its own chain below. It
        # compiles once first, so the workers find the build cache current instead of writing it
        # at the same time.
        from ape import project

        project.load_contracts()
        return
    _own_ape_data_folder()
    # Forks (rehearsals, `devnet-fork`) on a port of this session's own, not the developer's 8546.
    os.environ["FORK_PORT"] = str(free_port())
    _SESSION_L2 = LocalL2(port=free_port()).start()
    os.environ["APE_FOUNDRY_HOST"] = _SESSION_L2.url
    # `ape run ... --network arbitrum:devnet` in subprocesses reaches the same chain.
    os.environ["L2_PORT"] = str(_SESSION_L2.port)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Refuse two different session/module/class fixtures under one name.

    ape's pytest plugin keeps its chain-isolation bookkeeping per fixture *name*: it measures
    once per name whether a fixture changed the session chain (block height at its setup and at
    its teardown), and when it reverts a snapshot it re-creates only the fixtures it measured as
    stateful. A fixture that leaves the session chain alone (one on its own anvil, a contract
    ``.at()`` an address), measured first, makes a same-named fixture of another module that
    deploys look stateless: after a revert it keeps its cached contracts at addresses that no
    longer hold code, and its tests fail only in some orders.
    """
    clashes = []
    for name, definitions in session._fixturemanager._arg2fixturedefs.items():
        wide = [d for d in definitions if d.scope != "function"]
        if len({d.func for d in wide}) > 1:
            clashes.append(f"{name} ({', '.join(d.baseid or '.' for d in wide)})")
    if clashes:
        raise pytest.UsageError(f"non-function fixtures share a name, which ape's chain isolation cannot tell "
                                f"apart: {'; '.join(clashes)}. Rename one (see tests/conftest.py).")  # fmt: skip


def pytest_unconfigure(config: pytest.Config) -> None:
    if _SESSION_L2 is not None:
        _SESSION_L2.stop()
    for cleanup in _CLEANUP:
        cleanup()


@pytest.fixture(scope="session")
def l2_url() -> str:
    return os.environ["APE_FOUNDRY_HOST"]


@pytest.fixture(scope="session")
def deployer(accounts):
    return accounts[0]


# ---------------------------------------------------------------------------------------------
# The token family: registry, feed, factory, one ticker, every role held by its own account.

from stocksuite.config.records import InvestorClass, InvestorRecord  # noqa: E402
from stocksuite.deploy.suite import (  # noqa: E402
    SHARE_FEED_DECIMALS,
    TickerConfig,
    create_token,
    deploy_registry,
    deploy_token_family,
)

ROLE_HOLDERS = {
    # name -> index in `accounts`; 0 is the admin/deployer
    "officer": 1,
    "minter": 2,
    "burner": 3,
    "agent": 4,
    "pauser": 5,
    "compliance": 6,
    "corporate": 7,
    "upgrader": 8,
    "token_deployer": 9,
}
INVESTORS = ("alice", "bob", "carol", "dave", "erin")  # accounts 10..14
OUTSIDER_INDEX = 19  # holds nothing, never registered

YEAR = 365 * 24 * 3600
TOKEN_ROLE_HOLDERS = {
    "minter": "MINTER_ROLE",
    "burner": "BURNER_ROLE",
    "agent": "AGENT_ROLE",
    "pauser": "PAUSER_ROLE",
    "compliance": "COMPLIANCE_ROLE",
    "corporate": "CORPORATE_ACTIONS_ROLE",
}


@pytest.fixture(scope="session")
def roles(accounts):
    return {name: accounts[i] for name, i in ROLE_HOLDERS.items()}


@pytest.fixture(scope="session")
def investors(accounts):
    return {name: accounts[10 + i] for i, name in enumerate(INVESTORS)}


@pytest.fixture(scope="session")
def outsider(accounts):
    return accounts[OUTSIDER_INDEX]


def kyc_record(chain, jurisdiction: int = 276, investor_class=InvestorClass.RETAIL, **kwargs) -> int:
    expiry = kwargs.pop("kyc_expiry", chain.pending_timestamp + YEAR)
    return InvestorRecord(jurisdiction, investor_class, expiry, **kwargs).pack()


@pytest.fixture(scope="module")
def registry(project, deployer, roles):
    registry = deploy_registry(project, deployer, deployer.address)
    registry.grantRole(registry.COMPLIANCE_OFFICER_ROLE(), roles["officer"], sender=deployer)
    registry.grantRole(registry.UPGRADER_ROLE(), roles["upgrader"], sender=deployer)
    return registry


@pytest.fixture(scope="module")
def reserve_feed(project, deployer):
    feed = deployer.deploy(project.ManualFeed, SHARE_FEED_DECIMALS, "AAPL shares in custody", deployer)
    feed.postAnswer(1_000_000 * 10**SHARE_FEED_DECIMALS, sender=deployer)
    return feed


@pytest.fixture(scope="module")
def factory(project, deployer, registry, roles):
    _, factory = deploy_token_family(project, deployer, registry.address, deployer.address)
    factory.grantRole(factory.TOKEN_DEPLOYER_ROLE(), roles["token_deployer"], sender=deployer)
    factory.grantRole(factory.UPGRADER_ROLE(), roles["upgrader"], sender=deployer)
    return factory


AAPL = TickerConfig(
    name="Apple Inc. tokenized stock",
    symbol="AAPLx",
    underlying_ticker="AAPL",
    isin="US0378331005",
    cusip="037833100",
    issuer_name="Example Issuer AG",
    terms_uri="https://example.invalid/terms/aapl",
)


@pytest.fixture(scope="module")
def token(project, deployer, factory, reserve_feed, roles, registry, investors, chain):
    token = create_token(project, factory, AAPL, reserve_feed.address, deployer.address, roles["token_deployer"])
    for holder, role in TOKEN_ROLE_HOLDERS.items():
        token.grantRole(getattr(token, role)(), roles[holder], sender=deployer)
    wallets = [a.address for a in investors.values()]
    records = [kyc_record(chain, investor_id=100 + i) for i in range(len(wallets))]
    registry.setInvestors(wallets, records, sender=roles["officer"])
    return token


@pytest.fixture
def funded(token, roles, investors):
    """alice and bob hold 1,000 raw tokens each."""
    for name in ("alice", "bob"):
        token.mint(investors[name], 1_000, sender=roles["minter"])
    return token


@pytest.fixture(scope="module")
def usd(project, deployer):
    """The local 6-decimal stablecoin stand-in; the deployer mints."""
    return deployer.deploy(project.MockUSD, deployer)
