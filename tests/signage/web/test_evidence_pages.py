"""The evidence on the pages: refused events on the dashboard and the screen page, the signed
checkpoints to download, and the checkpoint that covers a screen's last event."""

from __future__ import annotations

import datetime as dt
import io
import zipfile

from signage.clock import utcnow
from tests.screen_record import fetch_etag


def test_refused_events_are_listed_where_people_look(
    pages,
    person,
    county,
    client,
    db_session,
):
    hall = county["hall"]
    from signage.screens.services import rotate_screen_token

    _, token = rotate_screen_token(db_session, None, "hall", now=utcnow())
    db_session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    hall["record"].register_api(client, headers)
    etag = fetch_etag(client, headers)
    lobby_notice = county["lobby"]["notice"]
    event = hall["record"].event(lobby_notice, etag, utcnow() - dt.timedelta(seconds=30))
    answer = client.post(
        "/api/v1/player/events", json=hall["record"].batch([event]), headers=headers
    ).get_json()
    assert "does not hold item" in answer["rejected"][0]["reason"]
    browser = pages(person("admin"))
    board = browser.get("/").get_data(as_text=True)
    assert "有播放记录被拒绝的屏幕" in board and "does not hold item" in board
    page = browser.get("/screens/hall").get_data(as_text=True)
    assert 'id="refused-events"' in page and "does not hold item" in page


def test_checkpoints_download_and_the_compliance_page_names_its_checkpoint(
    pages,
    person,
    county,
):
    browser = pages(person("supervisor"))
    index = browser.get("/reports").get_data(as_text=True)
    assert "签名检查点" in index and "/reports/checkpoints.zip" in index
    download = browser.get("/reports/checkpoints.zip")
    assert download.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(download.data)).namelist()
    assert "checkpoints/checkpoint-000001.json" in names
    assert any(n.startswith("checkpoints/keys/controller-") for n in names)
    assert pages(person("author")).get("/reports/checkpoints.zip").status_code == 403
    notice = county["hall"]["notice"]
    page = browser.get(f"/reports/notices/{notice.id}/compliance").get_data(as_text=True)
    assert "第 1 号" in page and county["hall"]["record"].key.public.text in page
    api = browser.get(f"/reports/notices/{notice.id}/compliance.csv").get_data(as_text=True)
    assert "checkpoint,hall" in api
