"""Every page, as each role sees it with the sample data, checked by axe-core in Debian's
Chromium: no violation of any rule axe runs by default (WCAG 2.x A and AA, and best practices
such as one landmark of a kind per page). Also at a phone's width (390 px), where the
navigation must still be usable."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from signage.notices.models import Notice
from tests.conftest import need
from tests.e2e.test_browser import CHROMIUM, PASSWORD, SCREENSHOTS
from tests.e2e.test_player_system import System

# The pages each person works in (keys from `signage demo`, whose author of the sample notices
# is zhang.min; {notice} is its first notice).
PAGES = {
    "web.admin": [
        "/",
        "/notices",
        "/notices/{notice}",
        "/review",
        "/review-chains",
        "/screens",
        "/screens/zwzx-hall-1",
        "/screens/zwzx-hall-1/edit",
        "/screens/new",
        "/groups",
        "/display-log",
        "/reports",
        "/reports/annual",
        "/reports/uptime",
        "/reports/notices/{notice}/compliance",
        "/holidays/2027",
        "/users",
        "/audit",
        "/account",
    ],
    "zhang.min": ["/notices/new", "/notices/{notice}/edit", "/notices/{notice}/revisions/1/form"],
    "web.duty": ["/"],
}


# Pages kept as pictures (beside the browser test's): at the desk, and the dashboard on a phone.
PICTURES = {
    (1366, "/review"): "review-queue.png",
    (1366, "/screens/zwzx-hall-1"): "screen-page.png",
    (1366, "/"): "dashboard-sample-data.png",
    (390, "/"): "dashboard-phone.png",
}

# The outermost elements that reach past the window's right edge, to say what to fix.
WIDER_THAN_THE_WINDOW = """() => {
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    const parent = e.parentElement.getBoundingClientRect();
    if (r.right > window.innerWidth + 0.5 && parent.right <= window.innerWidth + 0.5)
      out.push(e.tagName.toLowerCase() + (e.className ? '.' + e.className : '') + ' ' +
               Math.round(r.right));
  }
  return out.slice(0, 5);
}"""


@pytest.fixture
def site(app, database_url, tmp_path) -> Iterator[str]:
    running = System(database_url, tmp_path)
    signage = running.signage
    signage("init")
    signage("demo")
    for role in ("admin", "duty"):
        signage("user", "add", f"web.{role}", "--role", role, "--password-stdin", stdin=PASSWORD)
    signage("user", "passwd", "zhang.min", "--password-stdin", stdin=PASSWORD)
    running.start_server()
    yield running.base
    running.close()


@pytest.fixture
def first_notice(site, db_session) -> int:
    """The id of the sample data's first notice (on PostgreSQL the ids go on from earlier
    tests: a sequence is not reset when its table is emptied)."""
    return int(db_session.scalar(sa.select(sa.func.min(Notice.id))))


@pytest.fixture
def axe() -> object:
    need(shutil.which(CHROMIUM) is not None, "Debian's chromium (apt-get install chromium)")
    pytest.importorskip("playwright.sync_api")
    module = pytest.importorskip("axe_playwright_python.sync_playwright")
    return module.Axe()


def signed_in(browser, site: str, user: str, width: int = 1366):
    """A new browser context at ``width`` px, in zh-CN, signed in as ``user``; and its page."""
    context = browser.new_context(
        viewport={"width": width, "height": 800}, locale="zh-CN", timezone_id="Asia/Shanghai"
    )
    page = context.new_page()
    page.goto(f"{site}/login")
    page.fill('input[name="username"]', user)
    page.fill('input[name="password"]', PASSWORD)
    page.click('button[type="submit"].primary')
    page.wait_for_url(f"{site}/")
    return context, page


def violations(axe, page) -> list[str]:
    found = axe.run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in found
    ]


@pytest.mark.parametrize("width", [1366, 390])
def test_axe_finds_no_violation_on_any_page(site, first_notice, axe, width):
    from playwright.sync_api import sync_playwright

    problems = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        for user, paths in PAGES.items():
            context, page = signed_in(browser, site, user, width)
            for path in (p.format(notice=first_notice) for p in paths):
                answer = page.goto(f"{site}{path}")
                assert answer is not None and answer.status == 200, (user, path)
                problems += [f"{path} ({user}, {width} px): {v}" for v in violations(axe, page)]
                if (width, path) in PICTURES and user == "web.admin":
                    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                    picture = SCREENSHOTS / PICTURES[width, path]
                    page.screenshot(path=str(picture), full_page=True)
                if width < 500:
                    # Nothing sticks out sideways but what scrolls on purpose (wide tables).
                    overflow = page.evaluate(
                        "() => document.documentElement.scrollWidth - window.innerWidth"
                    )
                    if overflow > 0:
                        wide = page.evaluate(WIDER_THAN_THE_WINDOW)
                        problems.append(
                            f"{path} ({user}): {overflow} px wider than the phone: {wide}"
                        )
            context.close()
        browser.close()
    assert not problems, "\n".join(problems)


# Three English words in a row: a sentence the catalog does not translate. (Single words are
# data: keys, user names, codes.) Proper names the pages may show are allowed.
ENGLISH = re.compile(r"(?<![\w-])[A-Za-z][a-z]+(?:[ '’]+[A-Za-z][a-z]+){2,}(?![\w-])")
# Names the pages show as they are: fonts, and the commands of this software.
PROPER_NAMES = ("WenQuanYi Zen Hei", "Zen Hei Sharp", "Noto Sans CJK", "signage verify-logs")
# Error states, as each person meets them.
ERRORS = {
    "zhang.min": [("/users", 403), ("/notices/99999", 404), ("/reports/annual?year=1999", 422)],
    "web.admin": [("/display-log?notice=abc", 422), ("/screens/no-such-screen", 404)],
}


def english_on(text: str) -> list[str]:
    for name in PROPER_NAMES:
        text = text.replace(name, "")
    return ENGLISH.findall(text)


def test_no_english_on_any_chinese_page_or_error(site, first_notice):
    from playwright.sync_api import sync_playwright

    need(shutil.which(CHROMIUM) is not None, "Debian's chromium (apt-get install chromium)")
    found = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        for user in PAGES:
            context, page = signed_in(browser, site, user)
            visits = [(p.format(notice=first_notice), 200) for p in PAGES[user]]
            visits += ERRORS.get(user, [])
            for path, status in visits:
                answer = page.goto(f"{site}{path}")
                assert answer is not None and answer.status == status, (user, path)
                text = read_text(page)
                found += [f"{path} ({user}): {phrase!r}" for phrase in english_on(text)]
            context.close()
        browser.close()
    assert not found, "\n".join(found)


def read_text(page) -> str:
    """What a person reads: the text, and the words in buttons, options and titles."""
    return page.inner_text("body") + " ".join(
        page.eval_on_selector_all(
            "[title], [placeholder], [aria-label], option, input[type=submit]",
            "els => els.map(e => [e.title, e.placeholder, e.ariaLabel,"
            " e.textContent].filter(Boolean).join(' '))",
        )
    )


def test_no_english_in_a_refused_form(site):
    """A form sent back with its refusal (the sign-in page, a wrong password, opening hours a
    parser cannot read) is all Chinese too, the parser's own words included."""
    from playwright.sync_api import sync_playwright

    need(shutil.which(CHROMIUM) is not None, "Debian's chromium (apt-get install chromium)")
    found = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        stranger = browser.new_context(locale="zh-CN").new_page()
        stranger.goto(f"{site}/login")
        found += [f"/login: {p!r}" for p in english_on(read_text(stranger))]
        stranger.fill('input[name="username"]', "zhang.min")
        stranger.fill('input[name="password"]', "not the password")
        stranger.click('button[type="submit"].primary')
        assert "用户名或密码错误" in read_text(stranger)
        found += [f"/login refused: {p!r}" for p in english_on(read_text(stranger))]
        _, page = signed_in(browser, site, "web.admin")
        page.goto(f"{site}/screens/zwzx-hall-1/edit")
        page.fill('input[name="hours"]', "周一至周五")
        page.click('form button[type="submit"].primary')
        refused = read_text(page)
        assert "不是时间段" in refused, refused[:500]
        found += [f"screen edit refused: {p!r}" for p in english_on(refused)]
        browser.close()
    assert not found, "\n".join(found)


