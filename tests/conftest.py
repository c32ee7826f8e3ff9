"""Fixtures: a migrated database (SQLite, or PostgreSQL via SIGNAGE_TEST_DATABASE_URL), the app,
a session, API clients per role, and builders for users, screens and notices.

Every test starts with empty tables: the schema is migrated once per run and the rows are
deleted after each test, so tests may commit freely (as the API and the CLI do) and several
connections, threads and processes see the same data, as they do in production.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

import signage.accounts.services as accounts_services
from signage import migrate
from signage.accounts.models import User
from signage.app import create_app
from signage.config import DEFAULT_CATEGORIES
from signage.db import Base, create_engine, get_db
from signage.notices import review
from signage.notices import services as notices
from signage.screens.models import Screen
from signage.screens.services import create_group, create_screen
from signage.writer import get_writer

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_URL = os.environ.get("SIGNAGE_TEST_DATABASE_URL", "")
NOW = dt.datetime(2026, 11, 26, 2, 0, tzinfo=dt.UTC)  # a Thursday, 10:00 in Shanghai
# A notice's default window runs a week past NOW and past today: the API's services take the
# real clock, and a window that ended before today is refused there.
UNTIL = max(NOW, dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)) + dt.timedelta(
    days=7
)
CATEGORIES = DEFAULT_CATEGORIES
RULES = notices.NoticeRules(categories=CATEGORIES)


def pytest_report_header() -> str:
    return f"signage test database: {PG_URL or 'SQLite'}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """On the PostgreSQL pass only the tests that use the test database run: the others (the
    pure scheduling core, the player, the benchmarks' runs on their own SQLite) ran on the
    SQLite pass and do not touch the database this pass is for."""
    if not PG_URL:
        return
    drop = [i for i in items if "database_url" not in getattr(i, "fixturenames", ())]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = [i for i in items if "database_url" in getattr(i, "fixturenames", ())]


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    # Argon2's production parameters take ~50 ms a hash; tests create hundreds of users.
    fast = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    saved = accounts_services._hasher, accounts_services._DUMMY_HASH
    accounts_services._hasher = fast
    accounts_services._DUMMY_HASH = fast.hash("dummy")
    yield
    accounts_services._hasher, accounts_services._DUMMY_HASH = saved


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if PG_URL:
        engine = create_engine(PG_URL)
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("DROP SCHEMA public CASCADE"))
                conn.execute(sa.text("CREATE SCHEMA public"))
        finally:
            engine.dispose()
        url = PG_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'signage.db'}"
    engine = create_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return url


def _empty_tables(engine: sa.Engine) -> None:
    # DELETE in dependency order rather than TRUNCATE on PostgreSQL too: for tables this small
    # a TRUNCATE of every table cost 75–145 ms a test, the DELETEs 25 ms (SQLite: 6 ms).
    tables = [t.name for t in Base.metadata.sorted_tables]
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE notices SET live_revision_id = NULL"))
        for name in reversed(tables):
            conn.execute(sa.text(f"DELETE FROM {name}"))


@pytest.fixture
def config(database_url: str, tmp_path: Path) -> dict[str, Any]:
    return {
        "SIGNAGE_DATA_DIR": str(tmp_path / "var"),
        "SIGNAGE_DATABASE_URL": database_url,
        "SIGNAGE_SECRET_KEY": "test-secret",
        "SIGNAGE_CATEGORIES": CATEGORIES,
        "TESTING": True,
    }


@pytest.fixture
def app(config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(config)
    yield app
    # A playlist with no items is recorded after its answer: let those writes land before the
    # tables are emptied.
    get_writer(app).flush()
    engine = get_db(app).engine
    _empty_tables(engine)
    engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    session = get_db(app).session()
    yield session
    session.rollback()
    session.close()


@pytest.fixture
def make_user(db_session: Session) -> Callable[..., User]:
    counter = iter(range(1, 10_000))

    def make(*roles: str, username: str | None = None, password: str | None = None) -> User:
        name = username or f"{'-'.join(roles) or 'user'}{next(counter)}"
        user, _ = accounts_services.create_user(
            db_session, None, username=name, roles=roles or ("author",), now=NOW, password=password
        )
        db_session.commit()
        return user

    return make


@pytest.fixture
def make_screen(db_session: Session) -> Callable[..., Screen]:
    counter = iter(range(1, 10_000))

    def make(**kw: Any) -> Screen:
        n = next(counter)
        groups = kw.pop("groups", ())
        for name in groups:
            from signage.screens.services import ensure_group

            ensure_group(db_session, None, name=name, now=NOW)
        values = {
            "key": f"screen-{n}",
            "name": f"屏幕{n}",
            "width": 192,
            "height": 32,
            "now": NOW,
        } | kw
        screen, _ = create_screen(db_session, None, groups=groups, **values)
        db_session.commit()
        return screen

    return make


@pytest.fixture
def make_group(db_session: Session) -> Callable[..., Any]:
    def make(name: str) -> Any:
        group = create_group(db_session, None, name=name, now=NOW)
        db_session.commit()
        return group

    return make


def notice_fields(**kw: Any) -> notices.NoticeFields:
    values: dict[str, Any] = {
        "title": "关于调整办公时间的通知",
        "body": "自12月1日起，办公时间调整为8:30—17:30。",
        "category": "通知公告",
        "valid_from": NOW,
        "valid_until": UNTIL,
    } | kw
    return notices.NoticeFields(**values)


@pytest.fixture
def make_notice(db_session: Session, make_screen: Callable[..., Screen]) -> Callable[..., Any]:
    """Build a notice as ``author`` and take it to ``status`` (draft, submitted, approved…),
    every step at ``at``."""

    def make(
        author: User,
        *,
        status: str = "draft",
        reviewer: User | None = None,
        at: dt.datetime = NOW,
        **kw: Any,
    ) -> notices.Notice:
        if "screens" not in kw and "groups" not in kw:
            kw["screens"] = [make_screen().key]
        notice = notices.create_notice(db_session, author, notice_fields(**kw), now=at, rules=RULES)
        if status in ("submitted", "approved", "rejected", "returned"):
            notices.submit_notice(db_session, author, notice.id, now=at)
        if status in ("approved", "rejected", "returned"):
            assert reviewer is not None, "a decision needs a reviewer"
            if status == "approved":
                review.approve_notice(
                    db_session, reviewer, notice.id, confidentiality_reviewed=True, now=at
                )
            elif status == "returned":
                review.return_notice(db_session, reviewer, notice.id, reason="请修改", now=at)
            else:
                review.reject_notice(db_session, reviewer, notice.id, reason="不符合要求", now=at)
        if status == "withdrawn":
            notices.withdraw_notice(db_session, author, notice.id, reason="撤回", now=at)
        db_session.commit()
        return notice

    return make


@pytest.fixture
def token_for(db_session: Session) -> Callable[[User], dict[str, str]]:
    """Return request headers carrying a new personal API token of ``user``."""

    def issue(user: User) -> dict[str, str]:
        _, text = accounts_services.create_token(db_session, user, name="test", now=NOW)
        db_session.commit()
        return {"Authorization": f"Bearer {text}"}

    return issue


def need(condition: bool, reason: str) -> None:
    """Skip when something the test needs is missing, but only outside CI: in CI it must run."""
    if not condition:
        if IN_CI:
            pytest.fail(f"CI must provide this: {reason}")
        pytest.skip(reason)
