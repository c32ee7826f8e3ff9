"""``signage verify-logs``, ``signage checkpoint`` and ``signage checkpoint export DIR``."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from signage.cli.base import Context, cli, pass_context
from signage.clock import utcnow
from signage.db import get_db
from signage.evidence.checkpoints import export_checkpoints, make_checkpoint
from signage.evidence.verify import verify_everything
from signage.keys.services import KeyHolder, KeyProblem, key_file


@cli.command("verify-logs")
@click.option(
    "--checkpoints",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    help="a folder of exported checkpoints, kept apart from the database, to check against",
)
@pass_context
def verify_logs(context: Context, directory: Path | None) -> None:
    """Check every hash chain, every player's signature, every checkpoint (in the database
    and in DIR), that the daily roll-ups equal a recount of the display log, and that every
    approved revision still hashes to its approval; exit 1 naming the first broken record of
    each broken chain."""
    if directory is not None and not directory.is_dir():
        raise click.BadParameter(f"{directory} is not a folder", param_hint="--checkpoints")
    with context.session() as session:
        verdict = verify_everything(
            session,
            now=utcnow(),
            timezone=context.app.config["SIGNAGE_TIMEZONE"],
            checkpoints=directory,
            say=lambda line: click.echo(line, err=True),
        )
    for line in verdict.passed:
        click.echo(line)
    for line in verdict.problems:
        click.echo(line, err=True)
    if not verdict.whole:
        sys.exit(1)


@cli.group(invoke_without_command=True)
@click.pass_context
def checkpoint(ctx: click.Context) -> None:
    """Sign a checkpoint of every chain now (the server makes one each day)."""
    if ctx.invoked_subcommand is not None:
        return
    context: Context = ctx.obj
    holder = KeyHolder(get_db(context.app), key_file(context.app.config))
    try:
        key = holder.key()
    except KeyProblem as exc:
        raise click.ClickException(exc.message) from None
    with context.session() as session:
        row = make_checkpoint(session, key, now=utcnow())
        session.commit()
    click.echo(f"checkpoint {row.id} signed by key {row.key_id} at {row.made_at:%Y-%m-%d %H:%M}Z")


@checkpoint.command("export")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@pass_context
def checkpoint_export(context: Context, directory: Path) -> None:
    """Write every checkpoint, with the public keys that check it, into DIRECTORY (keep it
    on another machine, or print it as an annex of the yearly report)."""
    try:
        with context.session() as session:
            written = export_checkpoints(session, directory)
    except OSError as exc:
        raise click.ClickException(f"cannot write to {directory}: {exc.strerror}") from None
    click.echo(f"{len(written)} new checkpoint files written to {directory}")
