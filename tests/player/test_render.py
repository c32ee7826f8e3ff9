"""The renderer, checked on pixels: sizes, colours, line breaking, fitting, nothing clipped."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io

import pytest
from PIL import Image, ImageDraw

from player.layout import measure
from player.render import PALETTES, ScreenProfile, render
from player.text import ink, text_width, wrap
from playlists import MediaRef, Reading, compile_playlist
from tests.playlists.builders import notice, screen

CLOSING = set("，。、；：？！）》」』】")
OPENING = set("（《「『【")
BODY = (
    "自12月1日起，县政务服务中心冬季办公时间调整为：周一至周五上午8:30—12:00，"
    "下午14:00—17:30；周六上午9:00—12:00办理社保、医保查询业务。请办事群众合理安排时间。"
)
SIZES = [(128, 16), (192, 32), (384, 128)]
MODES = ["mono", "red-green", "full"]


def item(**kw):
    n = notice(
        1, title=kw.pop("title", "关于调整冬季办公时间的通知"), body=kw.pop("body", BODY), **kw
    )
    return compile_playlist(screen(), [n], dt.datetime(2026, 11, 26, 2, tzinfo=dt.UTC)).items[0]


def colours(image: Image.Image) -> set[tuple[int, int, int]]:
    return {c for _, c in image.getcolors(maxcolors=1 << 16)}


def lit(image: Image.Image) -> int:
    histogram = image.convert("L").histogram()
    return sum(histogram[1:])


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("mode", MODES)
def test_frames_have_the_exact_size_and_show_text(fonts, size, mode):
    rendering = render(item(), ScreenProfile(*size, mode), fonts)
    assert rendering.missing == ()
    frames = list(rendering.frames[:: max(1, len(rendering.frames) // 5)])
    for frame in frames:
        assert frame.image.size == size and frame.image.mode == "RGB"
    assert any(lit(f.image) > 20 for f in frames)
    total = sum(f.duration_ms for f in rendering.frames)
    assert total == rendering.duration_ms >= 15_000
    assert total == measure(item(), ScreenProfile(*size, mode), fonts, Reading()).duration_ms


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_colour_modes_use_only_their_colours(fonts, size):
    allowed = {
        "mono": {(0, 0, 0), (255, 0, 0)},
        "red-green": {(0, 0, 0), (255, 0, 0), (0, 255, 0), (255, 255, 0)},
    }
    for mode, palette in allowed.items():
        rendering = render(item(), ScreenProfile(*size, mode), fonts)
        for frame in list(rendering.frames)[:3]:
            assert colours(frame.image) <= palette, mode  # no anti-aliasing shades either


def test_full_colour_panels_anti_alias_large_text(fonts):
    rendering = render(item(), ScreenProfile(384, 128, "full"), fonts)
    assert rendering.font_size > 16
    assert len(colours(rendering.frames[0].image)) > 4


@pytest.mark.parametrize("size", [(128, 16), (192, 32)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_strips_scroll_in_whole_pixels_and_clip_nothing_vertically(fonts, size):
    rendering = render(item(body="通知"), ScreenProfile(*size, "mono"), fonts)
    frames = rendering.frames
    first, second = frames[0].image, frames[1].image
    assert first.size == size
    # The text enters from the right, one pixel per step.
    later = [frames[i].image for i in range(size[0], size[0] + 3)]
    assert (
        later[0].crop((1, 0, size[0], size[1])).tobytes()
        == later[1].crop((0, 0, size[0] - 1, size[1])).tobytes()
    )
    assert first.tobytes() == second.tobytes() == Image.new("RGB", size).tobytes()
    # Drawing the same text on a taller canvas lights no more pixels: nothing was cut off.
    canvas = frames.canvas  # type: ignore[attr-defined]
    font_size = rendering.font_size
    assert font_size is not None
    tall = Image.new("L", (canvas.width, size[1] * 3), 0)
    draw = ImageDraw.Draw(tall)
    draw.fontmode = "1"
    from player.text import draw_text as _draw

    top, bottom = ink(fonts, font_size)
    _draw(
        draw,
        (size[0], size[1] + (size[1] - (bottom - top)) // 2),
        "【通知公告】关于调整冬季办公时间的通知　通知",
        fonts,
        font_size,
    )
    assert lit(canvas) == lit(tall)


def test_a_strip_never_cuts_its_text_short(fonts):
    long = render(item(body=BODY * 3, duration_s=5), ScreenProfile(192, 32, "mono"), fonts)
    frames = long.frames
    # Every offset of the text passes: the last frame shows the end of the text leaving.
    assert len(frames) * frames.layout.step_px >= frames.layout.travel  # type: ignore[attr-defined]
    assert long.duration_ms > 5_000


def test_panels_page_long_text_at_the_largest_size_that_fits(fonts):
    short = render(item(body="请合理安排时间。"), ScreenProfile(384, 128, "full"), fonts)
    long = render(item(body=BODY * 4, duration_s=30), ScreenProfile(384, 128, "full"), fonts)
    assert short.pages == 1 and long.pages > 1
    assert short.font_size > long.font_size
    assert sum(f.duration_ms for f in long.frames) >= 30_000
    assert all(f.duration_ms >= Reading().page_s * 1000 for f in long.frames)


def test_panel_text_stays_inside_the_frame(fonts):
    profile = ScreenProfile(384, 128, "mono")
    rendering = render(item(), profile, fonts)
    for frame in rendering.frames:
        box = frame.image.convert("L").getbbox()
        assert box is not None
        assert box[2] <= profile.width and box[3] <= profile.height


@pytest.mark.parametrize(
    "text",
    [
        BODY,
        "经县委常委会研究，拟提任以下同志为县管干部，现予公示。公示期为5个工作日。",
        "请登录（www.example.gov.cn）查询《政府信息公开条例》「第十条」规定！真的吗？是的：好。",
        "一二三四五六七八九十，一二三四五六七八九十。一二三四五六七八九十、一二三（四五六）",
    ],
)
@pytest.mark.parametrize("width", [40, 64, 100, 150])
def test_chinese_line_breaking_rules(fonts, text, width):
    lines = wrap(text, width, fonts, 12)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for index, line in enumerate(lines):
        assert text_width(line, fonts, 12) <= width or len(line) == 1
        if index > 0:
            assert line[0] not in CLOSING, (line, lines)
        if index < len(lines) - 1:
            assert line[-1] not in OPENING, (line, lines)


def test_missing_characters_are_reported(fonts):
    rendering = render(item(body="通知😀"), ScreenProfile(192, 32, "full"), fonts)
    assert rendering.missing == ("😀",)


def png(size, colour):
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def test_images_are_letterboxed_not_stretched(fonts):
    media = MediaRef(sha256="a" * 64, mime="image/png", bytes=1, url="/m")
    picture = item(kind="image", media=media)
    frame = (
        render(picture, ScreenProfile(192, 32, "full"), fonts, image=png((100, 50), (0, 0, 255)))
        .frames[0]
        .image
    )
    assert frame.size == (192, 32)
    box = Image.eval(frame.convert("L"), lambda v: 255 if v else 0).getbbox()
    assert box == (64, 0, 128, 32)  # 2:1 kept: 64×32, centred
    mono = (
        render(
            picture, ScreenProfile(192, 32, "mono"), fonts, image=png((100, 50), (255, 255, 255))
        )
        .frames[0]
        .image
    )
    assert colours(mono) <= {(0, 0, 0), (255, 0, 0)}


def test_render_is_deterministic(fonts):
    a = render(item(), ScreenProfile(384, 128, "full"), fonts)
    b = render(item(), ScreenProfile(384, 128, "full"), fonts)
    assert [f.image.tobytes() for f in a.frames] == [f.image.tobytes() for f in b.frames]
    assert PALETTES["full"].title != PALETTES["full"].body


def with_level(level):
    """An urgent item whose approval carries a warning level (as its content hash covers it)."""
    from playlists.content import Approval

    base = item(priority="urgent")
    approval = Approval(
        category=base.category,
        kind="text",
        media_sha256=None,
        priority="urgent",
        duration_s=15,
        valid_from="2026-11-01T00:00:00Z",
        valid_until="2026-12-31T00:00:00Z",
        dayparts=None,
        screens=("hall",),
        groups=(),
        required_working_days=None,
        level=level,
    )
    return dataclasses.replace(base, approval=approval)


@pytest.mark.parametrize(
    ("mode", "level", "band", "title"),
    [
        ("full", "orange", (255, 128, 0), (255, 128, 0)),
        ("full", "blue", (60, 140, 255), (60, 140, 255)),
        ("red-green", "blue", (0, 0, 0), (0, 255, 0)),
        ("red-green", "red", (0, 0, 0), (255, 0, 0)),
        ("mono", "red", (0, 0, 0), (255, 0, 0)),
    ],
)
def test_a_warning_is_drawn_in_its_level_s_colour(fonts, mode, level, band, title):
    frame = render(with_level(level), ScreenProfile(384, 128, mode), fonts).frames[0].image
    assert frame.getpixel((383, 1)) == band  # the header band's right end, past its words
    assert title in colours(frame)
    plain = render(with_level(None), ScreenProfile(384, 128, mode), fonts).frames[0].image
    if mode == "full":
        assert plain.getpixel((383, 1)) == PALETTES["full"].header_band
        assert title not in colours(plain)


def test_a_yellow_band_gets_black_words(fonts):
    frame = render(with_level("yellow"), ScreenProfile(384, 128, "full"), fonts).frames[0].image
    band = frame.crop((0, 0, 384, 14))
    assert {(255, 220, 0), (0, 0, 0)} <= colours(band) and (255, 255, 255) not in colours(band)


def test_a_strip_s_title_takes_the_level_s_colour(fonts):
    rendering = render(with_level("red"), ScreenProfile(128, 16, "full"), fonts)
    seen = set().union(*(colours(f.image) for f in rendering.frames[::20]))
    assert (255, 32, 32) in seen
