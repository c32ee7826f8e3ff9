"""A takeover in the scheduling core: while its windows are open it is the only item with a
window; the others keep the time outside it and come back by themselves."""

from __future__ import annotations

import datetime as dt

from playlists import NoticeSpec, ScreenSpec, compile_playlist

NOW = dt.datetime(2026, 12, 4, 2, 0, tzinfo=dt.UTC)
H = dt.timedelta(hours=1)
SCREEN = ScreenSpec(key="hall", width=128, height=32, color="full", timezone="Asia/Shanghai")


def notice(nid, start, end, *, takeover=False, priority="normal"):
    return NoticeSpec(
        notice_id=nid,
        revision=1,
        content_sha256="0" * 64,
        kind="text",
        category="通知公告",
        priority=priority,
        duration_s=10,
        title=f"通知{nid}",
        body="",
        valid_from=start,
        valid_until=end,
        screens=frozenset({"hall"}),
        takeover=takeover,
    )


def test_a_takeover_plays_alone_and_the_others_come_back():
    everyday = notice(1, NOW - H, NOW + 24 * H)
    short = notice(2, NOW + H, NOW + 2 * H)  # wholly inside the takeover
    storm = notice(3, NOW, NOW + 3 * H, takeover=True, priority="urgent")
    playlist = compile_playlist(SCREEN, [everyday, short, storm], NOW, dt.timedelta(hours=24))
    by_id = {i.notice_id: i for i in playlist.items}
    assert set(by_id) == {1, 3}  # the short one has no time left
    assert by_id[3].windows == ((NOW, NOW + 3 * H),)
    assert by_id[1].windows == ((NOW + 3 * H, NOW + 24 * H),)  # back when the takeover ends
    without = compile_playlist(SCREEN, [everyday, short], NOW, dt.timedelta(hours=24))
    assert {i.notice_id for i in without.items} == {1, 2}
