"""What every ``signage`` command shares: the app it works on, its session, the group."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click
import sqlalchemy as sa
from flask import Flask
from sqlalchemy.orm import Session

from signage import migrate
from signage.app import create_app
from signage.db import get_db
from signage.errors import ServiceError


class Context:
    """The app the command works on, created lazily so ``--help`` needs no settings."""

    def __init__(self, config: dict[str, Any] | None = None) -> None:
        self.config = config
        self._app: Flask | None = None

    @property
    def app(self) -> Flask:
        if self._app is None:
            try:
                self._app = create_app(self.config)
            except ValueError as exc:
                raise click.ClickException(str(exc)) from None
        return self._app

    @contextmanager
    def session(self, *, check_schema: bool = True) -> Iterator[Session]:
        """Yield a session committed at the end, or rolled back on any error."""
        db = get_db(self.app)
        if check_schema:
            require_schema(db.engine)
        session = db.session()
        try:
            yield session
            session.commit()
        except ServiceError as exc:
            session.rollback()
            raise click.ClickException(exc.message) from None
        except Exception:
            session.rollback()
            raise
        finally:
            session.close()


def require_schema(engine: sa.Engine) -> None:
    current = migrate.current_revision(engine)
    if current is None:
        raise click.ClickException("the database is empty; run 'signage init' first")
    if current != migrate.head_revision():
        raise click.ClickException(
            f"the database schema is at {current}, not {migrate.head_revision()}; "
            "run 'signage init' to upgrade it"
        )


pass_context = click.make_pass_decorator(Context, ensure=True)


@click.group()
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Signage controller: notices for LED screens, their review, playlists and display logs."""
    if ctx.obj is None:
        ctx.obj = Context()


def echo_lines(lines: list[str]) -> None:
    for line in lines:
        click.echo(line)


def safe_url(engine: sa.Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
