"""``signage user`` and ``signage token``: staff accounts and their API tokens."""

from __future__ import annotations

import sys

import click

from signage.accounts import passwords
from signage.accounts import services as accounts
from signage.accounts.models import Role
from signage.cli.base import Context, cli, pass_context
from signage.clock import utcnow


def _stdin_password() -> str:
    """The password on standard input's first line (``--password-stdin``)."""
    password = sys.stdin.readline().rstrip("\r\n")
    if not password:
        raise click.ClickException("no password on standard input")
    return password


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
    password = _stdin_password() if password_stdin else None
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


@user.command("passwd")
@click.argument("username")
@click.option("--password-stdin", is_flag=True, help="read the new password from standard input")
@pass_context
def user_passwd(context: Context, username: str, password_stdin: bool) -> None:
    """Give a user a new password and end their sign-ins; prints a generated one on the last
    line (a forgotten password, a person leaving a post)."""
    password = _stdin_password() if password_stdin else None
    with context.session() as session:
        new = passwords.reset_password(session, None, username, now=utcnow(), password=password)
    click.echo(f"user {username!r} has a new password; their sign-ins have ended")
    if password is None:
        click.echo("password, shown this once:")
        click.echo(new)


@user.command("list")
@pass_context
def user_list(context: Context) -> None:
    """List the users: name, roles, whether active, display name."""
    with context.session() as session:
        rows = [
            (u.username, ",".join(sorted(r.value for r in u.roles)), u.active, u.display_name)
            for u in accounts.list_users(session, None)
        ]
    width = max((len(name) for name, *_ in rows), default=4)
    click.echo(f"{'user'.ljust(width)}  {'roles'.ljust(28)} active  name")
    for name, roles, active, display in rows:
        click.echo(
            f"{name.ljust(width)}  {roles.ljust(28)} {'yes' if active else 'no ':<6}  {display}"
        )


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
