"""``signage user`` and ``signage token``: staff accounts and their API tokens."""

from __future__ import annotations

import sys

import click

from signage.accounts import services as accounts
from signage.accounts.models import Role
from signage.cli.base import Context, cli, pass_context
from signage.clock import utcnow


@cli.group()
def user() -> None:
    """Manage staff accounts."""


@user.command("add")
@click.argument("username")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="repeat for several roles",
)
@click.option("--display-name", help="the name shown in pages (default: the user name)")
@click.option("--password-stdin", is_flag=True, help="read the password from standard input")
@pass_context
def user_add(
    context: Context,
    username: str,
    roles: tuple[str, ...],
    display_name: str | None,
    password_stdin: bool,
) -> None:
    """Create a user; prints a generated password on the last line."""
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise click.ClickException("no password on standard input")
    with context.session() as session:
        created, generated = accounts.create_user(
            session,
            None,
            username=username,
            roles=roles,
            display_name=display_name,
            password=password,
            now=utcnow(),
        )
    click.echo(f"created user {created.username!r} with roles {', '.join(sorted(roles))}")
    if password is None:
        click.echo("password, shown this once:")
        click.echo(generated)


@cli.group()
def token() -> None:
    """Manage personal API tokens."""


@token.command("create")
@click.argument("username")
@click.option("--name", "label", default="cli", show_default=True, help="what the token is for")
@pass_context
def token_create(context: Context, username: str, label: str) -> None:
    """Issue a personal API token for USERNAME; prints it on the last line."""
    with context.session() as session:
        owner = accounts.get_user(session, username)
        issued, text = accounts.create_token(session, owner, name=label, now=utcnow())
    click.echo(f"token {issued.id} ({label}) for {username}; send it as 'Authorization: Bearer …':")
    click.echo(text)