def test_the_weekly_times_picker_writes_the_spec(site):
    """Ticking weekdays and a time range and pressing 添加 writes the stored form, which stays
    editable; the form then saves it."""
    from playwright.sync_api import sync_playwright

    need(shutil.which(CHROMIUM) is not None, "Debian's chromium (apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
        )
        _, page = signed_in(browser, site, "web.admin")
        page.goto(f"{site}/screens/zwzx-hall-1/edit")
        page.fill('input[name="hours"]', "")
        picker = page.locator("fieldset.hours-picker")
        boxes = picker.locator('input[type="checkbox"]')
        for day in (1, 2, 3, 4):  # Monday to Friday are ticked: keep Monday–Wednesday, Friday
            boxes.nth(day - 1).set_checked(day != 4)
        picker.locator('input[type="time"]').nth(0).fill("08:30")
        picker.locator('input[type="time"]').nth(1).fill("17:30")
        picker.get_by_role("button", name="添加").click()
        assert page.input_value('input[name="hours"]') == "1-3 08:30-17:30,5 08:30-17:30"
        boxes.nth(4).set_checked(False)
        boxes.nth(5).set_checked(True)
        picker.locator('input[type="time"]').nth(0).fill("09:00")
        picker.locator('input[type="time"]').nth(1).fill("12:00")
        picker.get_by_role("button", name="添加").click()
        spec = "1-3 08:30-17:30,5 08:30-17:30,1-3 09:00-12:00,6 09:00-12:00"
        assert page.input_value('input[name="hours"]') == spec
        browser.close()
