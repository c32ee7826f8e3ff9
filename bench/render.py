"""Benchmark: rendering cost per text item, and the player's memory after an hour of play.

    .venv/bin/python -m bench.render

Prints milliseconds per text item at 128×16, 192×32 and 384×128: cold (font and glyph caches
empty), warm (glyph caches filled, the item rendered again) and cached (the player's render cache
answers). Then plays an hour of a ten-item playlist on a 384×128 screen as fast as it can — the
same selection, render cache and frame output (PNG files) as the real player, without the
waiting — and prints the resident memory (target < 80 MB).
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from player.client import ControllerClient
from player.clock import ServerClock
from player.config import PlayerConfig
from player.fonts import find_fonts
from player.output import PngOutput
from player.render import ScreenProfile, render
from player.runner import Player
from player.spool import Spool
from player.store import Store
from player.text import clear_caches
from playlists import (
    ColorMode,
    NoticeSpec,
    Outcome,
    PlayerState,
    ScreenSpec,
    canonical_bytes,
    compile_playlist,
    select,
)
from playlists.events import display_start

BODY = (
    "自12月1日起，县政务服务中心冬季办公时间调整为：周一至周五上午8:30—12:00，"
    "下午14:00—17:30；周六上午9:00—12:00办理社保、医保查询业务。请办事群众合理安排时间。"
)
NOW = dt.datetime(2026, 11, 26, 2, tzinfo=dt.UTC)


def notice(n: int) -> NoticeSpec:
    return NoticeSpec(
        notice_id=n,
        revision=1,
        content_sha256=f"{n:064x}",
        kind="text",
        category="通知公告",
        priority="high" if n % 3 == 0 else "normal",
        duration_s=15,
        title=f"关于第{n}项服务调整的通知",
        body=BODY * (1 + n % 3),
        valid_from=NOW - dt.timedelta(days=1),
        valid_until=NOW + dt.timedelta(days=3),
        screens=frozenset({"hall"}),
    )


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def main() -> None:
    fonts = find_fonts()
    print(
        f"render benchmark: font {fonts.main.name} (pixel face "
        f"{fonts.pixel.name if fonts.pixel else 'none'})"
    )
    print(f"{'screen':<18} {'cold ms':>9} {'warm ms':>9} {'cached ms':>10}")
    for width, height, colour in ((128, 16, "mono"), (192, 32, "red-green"), (384, 128, "full")):
        spec = ScreenSpec(
            key="hall",
            width=width,
            height=height,
            color=ColorMode(colour),
            timezone="Asia/Shanghai",
        )
        items = compile_playlist(spec, [notice(n) for n in range(1, 11)], NOW).items
        profile = ScreenProfile(width, height, ColorMode(colour))
        cold = []
        for item in items:
            clear_caches()
            t0 = time.perf_counter()
            render(item, profile, fonts)
            cold.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        for item in items:
            render(item, profile, fonts)
        warm = (time.perf_counter() - t0) / len(items)
        cache = {}
        for item in items:
            cache[item.content_sha256] = render(item, profile, fonts)
        t0 = time.perf_counter()
        for _ in range(1000):
            for item in items:
                cache.get(item.content_sha256)
        cached = (time.perf_counter() - t0) / (1000 * len(items))
        print(
            f"{width}x{height} {colour:<9} {1000 * sum(cold) / len(cold):>9.1f} "
            f"{1000 * warm:>9.1f} {1000 * cached:>10.4f}"
        )

    # The hour of play runs in a fresh process, so its memory is the player's alone.
    subprocess.run([sys.executable, "-m", "bench.render", "--hour"], check=True)


def play_an_hour() -> None:
    """Play an hour on a 384×128 panel through the player's own pieces; print the memory."""
    fonts = find_fonts()
    tmp = Path(tempfile.mkdtemp())
    spec = ScreenSpec(key="hall", width=384, height=128, color="full", timezone="Asia/Shanghai")
    playlist = compile_playlist(spec, [notice(n) for n in range(1, 11)], NOW)
    store = Store(tmp / "cache")
    store.save(canonical_bytes(playlist), '"bench"', "", playlist)
    clock = ServerClock()
    config = PlayerConfig(controller="http://unused", token="x", output="png", cache_dir=tmp)
    output = PngOutput(tmp / "frames", min_interval_s=0.5)
    player = Player(
        config,
        client=ControllerClient("http://unused", "x", clock=clock),
        store=store,
        spool=Spool(tmp / "spool.sqlite3"),
        fonts=fonts,
        clock=clock,
        open_output=lambda w, h: output,
    )
    start_rss = rss_mb()
    at, end, state = NOW, NOW + dt.timedelta(hours=1), PlayerState()
    shown = frames = 0
    t0 = time.perf_counter()
    while at < end:
        selection, state = select(playlist, at, state)
        if selection.item is not None:
            rendering = player.rendering(selection.item, playlist)
            for index, frame in enumerate(rendering.frames):
                output.show(frame.image, label=selection.item.id if index == 0 else None)
                frames += 1
            player.spool.record(
                {
                    **display_start(selection.item, at, "bench"),
                    "duration_ms": selection.item.duration_s * 1000,
                    "outcome": Outcome.SHOWN,
                }
            )
            shown += 1
        at = selection.until
    elapsed = time.perf_counter() - t0
    end_rss = rss_mb()
    print(
        f"an hour of play on 384x128: {shown} items, {frames} frames in {elapsed:.1f} s; "
        f"resident memory {start_rss:.0f} MB before, {end_rss:.0f} MB after "
        f"(target < 80 MB: {'met' if end_rss < 80 else 'MISSED'})"
    )


if __name__ == "__main__":
    if "--hour" in sys.argv:
        play_an_hour()
    else:
        main()
