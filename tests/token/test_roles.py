"""Every privileged function, called by every account that must not call it."""

from __future__ import annotations

import ape
import pytest

from tests.conftest import INVESTORS, ROLE_HOLDERS

EVERY_CALLER = ("admin", *ROLE_HOLDERS, "alice", "outsider")

# (contract fixture, function, args builder, the callers allowed)
TOKEN_FUNCTIONS = [
    ("mint", lambda a: (a["alice"], 1), {"minter"}),
    ("burn", lambda a: (1,), {"burner"}),
    ("burnFrom", lambda a: (a["alice"], 1), {"burner"}),
    ("pause", lambda a: (), {"pauser"}),
    ("unpause", lambda a: (), {"pauser"}),
    ("setPolicy", lambda a: (0, True, 0, []), {"compliance"}),
    ("setReserveFeed", lambda a: (a["alice"], 3_600), {"compliance"}),
    ("setTermsURI", lambda a: ("ipfs://new-terms",), {"admin"}),
    ("forcedTransfer", lambda a: (a["alice"], a["bob"], 1), {"agent"}),
    ("forcedTransferWithReason", lambda a: (a["alice"], a["bob"], 1, "why"), {"agent"}),
    ("recoverWallet", lambda a: (a["alice"], a["bob"], "why"), {"agent"}),
    ("setFrozenTokens", lambda a: (a["alice"], 1), {"agent"}),
    ("updateUIMultiplier", lambda a: (2 * 10**18, 2**40, 10**18, 0), {"corporate"}),
    ("setUIMultiplier", lambda a: (2 * 10**18, 2**40), {"corporate"}),
    ("cancelUIMultiplierUpdate", lambda a: (0,), {"corporate"}),
    ("scheduleNameChange", lambda a: (("New", "NEW", "NEW"), 2**40), {"corporate"}),
    ("cancelNameChange", lambda a: (2**40,), {"corporate"}),
    ("grantRole", lambda a: (b"\x01" * 32, a["alice"]), {"admin"}),
]
REGISTRY_FUNCTIONS = [
    ("setInvestors", lambda a: ([a["alice"]], [0]), {"officer"}),
    ("removeInvestors", lambda a: ([a["alice"]],), {"officer"}),
    ("setFrozen", lambda a: ([a["alice"]], True), {"officer"}),
    ("upgradeToAndCall", lambda a: (a["alice"], b""), {"upgrader"}),
    ("grantRole", lambda a: (b"\x01" * 32, a["alice"]), {"admin"}),
]
FACTORY_FUNCTIONS = [
    ("createToken", lambda a: (("n", "s", 18, "", "", "", "", "", a["alice"], 1, 0, True, 0, []), a["alice"]),
     {"token_deployer"}),
    ("upgradeTokens", lambda a: (a["alice"],), {"upgrader"}),
    ("transferBeaconOwnership", lambda a: (a["alice"],), {"admin"}),
]  # fmt: skip


@pytest.fixture(scope="module")
def callers(deployer, roles, investors, outsider):
    return {"admin": deployer, **roles, **investors, "outsider": outsider}


@pytest.fixture(scope="module")
def addresses(callers):
    return {name: account.address for name, account in callers.items()}


def _cases(functions):
    return [
        pytest.param(fn, build, caller, id=f"{fn}-by-{caller}")
        for fn, build, allowed in functions
        for caller in EVERY_CALLER
        if caller not in allowed
    ]


def _assert_denied(contract, fn, args, account):
    with ape.reverts(contract.AccessControlUnauthorizedAccount) as info:
        getattr(contract, fn)(*args, sender=account)
    assert info.value.inputs["account"] == account.address


@pytest.mark.parametrize(("fn", "build", "caller"), _cases(TOKEN_FUNCTIONS))
def test_token_function_refuses_unauthorized_callers(token, callers, addresses, fn, build, caller):
    _assert_denied(token, fn, build(addresses), callers[caller])


@pytest.mark.parametrize(("fn", "build", "caller"), _cases(REGISTRY_FUNCTIONS))
def test_registry_function_refuses_unauthorized_callers(registry, callers, addresses, fn, build, caller):
    _assert_denied(registry, fn, build(addresses), callers[caller])


@pytest.mark.parametrize(("fn", "build", "caller"), _cases(FACTORY_FUNCTIONS))
def test_factory_function_refuses_unauthorized_callers(factory, callers, addresses, fn, build, caller):
    _assert_denied(factory, fn, build(addresses), callers[caller])


def test_roles_are_separate(token, roles, deployer):
    """No operational role holder holds any other role; the admin holds only the admin role."""
    names = ["MINTER_ROLE", "BURNER_ROLE", "AGENT_ROLE", "PAUSER_ROLE", "COMPLIANCE_ROLE", "CORPORATE_ACTIONS_ROLE"]
    ids = {name: getattr(token, name)() for name in names}
    holders = {"MINTER_ROLE": "minter", "BURNER_ROLE": "burner", "AGENT_ROLE": "agent", "PAUSER_ROLE": "pauser",
               "COMPLIANCE_ROLE": "compliance", "CORPORATE_ACTIONS_ROLE": "corporate"}  # fmt: skip
    for role, holder in holders.items():
        for other, role_id in ids.items():
            assert token.hasRole(role_id, roles[holder]) == (other == role)
        assert not token.hasRole(ids[role], deployer)


assert len(INVESTORS) >= 2  # alice and bob are used above
