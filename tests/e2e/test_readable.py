"""A real player on a 128×16 strip shows a 114-character notice in full, and says so truly.

The controller (``signage serve``) and the player (``signage-player run``) run as processes. The
player scrolls the whole text at the screen's configured speed; the display log stores the play
as ``shown`` with a duration at least the text's travel at that speed, beside the item's time on
the screen; and the preview the author saw has the frames the player drew.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re

import requests
import sqlalchemy as sa
from PIL import Image, ImageChops

from player.errors import FontNotFound
from player.fonts import find_fonts
from player.layout import strip_layout
from player.render import ScreenProfile, render
from playlists import Item, Reading
from signage.displaylog.models import DisplayEvent
from signage.notices.preview import Draft, preview_png
from signage.screens.models import Screen
from tests.conftest import need
from tests.e2e.test_player_system import system, wait_for  # noqa: F401 - the fixture

CPM = 255  # the configured speed of this strip (the fastest the rule allows: a shorter test)
TITLE = "关于调整政务服务时间的通知"
BODY = (
    "各位市民：为进一步优化政务服务，县政务服务中心自2026年12月1日起调整窗口服务时间，"
    "工作日上午9:00至12:00，下午13:30至17:30，周六上午照常办理不动产登记和社保业务。"
    "请合理安排办事时间，给您带来不便敬请谅解。特此通知。"
)[:114]


def test_a_strip_shows_a_long_notice_in_full_and_logs_it_truly(system, db_session):  # noqa: F811
    assert len(BODY) == 114
    try:
        fonts = find_fonts()
    except FontNotFound as exc:
        need(False, f"a CJK font (Debian fonts-wqy-zenhei): {exc}")
        raise
    s = system.signage
    author, reviewer = s.staff("author", "reviewer").values()
    token_file = system.tmp / "strip.token"
    token_file.write_text(
        s.last_line(
            "screen", "add", "strip", "--name", "窗口条屏", "--size", "128x16", "--color",
            "mono", "--scroll-cpm", str(CPM),
        )
    )  # fmt: skip
    system.start_server()
    now = dt.datetime.now(dt.UTC)
    nid = requests.post(
        f"{system.base}/api/v1/notices",
        headers=author,
        json={
            "title": TITLE,
            "body": BODY,
            "category": "通知公告",
            "screens": ["strip"],
            "valid_from": (now - dt.timedelta(minutes=5)).isoformat(),
            "valid_until": (now + dt.timedelta(hours=2)).isoformat(),
        },
    ).json()["id"]
    requests.post(f"{system.base}/api/v1/notices/{nid}/submit", headers=author)
    answer = requests.post(
        f"{system.base}/api/v1/notices/{nid}/approve",
        headers=reviewer,
        json={"confidentiality_reviewed": True, "revision": 1},
    )
    assert answer.status_code == 200, answer.text
    system.start_player(token_file, verbose=True)

    def stored() -> list[DisplayEvent]:
        db_session.expire_all()
        return list(db_session.scalars(sa.select(DisplayEvent).order_by(DisplayEvent.player_seq)))

    wait_for(lambda: any(e.outcome == "shown" for e in stored()), 120, "a whole display")
    system.stop_player()

    # What the text needs at the configured speed: its whole travel, right edge to left.
    screen = db_session.scalar(sa.select(Screen).where(Screen.key == "strip"))
    item = _item(nid)
    profile = ScreenProfile(128, 16, "mono")
    layout = strip_layout(item, profile, fonts, Reading(scroll_cpm=CPM))
    travel_ms = math.ceil(layout.travel * 60000 / (CPM * layout.size))
    assert travel_ms > 15_000  # far longer than the author's 15 s, which it used to be cut to
    shown = next(e for e in stored() if e.outcome == "shown")
    assert shown.duration_ms >= travel_ms and shown.play_ms == travel_ms

    # The player drew every frame of the scroll; the preview holds the same frames.
    log = (system.tmp / "player.log").read_text()
    drawn = re.search(rf"n{nid}\.r1: (\d+) of (\d+) frames in (\d+) ms, shown", log)
    assert drawn is not None, log[-2000:]
    frames, of = int(drawn.group(1)), int(drawn.group(2))
    assert frames == of == layout.frames_per_pass
    rendering = render(item, profile, fonts, reading=Reading(scroll_cpm=CPM))
    assert len(rendering.frames) == frames
    images = [f.image for f in rendering.frames]
    # The preview loops from the first frame with text at the left edge, so count changes
    # around the loop: the encoder merges a frame identical to the one before it.
    distinct = sum(
        ImageChops.difference(a, b).getbbox() is not None
        for a, b in zip(images, images[1:] + images[:1], strict=True)
    )
    draft = Draft(title=TITLE, body=BODY, category="通知公告")
    preview = Image.open(io.BytesIO(preview_png(screen, draft, fonts)))
    assert preview.n_frames == distinct
    total = 0
    for index in range(preview.n_frames):
        preview.seek(index)
        total += preview.info["duration"]
    assert total == travel_ms


def _item(nid: int) -> Item:
    return Item(
        id=f"n{nid}.r1",
        notice_id=nid,
        revision=1,
        content_sha256="0" * 64,
        kind="text",
        category="通知公告",
        priority="normal",
        weight=1,
        duration_s=15,
        title=TITLE,
        body=BODY,
        media=None,
        windows=(),
    )
