"""``signage key show`` and ``signage key rotate``: the controller's signing key."""

from __future__ import annotations

import click

from signage.cli.base import Context, cli, pass_context
from signage.clock import utcnow
from signage.keys.services import KeyProblem, ensure_key_file, key_chain, key_file, rotate_key


@cli.group()
def key() -> None:
    """The controller's signing key (every playlist is signed with it)."""


@key.command("show")
@pass_context
def key_show(context: Context) -> None:
    """List the controller's keys, oldest first, and say which one signs now."""
    path = key_file(context.app.config)
    with context.session() as session:
        rows, _ = key_chain(session)
    click.echo(f"key file: {path}")
    if not rows:
        click.echo("no key has signed anything yet")
    for row in rows:
        state = (
            "current" if row.replaced_at is None else f"replaced {row.replaced_at:%Y-%m-%d %H:%M}Z"
        )
        click.echo(f"{row.key_id}  {row.public_key}  {state}")


@key.command("rotate")
@pass_context
def key_rotate(context: Context) -> None:
    """Replace the signing key with a new one; the old one signs the statement that says so,
    so players follow without being provisioned again."""
    path = key_file(context.app.config)
    try:
        ensure_key_file(path)
    except KeyProblem as exc:
        raise click.ClickException(exc.message) from None
    with context.session() as session:
        statement = rotate_key(session, None, path, now=utcnow())
    click.echo(f"key {statement.new.key_id} replaces {statement.old_key_id}; players follow it")
