"""Warning feeds read on a schedule, from a real HTTP server on 127.0.0.1: a message alone, an
Atom feed with one message inline and one linked, read twice (the second time, duplicates);
a feed that cannot be read or holds a bad message is logged and the rest still taken."""

from __future__ import annotations

import datetime as dt
import http.server
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from signage.clock import utcnow
from signage.emergency.models import OfficialAlert
from signage.emergency.tasks import alert_feeds_job, read_feeds
from signage.notices.models import Notice
from tests.signage.emergency.test_alerts_api import cancel_of_thunderstorm, moved
from tests.signage.emergency.test_warnings import national


@pytest.fixture
def feed_server() -> Iterator[tuple[str, dict[str, bytes]]]:
    pages: dict[str, bytes] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = pages.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/xml")
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", pages
    server.shutdown()
    server.server_close()


def atom(*entries: str) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        "<title>预警信息</title>" + "".join(f"<entry>{e}</entry>" for e in entries) + "</feed>"
    ).encode()


def test_a_feed_is_read_and_read_again_without_duplicates(
    app, feed_server, make_screen, db_session
):
    make_screen(key="hall")
    base, pages = feed_server
    thunderstorm = moved("a2_severe_thunderstorm.xml").decode().split("?>", 1)[1]
    pages["/feed"] = atom(
        f'<title>雷暴</title><content type="text/xml">{thunderstorm}</content>',
        f'<title>暴雨</title><link href="{base}/rain.xml"/>',
        f'<title>坏消息</title><link href="{base}/bad.xml"/>',
    )
    later = (utcnow() + dt.timedelta(hours=6)).isoformat()
    pages["/rain.xml"] = national(identifier="33010641600000_9", expires=later)
    pages["/bad.xml"] = b"<alert><identifier>oops</identifier></alert>"
    pages["/one.xml"] = national(identifier="33010641600000_10", expires=later, event="大风")
    app.config["SIGNAGE_ALERT_FEEDS"] = (f"{base}/feed", f"{base}/one.xml", f"{base}/gone.xml")
    assert read_feeds(app) == 3
    db_session.expire_all()
    origins = sorted(db_session.scalars(sa.select(OfficialAlert.origin)))
    assert origins == [f"{base}/feed", f"{base}/one.xml", f"{base}/rain.xml"]
    assert db_session.scalar(sa.select(sa.func.count(Notice.id))) == 3
    alert_feeds_job(app)  # the scheduled job: everything is a duplicate now
    assert db_session.scalar(sa.select(sa.func.count(OfficialAlert.id))) == 3

    pages["/feed"] = atom(f'<link href="{base}/cancel.xml"/>')
    pages["/cancel.xml"] = cancel_of_thunderstorm()
    assert read_feeds(app) == 1
    db_session.expire_all()
    cancelled = db_session.scalars(
        sa.select(OfficialAlert).where(OfficialAlert.identifier == "KSTO1055887203")
    ).one()
    assert cancelled.outcome == "cancelled"
    assert db_session.get(Notice, cancelled.notice_id).status == "withdrawn"
