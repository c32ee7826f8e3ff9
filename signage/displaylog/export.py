"""The display log as a CSV download, streamed: the same rows for the API and the web page."""

from __future__ import annotations

import io
from collections.abc import Iterator

from flask import Response, current_app
from sqlalchemy.orm import Session

from signage.accounts.models import User
from signage.api import common
from signage.csvfiles import SafeWriter
from signage.db import get_db
from signage.displaylog import reading
from signage.displaylog.reading import EventFilter
from signage.displaylog.schemas import CSV_COLUMNS, event_json


def csv_response(
    session: Session, user: User, f: EventFilter, *, for_excel: bool = False
) -> Response:
    """Every event matching ``f`` as CSV, written while it is read."""
    # Check the role before streaming starts, so a refusal is a clean 403.
    reading.list_events(session, user, f, limit=1)
    # The stream reads with a session of its own, closed when the last row is sent: the
    # request's session is done (and committed) before the first byte goes out.
    database = get_db(current_app)

    def rows() -> Iterator[str]:
        buffer = io.StringIO()
        writer = SafeWriter(buffer)
        writer.writerow(CSV_COLUMNS)
        with database.session() as reader:
            for event, key in reading.iter_events(reader, user, f):
                record = event_json(event, key)
                writer.writerow([record[c] for c in CSV_COLUMNS])
                if buffer.tell() > 64 * 1024:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
        yield buffer.getvalue()

    return common.csv_response(rows(), "display-events.csv", for_excel=for_excel)
