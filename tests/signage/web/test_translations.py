"""The Chinese catalog covers every text of the pages, and its compiled form is up to date."""

from __future__ import annotations

import io
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
CATALOG = ROOT / "signage" / "translations" / "zh_Hans_CN" / "LC_MESSAGES"
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "N_": None}
METHODS = [("signage/**.py", "python"), ("signage/templates/**.html", "jinja2")]


def source_messages() -> set[str]:
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, METHODS, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def catalog():
    with (CATALOG / "messages.po").open("rb") as po:
        return read_po(po)


def test_every_page_text_has_a_chinese_translation():
    translated = {m.id for m in catalog() if m.id and m.string}
    missing = sorted(source_messages() - translated)
    assert not missing, f"run `make translations` and translate: {missing}"


def test_the_compiled_catalog_matches_its_source():
    source = catalog()
    compiled = read_mo(io.BytesIO((CATALOG / "messages.mo").read_bytes()))
    expected = {m.id: m.string for m in source if m.id and m.string and not m.fuzzy}
    actual = {m.id: m.string for m in compiled if m.id}
    assert actual == expected, "run `make translations` to compile the catalog"
