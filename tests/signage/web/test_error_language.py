"""A service's refusal on a page is in the page's language, its values put in."""

from __future__ import annotations

from signage.notices.models import Notice
from tests.signage.web.test_pages import count, editor_form


def test_a_refusal_with_values_is_in_chinese_on_a_chinese_page(
    pages, person, make_screen, db_session
):
    make_screen(key="hall", width=192, height=32)
    browser = pages(person("author"))
    refused = browser.post("/notices/new", editor_form(screens=["hall"], category="没有这个栏目"))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and count(db_session, Notice) == 0
    assert "未知的栏目 &#39;没有这个栏目&#39;" in page and "unknown category" not in page
    missing = browser.get("/notices/99999")
    assert missing.status_code == 404
    text = missing.get_data(as_text=True)
    assert "99999" in text and "no notice" not in text


def test_the_same_refusal_in_english_on_an_english_page(pages, person, make_screen):
    make_screen(key="hall", width=192, height=32)
    browser = pages(person("author"))
    browser.post("/language", {"lang": "en", "next": "/"})
    refused = browser.post("/notices/new", editor_form(screens=["hall"], category="没有这个栏目"))
    assert "unknown category &#39;没有这个栏目&#39;" in refused.get_data(as_text=True)


def test_a_parser_s_own_words_are_translated_inside_the_refusal(
    pages, person, make_screen, db_session
):
    """What the weekly-spec parser found wrong is put into the page's message in Chinese too."""
    make_screen(key="hall", width=192, height=32)
    browser = pages(person("author"))
    refused = browser.post("/notices/new", editor_form(screens=["hall"], dayparts="周一至周五"))
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and count(db_session, Notice) == 0
    # The field by the label the form gives it, the parser's words in Chinese.
    assert "播放时段：&#39;周一至周五&#39; 不是时间段，应写成 08:00-18:00 的形式" in page
    assert "is not a time range" not in page and "dayparts：" not in page
