"""三审 in a real browser: an admin sets a three-stage chain on 人事任免 on its page; an author
submits an appointment notice; three different reviewers pass it in turn from their queues,
while a screen's playlist is checked at each step; an edit sends it back to 初审 while the
approved revision stays on the screen; the review form (信息发布审核表) is read back from the
page and printed to PDF by Chromium. Screenshots go where the browser test puts them."""

from __future__ import annotations

import re

import requests

from tests.e2e.test_browser import PASSWORD, SCREENSHOTS, browser, sign_in, system  # noqa: F401

TITLE = "关于王某同志拟任职务的公示"
REVIEWERS = ("wang.fang", "zhao.lei", "chen.jing")


def playlist_notices(base: str, token: str) -> set[int]:
    answer = requests.get(
        f"{base}/api/v1/player/playlist", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    answer.raise_for_status()
    return {item["notice_id"] for item in answer.json()["items"]}


def approve_from_queue(
    page, base: str, *, confidentiality: bool = False, screenshot: str | None = None
) -> None:
    page.goto(f"{base}/review")
    card = page.locator("article.review", has_text=TITLE)
    if screenshot:
        page.screenshot(path=str(SCREENSHOTS / screenshot), full_page=True)
    if confidentiality:
        card.locator('input[name="confidentiality_reviewed"]').check()
    card.locator("form.approve button.primary").click()
    page.wait_for_url(re.compile(r".*/review\?done="))


def test_three_reviewers_pass_it_and_the_form_reads_back(system, browser):  # noqa: F811
    signage = system.signage
    signage("init")
    signage("user", "add", "admin.wu", "--role", "admin", "--password-stdin", stdin=PASSWORD)
    signage("user", "add", "zhang.min", "--role", "author", "--password-stdin", stdin=PASSWORD)
    for name in REVIEWERS:
        signage("user", "add", name, "--role", "reviewer", "--password-stdin", stdin=PASSWORD)
    token = signage.last_line("screen", "add", "hall", "--name", "一楼大厅", "--size", "192x32")
    system.start_server()
    base = system.base
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # The admin sets 初审 → 复审 → 终审 (with 保密审查) on 人事任免.
    admin = sign_in(browser, base, "admin.wu")
    admin.goto(f"{base}/review-chains")
    admin.select_option('select[name="category"]', "人事任免")
    for i, name in enumerate(("初审", "复审", "终审")):
        admin.fill(f'input[name="stage{i}_name"]', name)
        admin.select_option(f'select[name="stage{i}_role"]', "reviewer")
    admin.check('input[name="stage2_confidentiality"]')
    admin.click("text=保存审核流程")
    admin.wait_for_url(re.compile(r".*/review-chains\?saved="))
    assert "人事任免 的审核流程已保存" in admin.locator("p[role=status]").inner_text()
    admin.screenshot(path=str(SCREENSHOTS / "review-chains.png"), full_page=True)

    # The author writes and submits the notice.
    author = sign_in(browser, base, "zhang.min")
    author.goto(f"{base}/notices/new")
    author.fill('input[name="title"]', TITLE)
    author.fill(
        'textarea[name="body"]', "经研究，拟任命王某同志为县政务服务中心主任。公示期5个工作日。"
    )
    author.select_option('select[name="category"]', "人事任免")
    author.check('input[name="screens"][value="hall"]')
    author.click('button[name="then"][value="submit"]')
    author.wait_for_url(re.compile(rf"{re.escape(base)}/notices/\d+$"))
    notice_id = int(author.url.rsplit("/", 1)[1])

    first, second, third = (sign_in(browser, base, name) for name in REVIEWERS)
    approve_from_queue(first, base)
    assert "等待下一环节审核" in first.locator("p[role=status]").inner_text()
    assert notice_id not in playlist_notices(base, token)  # still submitted, on no screen
    # The same reviewer cannot decide 复审: it is no longer in his queue.
    first.goto(f"{base}/review")
    assert first.locator("article.review", has_text=TITLE).count() == 0

    approve_from_queue(second, base, screenshot="review-queue-stage.png")
    assert notice_id not in playlist_notices(base, token)
    approve_from_queue(third, base, confidentiality=True)
    assert "现已上屏" in third.locator("p[role=status]").inner_text()
    assert notice_id in playlist_notices(base, token)

    # The review form, read back from the page, and printed to PDF.
    author.goto(f"{base}/notices/{notice_id}/revisions/1/form")
    form = author.locator("#review-form")
    text = form.inner_text()
    assert "信息发布审核表" in text and TITLE in text
    rows = form.locator("table.form-table").nth(2).locator("tbody tr")
    assert rows.count() == 3
    for row, stage in zip(rows.all(), ("初审", "复审", "终审"), strict=True):
        assert stage in row.inner_text() and "通过" in row.inner_text()
    author.screenshot(path=str(SCREENSHOTS / "review-form.png"), full_page=True)
    pdf = author.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    (SCREENSHOTS / "review-form.pdf").write_bytes(pdf)

    # An edit goes back to 初审; revision 1 stays on the screen meanwhile.
    author.goto(f"{base}/notices/{notice_id}/edit")
    author.fill('input[name="title"]', TITLE + "（更正）")
    author.click('button[name="then"][value="save"]')
    author.wait_for_url(re.compile(rf"{re.escape(base)}/notices/{notice_id}$"))
    assert "初审" in author.locator("ol.chain-progress li.current").inner_text()
    assert notice_id in playlist_notices(base, token)
    first.goto(f"{base}/review")
    assert first.locator("article.review", has_text=TITLE).count() == 1
