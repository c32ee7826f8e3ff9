"""Database wiring: the declarative base, the engine, sessions and the per-request unit of work.

SQLite (the default, embedded) runs in WAL mode with foreign keys on and a busy timeout, so that
the web server's threads and the scheduler can share one file. PostgreSQL is reached through
psycopg 3 (``postgresql+psycopg://``).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from flask import Flask, Response, current_app, g
from sqlalchemy import event
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The largest value an INTEGER and a BIGINT column hold on both databases: ids from outside
# are checked against these, so a larger number is refused, never sent to the database.
MAX_INT = 2**31 - 1
MAX_BIGINT = 2**63 - 1


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """A timestamp stored in UTC and always read back timezone-aware.

    SQLite has no time zone support, so values are stored there as naive UTC; refusing naive
    values on the way in keeps a local time from ever being mistaken for UTC.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is not dt.UTC:
            if value.tzinfo is None:
                raise ValueError("naive datetime given to a UTC column")
            value = value.astimezone(dt.UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def bind_processor(self, dialect: sa.Dialect) -> Any:
        if dialect.name != "sqlite":
            return super().bind_processor(dialect)

        def to_text(value: dt.datetime | None) -> str | None:
            # The text SQLAlchemy's SQLite DATETIME stores ("2026-11-26 08:00:00.000000"),
            # written in one step: the two-stage default costs more than a display event's
            # whole validation.
            naive = self.process_bind_param(value, dialect)
            return None if naive is None else naive.isoformat(" ", "microseconds")

        return to_text

    def bind_processor_z(self, dialect: sa.Dialect) -> Callable[[dt.datetime, str], Any]:
        """A bind processor for a time in UTC that comes with its text as
        ``signage.audit.services.isoformat_z`` writes it (display events make that text for
        their hash anyway): on SQLite the stored text is cut out of it, which is quicker than
        formatting the time again."""
        if dialect.name == "sqlite":
            return lambda _value, z: sqlite_text_from_z(z)
        process = self.bind_processor(dialect)  # a TypeDecorator always has one
        assert process is not None
        return lambda value, _z: process(value)

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def sqlite_text_from_z(z: str) -> str:
    """The text UTCDateTime stores on SQLite ("2026-11-26 08:00:00.000000") for a time written
    as isoformat_z writes it ("2026-11-26T08:00:00Z", or "…:00.250000Z" with microseconds)."""
    return f"{z[:10]} {z[11:19]}{z[19:26] if len(z) == 27 else '.000000'}"


class Base(DeclarativeBase):
    """The one declarative base of every controller model."""

    metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def create_engine(url: str) -> sa.Engine:
    """Create an engine for ``url`` with the settings each backend needs.

    A SQLite file is created for its owner alone (0600) before SQLite opens it; SQLite gives its
    ``-wal`` and ``-shm`` files the same permissions.
    """
    if url.startswith("sqlite"):
        path = sa.make_url(url).database
        if path and path != ":memory:" and not path.startswith("file:"):
            _private_file(Path(path))
        engine = sa.create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True)


def _private_file(path: Path) -> None:
    if path.exists():
        return
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


class Database:
    """The engine and session factory of one app."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)
        self.sessionmaker = sessionmaker(self.engine, expire_on_commit=False)

    def session(self) -> Session:
        """Return a new session; the caller commits or rolls back and closes it."""
        return self.sessionmaker()


def init_app(app: Flask) -> None:
    """Attach the database to ``app`` and close each request's session after it."""
    app.extensions["signage.db"] = Database(app.config["SIGNAGE_DATABASE_URL"])

    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        session = g.pop("db_session", None)
        if session is not None:
            session.rollback()  # anything not committed by the handler is discarded
            session.close()


def get_db(app: Flask) -> Database:
    """Return the :class:`Database` of ``app``."""
    db: Database = app.extensions["signage.db"]
    return db


def request_session() -> Session:
    """Return the session of the current request (or app context), opening it on first use."""
    if "db_session" not in g:
        g.db_session = get_db(current_app).session()
    session: Session = g.db_session
    return session


def after_commit(session: Session, callback: Callable[[], None]) -> None:
    """Call ``callback`` once the session's transaction has committed (not if it rolls back)."""
    event.listen(session, "after_commit", lambda _session: callback(), once=True)


def finish_request(response: Response, *, on_conflict: Callable[[], Response]) -> Response:
    """Commit the request's database work after a successful answer; roll it back after an
    error answer, so that bad input writes nothing. A commit that loses a race with another
    request (a unique constraint) is rolled back and answered by ``on_conflict()``."""
    session = g.get("db_session")
    if session is None:
        return response
    if response.status_code >= 400:
        session.rollback()
        return response
    try:
        session.commit()
    except (IntegrityError, StaleDataError):
        session.rollback()
        return on_conflict()
    return response
