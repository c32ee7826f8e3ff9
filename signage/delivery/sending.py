"""Sending a screen its compiled playlist: the answer to a poll, and the record that it was sent.

One rule for both ways a poll is answered, the Flask route (:func:`signage.delivery.api.playlist`)
and the WSGI shortcut in front of it (:mod:`signage.delivery.shortcut`): a screen that names the
playlist's ETag gets 304; any other gets the body with its signature, and the first sending from
this process is recorded before the answer, so that the screen's display events can name it
(:mod:`signage.delivery.served`). Hundreds of screens are sent a new playlist at once after a
change: their records are committed together (:mod:`signage.writer`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from playlists.evidence import etag_of
from playlists.signing import HEADER
from signage.delivery.cache import CompiledPlaylist
from signage.delivery.served import Sent, note_all_served
from signage.writer import GroupWriter


def etag_matches(header: str | None, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weakly, or with ``*``)."""
    if not header:
        return False
    for tag in header.split(","):
        tag = tag.strip()
        if tag == "*" or tag.removeprefix("W/") == etag:
            return True
    return False


@dataclass(frozen=True)
class Answer:
    status: int  # 200 or 304
    headers: list[tuple[str, str]]
    body: bytes


def answer_poll(
    compiled: CompiledPlaylist, if_none_match: str | None, writer: GroupWriter, at: dt.datetime
) -> Answer:
    """The answer to a poll of ``compiled``'s screen; records a first sending (an error in
    writing the record is raised, and nothing is answered)."""
    headers = [("ETag", compiled.etag), ("Cache-Control", "no-cache")]
    if etag_matches(if_none_match, compiled.etag):
        # The screen has it: it was recorded when it was sent (by this process or another).
        return Answer(304, headers, b"")
    if not compiled.recorded:
        sent = Sent(compiled.screen_id, etag_of(compiled.etag), compiled.hour, compiled.inputs, at)
        if compiled.playlist.items:
            writer.submit(note_all_served, (sent, compiled.playlist))
        else:
            # A playlist with nothing to play (a blackout, say): no display event can name
            # it, so the answer need not wait for its record. After a blackout of every
            # screen, 2,000 answers do not queue on 2,000 commits.
            writer.post(note_all_served, (sent, compiled.playlist))
        compiled.recorded = True
    headers.append((HEADER, compiled.signature))
    return Answer(200, headers, compiled.body)
