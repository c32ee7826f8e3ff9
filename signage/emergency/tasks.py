"""The feeds of official warnings, read on a schedule (``SIGNAGE_ALERT_FEEDS`` every
``SIGNAGE_ALERT_POLL_S``).

A feed's URL may answer one warning message (CAP 1.2 or national XML), an Atom feed, or an RSS
feed. An Atom entry or RSS item carries its message inline (the ``alert`` element in its
content) or links to it; a linked message is fetched (at most :data:`MAX_LINKS` a feed a
round). Each message is judged by :func:`signage.emergency.alerts.take_warning` in its own
savepoint, so one bad message is logged and the others are still taken; one seen before is a
duplicate and writes nothing, so reading a feed again is harmless.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import requests
from flask import Flask
from sqlalchemy.orm import Session

from signage.clock import utcnow
from signage.db import get_db
from signage.emergency.alerts import AlertSettings, take_warning
from signage.emergency.signatures import verified
from signage.emergency.warnings import CAP_NS, MAX_BYTES, WarningFormatError, parse_warning
from signage.jobs import run_exclusively

log = logging.getLogger(__name__)

ATOM = "{http://www.w3.org/2005/Atom}"
MAX_LINKS = 50
TIMEOUT_S = 10


def fetch(url: str) -> bytes:
    """The body at ``url`` (at most MAX_BYTES × MAX_LINKS for a feed)."""
    with requests.get(url, timeout=TIMEOUT_S, stream=True) as answer:
        answer.raise_for_status()
        body = answer.raw.read(MAX_BYTES * MAX_LINKS + 1, decode_content=True)
    if len(body) > MAX_BYTES * MAX_LINKS:
        raise ValueError(f"{url}: the feed is larger than {MAX_BYTES * MAX_LINKS} bytes")
    return bytes(body)


def messages(url: str, body: bytes) -> Iterator[tuple[str, bytes]]:
    """The warning messages of a feed's body: (where each came from, its XML)."""
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        raise ValueError(f"{url}: a feed may not declare a document type or entities")
    root = ET.fromstring(body)
    if root.tag in (f"{{{CAP_NS}}}alert", "alert"):
        yield url, body
        return
    links: list[str] = []
    for entry in [*root.iter(f"{ATOM}entry"), *root.iter("item")]:
        inline = entry.find(f".//{{{CAP_NS}}}alert")
        if inline is None:
            inline = entry.find(".//alert")
        if inline is not None:
            yield url, ET.tostring(inline, encoding="utf-8")
            continue
        link = entry.find(f"{ATOM}link")
        href = link.get("href") if link is not None else entry.findtext("link")
        if href:
            links.append(href.strip())
    for href in links[:MAX_LINKS]:
        yield href, fetch(href)


def read_feeds(app: Flask) -> int:
    """Read every feed once; return how many messages were taken (not duplicates nor ignored)."""
    settings = AlertSettings.of(app.config)
    taken = 0
    for url in app.config["SIGNAGE_ALERT_FEEDS"]:
        try:
            found = list(messages(url, fetch(url)))
        except (requests.RequestException, ET.ParseError, ValueError) as exc:
            log.warning("warning feed %s not read: %s", url, exc)
            continue
        with get_db(app).session() as session:

            def job(s: Session, found: list[tuple[str, bytes]] = found) -> None:
                nonlocal taken
                signers = app.config["SIGNAGE_ALERT_SIGNERS"]
                for origin, data in found:
                    try:
                        warning = parse_warning(verified(data, signers) if signers else data)
                    except WarningFormatError as exc:
                        log.warning("warning from %s refused: %s", origin, exc)
                        continue
                    try:
                        with s.begin_nested():
                            result = take_warning(
                                s, warning, data, origin=origin, settings=settings, now=utcnow()
                            )
                    except Exception:
                        log.exception("warning %s from %s not taken", warning.identifier, origin)
                        continue
                    if result.alert is not None:
                        taken += 1
                        log.info(
                            "warning %s %s from %s: %s",
                            warning.sender,
                            warning.identifier,
                            origin,
                            result.outcome,
                        )

            run_exclusively(session, "read_alert_feeds", job)
    return taken


def alert_feeds_job(app: Flask) -> None:
    """Read the warning feeds (nothing to do when none is set)."""
    if app.config["SIGNAGE_ALERT_FEEDS"]:
        read_feeds(app)
