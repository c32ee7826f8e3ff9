"""``signage screen``: register screens and give them tokens."""

from __future__ import annotations

import click

from signage.cli.base import Context, cli, pass_context
from signage.clock import utcnow
from signage.errors import ServiceError
from signage.screens.services import create_screen, parse_size, rotate_screen_token


@cli.group()
def screen() -> None:
    """Manage screens."""


def _size_option(value: str) -> tuple[int, int]:
    try:
        return parse_size(value)
    except ServiceError as exc:
        raise click.BadParameter(exc.message) from None


@screen.command("add")
@click.argument("key")
@click.option("--name", required=True, help="e.g. 政务服务中心大厅主屏")
@click.option(
    "--size",
    required=True,
    callback=lambda _c, _p, v: _size_option(v),
    help="pixel size WxH, e.g. 384x128",
)
@click.option(
    "--color", type=click.Choice(["mono", "red-green", "full"]), default="full", show_default=True
)
@click.option("--group", "groups", multiple=True, help="group name (created if new); repeatable")
@click.option(
    "--hours", help="opening hours, e.g. '1-5 08:00-18:00,6 09:00-12:00' (default: always on)"
)
@click.option("--timezone", default="Asia/Shanghai", show_default=True)
@click.option("--location", default="", help="where the screen hangs")
@pass_context
def screen_add(
    context: Context,
    key: str,
    name: str,
    size: tuple[int, int],
    color: str,
    groups: tuple[str, ...],
    hours: str | None,
    timezone: str,
    location: str,
) -> None:
    """Register a screen; prints its token on the last line."""
    with context.session() as session:
        created, text = create_screen(
            session,
            None,
            key=key,
            name=name,
            width=size[0],
            height=size[1],
            color=color,
            groups=groups,
            hours=hours,
            timezone=timezone,
            location=location,
            now=utcnow(),
            create_groups=True,
        )
    click.echo(
        f"registered screen {created.key!r} ({created.width}×{created.height}, "
        f"{created.color}); its token, shown this once:"
    )
    click.echo(text)


@screen.command("token")
@click.argument("key")
@pass_context
def screen_token(context: Context, key: str) -> None:
    """Give screen KEY a new token (the old one stops working); prints it on the last line."""
    with context.session() as session:
        _, text = rotate_screen_token(session, None, key, now=utcnow())
    click.echo(f"screen {key!r} has a new token; the old one no longer works. Shown this once:")
    click.echo(text)
