"""stocksuite.cli.common: reverts become one line that says what to do next."""

from __future__ import annotations

import pytest
from ape.exceptions import ContractLogicError

from stocksuite.cli.common import fail_cleanly


class ReserveBeforeMultiplierChange(ContractLogicError):
    """Stands in for the token's custom error as ape raises it (named after it, with inputs)."""


def test_a_reserve_answer_from_before_a_split_says_to_post_a_fresh_one(capsys):
    err = ReserveBeforeMultiplierChange("reverted")
    err.inputs = {"updatedAt": 1_700_000_000, "multiplierSince": 1_700_000_100}
    with pytest.raises(SystemExit) as exited, fail_cleanly():
        raise err
    message = capsys.readouterr().err
    assert exited.value.code == 1 and message.count("\n") == 1
    assert message.startswith("error: the transaction would revert: ReserveBeforeMultiplierChange(updatedAt=")
    assert "predates the split or reverse split in force" in message
    assert "post a fresh reserve answer" in message
