"""The Alembic migrations and the models describe the same schema, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa

from signage import migrate
from signage.db import create_engine
from tests.conftest import PG_URL


def test_the_migrated_test_database_matches_the_models(database_url):
    engine = create_engine(database_url)
    try:
        assert migrate.current_revision(engine) == migrate.head_revision()
        assert migrate.schema_differences(engine) == []
    finally:
        engine.dispose()


def test_a_new_sqlite_database_migrates_down_and_up(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        migrate.upgrade(engine)
        assert migrate.schema_differences(engine) == []
        migrate.downgrade(engine, "base")
        assert set(sa.inspect(engine).get_table_names()) == {"alembic_version"}
        migrate.upgrade(engine)
        assert migrate.schema_differences(engine) == []
    finally:
        engine.dispose()


def test_sqlite_runs_in_wal_mode_with_foreign_keys(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'pragmas.db'}")
    try:
        with engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000
    finally:
        engine.dispose()


def test_which_database_this_run_uses(database_url):
    # Makes the choice visible in the test report, and checks the PostgreSQL driver is psycopg 3.
    if PG_URL:
        assert database_url.startswith("postgresql+psycopg://")
        engine = create_engine(database_url)
        try:
            assert engine.dialect.driver == "psycopg"
        finally:
            engine.dispose()
    else:
        assert database_url.startswith("sqlite:///")
