"""Read the display log back: filters, keyset paging, and every row for a CSV download."""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from signage.accounts.models import User
from signage.accounts.permissions import SUPERVISING, require_role
from signage.db import MAX_BIGINT
from signage.displaylog.models import DisplayEvent
from signage.errors import InvalidInput
from signage.screens.models import Screen
from signage.times import in_range, isoformat_z


@dataclass(frozen=True)
class EventFilter:
    screen: str | None = None
    notice: int | None = None
    category: str | None = None
    start: dt.datetime | None = None
    end: dt.datetime | None = None


def encode_cursor(event: DisplayEvent) -> str:
    raw = f"{isoformat_z(event.started_at)}|{event.id}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[dt.datetime, int]:
    """The (start, id) a cursor from :func:`encode_cursor` holds; anything else is refused."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        when, _, ident = raw.partition("|")
        started = in_range(dt.datetime.fromisoformat(when), "cursor")
        number = int(ident)
        if not ident.isascii() or not ident.isdigit() or not 1 <= number <= MAX_BIGINT:
            raise ValueError(ident)
        return started, number
    except (ValueError, UnicodeDecodeError, InvalidInput):
        raise InvalidInput("the cursor is not one this API gave out", field="cursor") from None


def _query(session: Session, f: EventFilter) -> sa.Select[Any]:
    query = sa.select(DisplayEvent, Screen.key).join(Screen, Screen.id == DisplayEvent.screen_id)
    if f.screen is not None:
        query = query.where(Screen.key == f.screen)
    if f.notice is not None:
        query = query.where(DisplayEvent.notice_id == f.notice)
    if f.category is not None:
        query = query.where(DisplayEvent.category == f.category)
    if f.start is not None:
        query = query.where(DisplayEvent.started_at >= f.start)
    if f.end is not None:
        query = query.where(DisplayEvent.started_at < f.end)
    return query


def list_events(
    session: Session, actor: User, f: EventFilter, *, limit: int, cursor: str | None = None
) -> tuple[list[tuple[DisplayEvent, str]], str | None]:
    """One page of events in time order, and the cursor of the next page (None at the end).

    Keyset paging on (started_at, id): every page is an index range scan, however deep.
    """
    require_role(actor, *SUPERVISING)
    query = _query(session, f)
    if cursor is not None:
        when, ident = decode_cursor(cursor)
        query = query.where(sa.tuple_(DisplayEvent.started_at, DisplayEvent.id) > (when, ident))
    rows = session.execute(
        query.order_by(DisplayEvent.started_at, DisplayEvent.id).limit(limit + 1)
    ).all()
    page = [(r[0], r[1]) for r in rows[:limit]]
    following = encode_cursor(page[-1][0]) if len(rows) > limit else None
    return page, following


def iter_events(
    session: Session, actor: User, f: EventFilter, chunk: int = 5000
) -> Iterator[tuple[sa.Row[Any], str]]:
    """Every event matching the filter, in time order, read in chunks (CSV export).

    Each event is a row of the table's columns (read like a :class:`DisplayEvent`, without
    building one: an export of a month reads hundreds of thousands), with its screen's key.
    Keyset paging on (started_at, id), as :func:`list_events` pages.
    """
    require_role(actor, *SUPERVISING)
    table = DisplayEvent.__table__
    query = _query(session, f).with_only_columns(*table.c, Screen.key)
    query = query.order_by(DisplayEvent.started_at, DisplayEvent.id).limit(chunk)
    after: tuple[dt.datetime, int] | None = None
    while True:
        page = query
        if after is not None:
            page = page.where(sa.tuple_(DisplayEvent.started_at, DisplayEvent.id) > after)
        rows = session.execute(page).all()
        for row in rows:
            yield row, row.key
        if len(rows) < chunk:
            return
        after = (rows[-1].started_at, rows[-1].id)
