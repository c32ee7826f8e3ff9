"""Alembic environment: runs on the connection handed over by :mod:`signage.migrate`."""

from alembic import context

import signage.models  # noqa: F401  (fills Base.metadata)
from signage.db import Base, UTCDateTime

config = context.config
connection = config.attributes["connection"]


def render_item(type_, obj, autogen_context):
    """Write UTCDateTime as a plain DateTime: migrations must not import app code."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies the table
    compare_type=True,
    render_item=render_item,
)
with context.begin_transaction():
    context.run_migrations()
