"""Images that do not get lost: chosen for a text notice, previewed before saving, aimed at a
strip."""

from __future__ import annotations

import datetime as dt
import io

import sqlalchemy as sa
from PIL import Image

from signage.audit.models import AuditEntry
from signage.notices.models import Notice, NoticeRevision
from tests.conftest import need
from tests.signage.web.test_pages import editor_form, has_font


def picture() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 100), (0, 128, 255)).save(out, format="PNG")
    return out.getvalue()


def test_an_image_chosen_for_a_text_notice_is_refused_not_dropped(
    pages, person, make_screen, db_session
):
    make_screen(key="panel", width=256, height=128)
    browser = pages(person("author"))
    answer = browser.post(
        "/notices/new",
        editor_form(screens=["panel"], kind="text", image=(io.BytesIO(picture()), "x.png")),
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422 and "kind" in answer.get_data(as_text=True)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(NoticeRevision)) == 0


def test_an_image_is_previewed_before_it_is_saved(pages, person, make_screen, db_session):
    need(has_font(), "a CJK font (Debian fonts-wqy-zenhei) for the preview renderer")
    make_screen(key="panel", width=256, height=128)
    browser = pages(person("author"))
    answer = browser.post(
        "/notices/preview.png?screen=panel&kind=image&title=x",
        data={"image": (io.BytesIO(picture()), "x.png")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 200 and answer.mimetype == "image/png"
    drawn = Image.open(io.BytesIO(answer.data)).convert("RGB")
    assert drawn.getpixel((drawn.width // 2, drawn.height // 2)) == (0, 128, 255)
    broken = browser.post(
        "/notices/preview.png?screen=panel&kind=image&title=x",
        data={"image": (io.BytesIO(b"not an image"), "x.png")},
        content_type="multipart/form-data",
    )
    assert broken.status_code == 422
    assert db_session.scalar(sa.select(sa.func.count()).select_from(NoticeRevision)) == 0


def test_an_image_aimed_at_a_strip_needs_show_anyway(
    client, pages, person, make_screen, db_session, token_for
):
    make_screen(key="strip", width=128, height=32)
    author = person("author")
    browser = pages(author)
    answer = browser.post(
        "/notices/new",
        editor_form(
            screens=["strip"],
            kind="image",
            image=(io.BytesIO(picture()), "x.png"),
            then="submit",
        ),
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422 and "strip 128×32" in answer.get_data(as_text=True)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Notice)) == 0
    # Through the API: refused without the flag, taken with it, and the audit log says so.
    headers = token_for(author)
    media = client.post(
        "/api/v1/media",
        data={"file": (io.BytesIO(picture()), "x.png")},
        headers=headers,
        content_type="multipart/form-data",
    ).get_json()["sha256"]
    nid = client.post(
        "/api/v1/notices",
        json=editor_json(kind="image", media_sha256=media, screens=["strip"]),
        headers=headers,
    ).get_json()["id"]
    refused = client.post(f"/api/v1/notices/{nid}/submit", headers=headers)
    assert refused.status_code == 422
    assert refused.get_json()["error"]["field"] == "show_image_on_strips"
    taken = client.post(
        f"/api/v1/notices/{nid}/submit", json={"show_image_on_strips": True}, headers=headers
    )
    assert taken.status_code == 200, taken.get_data(as_text=True)
    entry = db_session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "notice.submit")
    ).one()
    assert "strip 128×32" in entry.details


def editor_json(**kw):
    now = dt.datetime.now(dt.UTC)
    return {
        "title": "示意图",
        "body": "",
        "category": "通知公告",
        "valid_from": now.isoformat(),
        "valid_until": (now + dt.timedelta(days=3)).isoformat(),
    } | kw
