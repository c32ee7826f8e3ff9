"""``signage screen``: register screens and give them tokens."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from signage.cli.base import Context, cli, pass_context
from signage.clock import utcnow
from signage.errors import ServiceError
from signage.keys.provision import provision_file, write_provision
from signage.keys.services import key_file
from signage.screens.services import create_screen, rotate_screen_token
from signage.screens.values import parse_size

F = TypeVar("F", bound=Callable[..., Any])


def provision_options(command: F) -> F:
    """``--provision FILE`` and ``--controller-url URL``, for the commands that issue a token."""
    command = click.option(
        "--controller-url",
        help="the URL players reach the controller at, for the provisioning file "
        "(default: SIGNAGE_PUBLIC_URL)",
    )(command)
    return click.option(
        "--provision",
        "provision_path",
        type=click.Path(dir_okay=False, writable=True),
        help="also write the screen's provisioning file here (0600): the controller's URL, the "
        "token and the controller's keys, all 'signage-player run --provision' needs",
    )(command)


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
@click.option(
    "--scroll-cpm",
    type=int,
    help="strip scroll speed, characters a minute (20-255; default: the deployment's)",
)
@click.option("--page-s", type=int, help="least time a panel page stays, seconds (4-120)")
@click.option("--read-cpm", type=int, help="reading speed a page's time counts at (60-500)")
@click.option("--pixel-pitch", type=float, help="LED pixel pitch in mm, for the legibility check")
@click.option("--viewing-distance", type=float, help="usual viewing distance in metres")
@provision_options
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
    scroll_cpm: int | None,
    page_s: int | None,
    read_cpm: int | None,
    pixel_pitch: float | None,
    viewing_distance: float | None,
    provision_path: str | None,
    controller_url: str | None,
) -> None:
    """Register a screen; prints its token on the last line."""
    settings = {
        "scroll_cpm": scroll_cpm,
        "page_s": page_s,
        "read_cpm": read_cpm,
        "pixel_pitch_mm": pixel_pitch,
        "viewing_distance_m": viewing_distance,
    }
    url = _controller_url(context, controller_url) if provision_path else ""
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
            settings={k: v for k, v in settings.items() if v is not None},
        )
    click.echo(
        f"registered screen {created.key!r} ({created.width}×{created.height}, "
        f"{created.color}); its token, shown this once:"
    )
    if provision_path:
        _provision(context, Path(provision_path), url, created.key, text)
    click.echo(text)


def _controller_url(context: Context, given: str | None) -> str:
    url = (given or context.app.config["SIGNAGE_PUBLIC_URL"]).strip()
    if not url.startswith(("http://", "https://")):
        raise click.BadParameter(
            "must start with http:// or https://", param_hint="--controller-url"
        )
    return url


def _provision(context: Context, path: Path, url: str, key: str, token: str) -> None:
    with context.session() as session:
        document = provision_file(
            session,
            controller_url=url,
            screen=key,
            token=token,
            key_path=key_file(context.app.config),
            now=utcnow(),
        )
    try:
        write_provision(path, document)
    except OSError as exc:
        raise click.ClickException(
            f"the provisioning file {path} cannot be written ({exc.strerror}); the screen has "
            f"its token: write the file with 'signage screen token {key} --provision FILE'"
        ) from None
    click.echo(
        f"provisioning file {path} written (0600): signage-player run --provision {path} "
        f"trusts key {document['current_key']}"
    )


@screen.command("token")
@click.argument("key")
@provision_options
@pass_context
def screen_token(
    context: Context, key: str, provision_path: str | None, controller_url: str | None
) -> None:
    """Give screen KEY a new token (the old one stops working); prints it on the last line."""
    url = _controller_url(context, controller_url) if provision_path else ""
    with context.session() as session:
        _, text = rotate_screen_token(session, None, key, now=utcnow())
    click.echo(f"screen {key!r} has a new token; the old one no longer works. Shown this once:")
    if provision_path:
        _provision(context, Path(provision_path), url, key, text)
    click.echo(text)
