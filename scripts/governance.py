"""ape run governance <command> --network NETWORK : the issuer's Safe and timelock.

status; propose CONTRACT FUNCTION [ARGS...] [--timelock] --out FILE; sign FILE; execute FILE;
release FILE (a timelock operation, once its delay has passed). See docs/deployer.md.
"""

from pathlib import Path

import click

from stocksuite.cli import ConnectedCommand

_account = click.option("--account", "alias", default=None, help="ape account alias, or test:N on the local L2.")
_file = click.argument("file", type=click.Path(dir_okay=False, path_type=Path))


def _governance(ecosystem, network):
    from ape import project

    from stocksuite.cli import connected_context
    from stocksuite.governance import governance_contracts

    ctx = connected_context(ecosystem, network)
    safe, timelock = governance_contracts(project, ctx.records)
    return ctx, safe, timelock


def _signer(alias):
    from ape import chain

    from stocksuite.accounts import resolve_account

    return resolve_account(alias, chain.chain_id)


@click.group()
def cli():
    """Governance: Safe transactions and timelock operations."""


@cli.command(cls=ConnectedCommand)
def status(ecosystem, network):
    """The Safe (owners, threshold, nonce) and the timelock (delay)."""
    from stocksuite.cli import fail_cleanly
    from stocksuite.governance import safe_nonce

    with fail_cleanly():
        _, safe, timelock = _governance(ecosystem, network)
        click.echo(f"Safe {safe.address}: {safe.getThreshold()}-of-{len(safe.getOwners())}, nonce {safe_nonce(safe)}")
        for owner in safe.getOwners():
            click.echo(f"  owner {owner}")
        if timelock is not None:
            click.echo(f"Timelock {timelock.address}: min delay {timelock.getMinDelay()} s")


@cli.command(cls=ConnectedCommand, context_settings={"ignore_unknown_options": True})
@click.argument("contract")
@click.argument("function")
@click.argument("args", nargs=-1)
@click.option("--timelock", "via_timelock", is_flag=True, help="Schedule it on the timelock (admin and upgrades).")
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), required=True, help="Safe transaction file.")
def propose(ecosystem, network, contract, function, args, via_timelock, out):
    """A Safe transaction calling CONTRACT (a record name, e.g. ComplianceRegistry) FUNCTION(ARGS)."""
    from ape import chain

    from stocksuite.cli import fail_cleanly
    from stocksuite.governance import (GovernanceError, encode_from_text, propose, recorded_contract,
                                       schedule_calldata, timelock_operation)  # fmt: skip

    with fail_cleanly():
        ctx, safe, timelock = _governance(ecosystem, network)
        target = recorded_contract(ctx.project, ctx.records, contract)
        data, description = encode_from_text(target, function, tuple(args), chain.chain_id)
        if via_timelock:
            if timelock is None:
                raise GovernanceError(f"no Timelock in {ctx.records.folder}: deploy with governance.timelock first.")
            operation = timelock_operation(timelock, target.address, data)
            tx = propose(safe, chain.chain_id, timelock.address, schedule_calldata(timelock, operation),
                         f"schedule on the timelock: {description}", timelock=operation)  # fmt: skip
        else:
            tx = propose(safe, chain.chain_id, target.address, data, description)
        tx.save(out)
    click.echo(f"Safe transaction {tx.nonce} ({tx.description}) written to {out}; digest 0x{tx.digest().hex()}")
    click.echo(f"Next: {safe.getThreshold()} owners run `ape run governance sign {out} --account <owner>`.")


@cli.command(cls=ConnectedCommand)
@_file
@_account
def sign(ecosystem, network, file, alias):
    """Add an owner's signature to FILE."""
    from stocksuite.cli import fail_cleanly
    from stocksuite.governance import SafeTx, sign, valid_signers

    with fail_cleanly():
        _, safe, _ = _governance(ecosystem, network)
        tx = SafeTx.load(file)
        owner = _signer(alias)
        sign(safe, tx, owner)
        tx.save(file)
        count = len(valid_signers(safe, tx))
    click.echo(f"{owner.address} signed {file}: {count} of {safe.getThreshold()} signature(s).")


@cli.command(cls=ConnectedCommand)
@_file
@_account
def execute(ecosystem, network, file, alias):
    """Execute FILE's Safe transaction (anyone may send it once enough owners signed)."""
    from ape import chain

    from stocksuite.cli import fail_cleanly
    from stocksuite.governance import SafeTx, execute

    with fail_cleanly():
        _, safe, timelock = _governance(ecosystem, network)
        tx = SafeTx.load(file)
        receipt = execute(safe, tx, _signer(alias), chain.provider)
    click.echo(f"Executed Safe transaction {tx.nonce}: {tx.description} (tx {receipt.txn_hash})")
    if tx.timelock and timelock is not None:
        ready = timelock.getTimestamp(bytes.fromhex(tx.timelock["id"][2:]))
        click.echo(f"Scheduled timelock operation {tx.timelock['id']}, ready at unix {ready}: "
                   f"then `ape run governance release {file}`.")  # fmt: skip


@cli.command(cls=ConnectedCommand)
@_file
@_account
def release(ecosystem, network, file, alias):
    """Execute the timelock operation FILE scheduled, once its delay has passed."""
    from ape import chain

    from stocksuite.cli import fail_cleanly
    from stocksuite.governance import GovernanceError, SafeTx, release, timelock_at

    with fail_cleanly():
        _governance(ecosystem, network)
        tx = SafeTx.load(file)
        if not tx.timelock:
            raise GovernanceError(f"{file} does not schedule a timelock operation (proposed without --timelock).")
        receipt = release(timelock_at(tx.timelock["timelock"]), tx.timelock, _signer(alias), chain.provider)
    click.echo(f"Released timelock operation {tx.timelock['id']}: {tx.description} (tx {receipt.txn_hash})")
