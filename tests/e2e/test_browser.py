"""The pages in a real browser: Debian's Chromium driven by Playwright, against a real
``signage serve`` and a real ``signage-player``.

An author writes a notice with the preview in view and submits it; a reviewer approves it from
the queue; the screen's page names it as playing now; a player shows it and reports its
displays; a supervisor finds them in the display log, downloads the CSV and opens the notice's
compliance evidence. Screenshots of the
pages are written to ``SIGNAGE_SCREENSHOTS`` (default ``var/screenshots`` in the checkout).
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from signage.displaylog.models import DisplayEvent
from tests.conftest import need
from tests.e2e.test_player_system import System, wait_for

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "browser test password"
SCREENSHOTS = Path(
    os.environ.get("SIGNAGE_SCREENSHOTS")
    or Path(__file__).resolve().parents[2] / "var" / "screenshots"
)
TITLE = "关于2027年元旦放假安排的通知"


@pytest.fixture
def system(app, database_url, tmp_path) -> Iterator[System]:
    running = System(database_url, tmp_path)
    yield running
    running.close()


@pytest.fixture
def browser() -> Iterator[object]:
    need(shutil.which(CHROMIUM) is not None, "Debian's chromium (apt-get install chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        yield launched
        launched.close()


def sign_in(browser, base: str, username: str):
    context = browser.new_context(
        viewport={"width": 1366, "height": 768},
        locale="zh-CN",
        timezone_id="Asia/Shanghai",
        accept_downloads=True,
    )
    page = context.new_page()
    page.goto(f"{base}/login")
    page.fill('input[name="username"]', username)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"].primary')
    page.wait_for_url(f"{base}/")
    return page


def test_a_notice_from_the_editor_to_the_display_log(system, browser, db_session):
    signage = system.signage
    signage("init")
    for role in ("author", "reviewer", "supervisor", "admin"):
        signage("user", "add", f"web.{role}", "--role", role, "--password-stdin", stdin=PASSWORD)
    token = signage.last_line(
        "screen", "add", "hall", "--name", "一楼大厅", "--size", "192x32", "--scroll-cpm", "255"
    )
    token_file = system.tmp / "hall.token"
    token_file.write_text(token)
    system.start_server()
    base = system.base
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # The author writes the notice; the preview appears for the chosen screen as they type.
    author = sign_in(browser, base, "web.author")
    author.goto(f"{base}/notices/new")
    author.fill('input[name="title"]', TITLE)
    author.fill(
        'textarea[name="body"]',
        "根据国务院办公厅通知，2027年1月1日（星期五）放假，共1天。请各单位做好值班安排。",
    )
    author.fill('input[name="duration_s"]', "3")
    author.fill('input[name="required_working_days"]', "8")
    author.check('input[name="screens"][value="hall"]')
    preview = author.locator('#previews figure[data-screen="hall"] img')
    preview.wait_for()
    author.wait_for_function(
        "() => { const i = document.querySelector('#previews figure[data-screen=\"hall\"] img');"
        " return i && i.complete && i.naturalWidth > 0 && i.src.includes('title='); }"
    )
    natural = preview.evaluate("i => [i.naturalWidth, i.naturalHeight]")
    shown = preview.evaluate("i => [+i.getAttribute('width'), +i.getAttribute('height')]")
    assert natural == [192, 32]  # the screen's own pixels...
    assert shown == [192 * 4, 32 * 4]  # ...each drawn 4×4 (smaller if the pane is narrower)
    # How long it takes on the screen and how often it comes round, as the author types.
    timing = author.locator('#previews figure[data-screen="hall"] ul.timing li').first
    timing.wait_for()
    assert "需时" in timing.inner_text()
    author.screenshot(path=str(SCREENSHOTS / "notice-editor.png"), full_page=True)
    # A week, the editor's default window, never holds 8 working days (it has 7 days): the
    # submission is refused with the end the window must reach, and the editor offers it.
    author.click('button[name="then"][value="submit"]')
    author.locator("#set-until").wait_for()
    assert "公示" in author.locator("#form-error").inner_text()
    author.click("#set-until")
    author.click('button[name="then"][value="submit"]')
    author.wait_for_url(re.compile(rf"{re.escape(base)}/notices/\d+$"))
    assert "待审核" in author.locator("h1").inner_text()

    # The reviewer approves it from the queue after the confidentiality review.
    reviewer = sign_in(browser, base, "web.reviewer")
    reviewer.goto(f"{base}/review")
    card = reviewer.locator("article.review", has_text=TITLE)
    card.locator('input[name="confidentiality_reviewed"]').check()
    card.locator("button.primary").click()
    reviewer.wait_for_url(re.compile(rf"{re.escape(base)}/review\?done=approved"))
    assert "现已上屏" in reviewer.locator("p[role=status]").inner_text()
    assert reviewer.locator("article.review", has_text=TITLE).count() == 0

    # The screen's page says it is playing now.
    reviewer.goto(f"{base}/screens/hall")
    assert TITLE in reviewer.locator("#now-showing").inner_text()

    # A real player shows it and reports what it showed.
    system.start_player(token_file)

    def reported() -> int:
        db_session.expire_all()
        return db_session.scalar(sa.select(sa.func.count()).select_from(DisplayEvent)) or 0

    wait_for(lambda: reported() >= 2, 60, "the player's display events")
    system.stop_player()

    # The supervisor finds them in the display log and downloads exactly those rows.
    supervisor = sign_in(browser, base, "web.supervisor")
    supervisor.screenshot(path=str(SCREENSHOTS / "dashboard.png"), full_page=True)
    supervisor.goto(f"{base}/display-log")
    supervisor.select_option('select[name="screen"]', "hall")
    supervisor.click('form.filters button[type="submit"]')
    rows = supervisor.locator("#events tbody tr")
    stored = reported()
    assert rows.count() == stored
    # The screen by its name and the notice by its title (the CSV keeps keys and hashes).
    assert "一楼大厅" in rows.first.inner_text() and TITLE in rows.first.inner_text()
    with supervisor.expect_download() as download:
        supervisor.click("#csv-download")
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    ids = [row["id"] for row in csv.DictReader(io.StringIO(text))]
    db_session.expire_all()
    expected = db_session.scalars(
        sa.select(DisplayEvent.event_id).order_by(DisplayEvent.started_at, DisplayEvent.id)
    ).all()
    assert ids == list(expected)
    supervisor.screenshot(path=str(SCREENSHOTS / "display-log.png"), full_page=True)

    # ... and opens the compliance evidence of the notice from the reports page.
    supervisor.goto(f"{base}/reports")
    supervisor.locator("tr", has_text=TITLE).get_by_role("link").click()
    supervisor.wait_for_url(f"{base}/reports/notices/*/compliance")
    evidence = supervisor.locator("#screen-hall")
    assert evidence.locator(".plays").inner_text() == str(
        db_session.scalar(
            sa.select(sa.func.count())
            .select_from(DisplayEvent)
            .where(DisplayEvent.outcome == "shown")
        )
    )
    last = db_session.scalars(
        sa.select(DisplayEvent.hash).order_by(DisplayEvent.chain_seq.desc()).limit(1)
    ).one()
    assert last in evidence.inner_text()  # the chain hash that makes it verifiable
    supervisor.screenshot(path=str(SCREENSHOTS / "compliance-report.png"), full_page=True)

    # The language switch: the same page in English, and back.
    supervisor.click('header button[value="en"]')
    supervisor.wait_for_load_state()
    assert "Public-notice (公示) compliance evidence" in supervisor.locator("h1").inner_text()
    assert supervisor.locator("nav.main").inner_text().startswith("Dashboard")
    supervisor.click('header button[value="zh_Hans_CN"]')
    supervisor.wait_for_load_state()
    assert supervisor.locator("nav.main").inner_text().startswith("总览")
