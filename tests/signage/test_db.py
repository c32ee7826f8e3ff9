"""UTC timestamps: stored as SQLAlchemy's SQLite DATETIME would store them, read back aware."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy.dialects import postgresql, sqlite

from signage.db import UTCDateTime, sqlite_text_from_z
from signage.times import isoformat_z

ZONES = st.sampled_from(
    [dt.UTC, dt.timezone(dt.timedelta(hours=8)), dt.timezone(-dt.timedelta(hours=5))]
)


@given(
    st.datetimes(
        min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30), timezones=ZONES
    )
)
def test_sqlite_text_is_what_sqlalchemy_would_store(value):
    dialect = sqlite.dialect()
    default = sa.DateTime(timezone=True).dialect_impl(dialect).bind_processor(dialect)
    ours = UTCDateTime().bind_processor(dialect)
    assert ours(value) == default(value.astimezone(dt.UTC).replace(tzinfo=None))


@given(
    st.datetimes(
        min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30), timezones=ZONES
    )
)
def test_a_time_bound_from_its_z_text_is_bound_as_the_time_itself(value):
    value = value.astimezone(dt.UTC)
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        plain = UTCDateTime().bind_processor(dialect) or (lambda v: v)
        from_z = UTCDateTime().bind_processor_z(dialect)
        assert from_z(value, isoformat_z(value)) == plain(value)
    assert sqlite_text_from_z(isoformat_z(value)) == UTCDateTime().bind_processor(sqlite.dialect())(
        value
    )


def test_naive_times_are_refused_and_none_passes():
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        process = UTCDateTime().bind_processor(dialect)
        if process is not None:
            assert process(None) is None
            with pytest.raises(ValueError, match="naive"):
                process(dt.datetime(2026, 1, 1))
        else:
            with pytest.raises(ValueError, match="naive"):
                UTCDateTime().process_bind_param(dt.datetime(2026, 1, 1), dialect)
