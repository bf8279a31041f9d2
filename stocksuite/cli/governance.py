"""ape run governance <command> --network NETWORK : the issuer's Safe and timelock.

status; propose CONTRACT FUNCTION [ARGS...] [--timelock] --out FILE; sign FILE; execute FILE;
release FILE (a timelock operation, once its delay has passed). See docs/deployer.md.

sign and execute show the call decoded from the file's fields (never its description), the
nonce and the safeTxHash, then ask (--yes skips the question); they refuse a DELEGATECALL other
than a MultiSendCallOnly batch, a call to the Safe itself (--allow-self-call) and a call to an
address the records do not know (--allow-target ADDRESS).
"""

from pathlib import Path

import click

from stocksuite.cli.common import ConnectedCommand

_account = click.option("--account", "alias", default=None, help="ape account alias, or test:N on the local L2.")
_file = click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
_yes = click.option("--yes", is_flag=True, help="Do not ask for confirmation (automation).")


def _allowances(command):
    command = click.option("--allow-self-call", is_flag=True,
                           help="Allow a call to the Safe itself (owners, threshold, modules, guard).")(command)  # fmt: skip
    return click.option("--allow-target", "allow_targets", multiple=True, metavar="ADDRESS",
                        help="Allow a call to ADDRESS, which the deployment records do not know.")(command)  # fmt: skip


def _review(ctx, safe, tx, allow_self_call, allow_targets):
    """The decoded, checked transaction (refusals raise); its lines are printed."""
    from ape import chain

    from stocksuite.chain.accounts import resolve_address
    from stocksuite.governance.review import KnownContracts, review

    targets = tuple(resolve_address(a, chain.chain_id) for a in allow_targets)
    reviewed = review(safe, tx, KnownContracts.from_records(ctx.records), allow_self_call, targets)
    for line in reviewed.lines():
        click.echo(line)
    return reviewed


def _confirm(question, yes):
    if not yes and not click.confirm(question, default=False):
        raise click.Abort()


def _governance(ecosystem, network):
    from ape import project

    from stocksuite.cli.common import connected_context
    from stocksuite.governance.proposals import governance_contracts

    ctx = connected_context(ecosystem, network)
    safe, timelock = governance_contracts(project, ctx.records)
    return ctx, safe, timelock


def _signer(alias):
    from ape import chain

    from stocksuite.chain.accounts import resolve_account

    return resolve_account(alias, chain.chain_id)


@click.group()
def cli():
    """Governance: Safe transactions and timelock operations."""


@cli.command(cls=ConnectedCommand)
def status(ecosystem, network):
    """The Safe (owners, threshold, nonce) and the timelock (delay)."""
    from stocksuite.cli.common import fail_cleanly
    from stocksuite.governance.proposals import safe_nonce

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
@_allowances
def propose(ecosystem, network, contract, function, args, via_timelock, out, allow_self_call, allow_targets):
    """A Safe transaction calling CONTRACT (a record name, e.g. ComplianceRegistry) FUNCTION(ARGS)."""
    from ape import chain

    from stocksuite.cli.common import fail_cleanly
    from stocksuite.governance.proposals import (GovernanceError, encode_from_text, propose, recorded_contract,
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
        tx.description = _review(ctx, safe, tx, allow_self_call, allow_targets).call.summary()
        tx.save(out)
    click.echo(f"Safe transaction {tx.nonce} written to {out}; safeTxHash {tx.safe_tx_hash}")
    click.echo(f"Next: {safe.getThreshold()} owners run `ape run governance sign {out} --account <owner>`.")


@cli.command(cls=ConnectedCommand)
@_file
@_account
@_yes
@_allowances
def sign(ecosystem, network, file, alias, yes, allow_self_call, allow_targets):
    """Show FILE's decoded call, then add an owner's signature to it."""
    from stocksuite.cli.common import fail_cleanly
    from stocksuite.governance.proposals import SafeTx, sign, valid_signers

    with fail_cleanly():
        ctx, safe, _ = _governance(ecosystem, network)
        tx = SafeTx.load(file)
        reviewed = _review(ctx, safe, tx, allow_self_call, allow_targets)
        owner = _signer(alias)
        _confirm(f"Sign safeTxHash {reviewed.safe_tx_hash} as {owner.address}?", yes)
        sign(safe, tx, owner, reviewed)
        tx.save(file)
        count = len(valid_signers(safe, tx))
    click.echo(f"{owner.address} signed {file}: {count} of {safe.getThreshold()} signature(s).")


@cli.command(cls=ConnectedCommand)
@_file
@_account
@_yes
@_allowances
def execute(ecosystem, network, file, alias, yes, allow_self_call, allow_targets):
    """Show FILE's decoded call, then execute it (anyone may, once enough owners signed)."""
    from ape import chain

    from stocksuite.cli.common import fail_cleanly
    from stocksuite.governance.proposals import SafeTx, execute

    with fail_cleanly():
        ctx, safe, timelock = _governance(ecosystem, network)
        tx = SafeTx.load(file)
        reviewed = _review(ctx, safe, tx, allow_self_call, allow_targets)
        sender = _signer(alias)
        _confirm(f"Execute safeTxHash {reviewed.safe_tx_hash} from {sender.address}?", yes)
        receipt = execute(safe, tx, sender, chain.provider, reviewed)
    click.echo(f"Executed Safe transaction {tx.nonce}: {reviewed.call.summary()} (tx {receipt.txn_hash})")
    if tx.timelock and timelock is not None:
        ready = timelock.getTimestamp(bytes.fromhex(tx.timelock["id"][2:]))
        click.echo(f"Scheduled timelock operation {tx.timelock['id']}, ready at unix {ready}: "
                   f"then `ape run governance release {file}`.")  # fmt: skip


@cli.command(cls=ConnectedCommand)
@_file
@_account
@_allowances
def release(ecosystem, network, file, alias, allow_self_call, allow_targets):
    """Execute the timelock operation FILE scheduled, once its delay has passed."""
    from ape import chain

    from stocksuite.cli.common import fail_cleanly
    from stocksuite.governance.proposals import GovernanceError, SafeTx, release, scheduled_operation

    with fail_cleanly():
        ctx, safe, timelock = _governance(ecosystem, network)
        tx = SafeTx.load(file)
        if not tx.timelock or timelock is None:
            raise GovernanceError(f"{file} does not schedule a timelock operation (proposed without --timelock).")
        operation = scheduled_operation(timelock, tx)  # from the signed calldata, not the file's words
        reviewed = _review(ctx, safe, tx, allow_self_call, allow_targets)
        receipt = release(timelock, operation, _signer(alias), chain.provider)
    click.echo(f"Released timelock operation {operation['id']}: {reviewed.call.inner[0].summary()} "
               f"(tx {receipt.txn_hash})")  # fmt: skip
