"""The Chinese catalog covers every text of the pages and every service error's message, with
the same parameters, and its compiled form is up to date."""

from __future__ import annotations

import ast
import io
import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[3]
CATALOG = ROOT / "signage" / "translations" / "zh_Hans_CN" / "LC_MESSAGES"
# The error classes, whose first argument is a message template (signage/errors.py); the
# Makefile's ERROR_KEYWORDS names the same.
ERRORS = {
    "ServiceError",
    "InvalidInput",
    "BadRequest",
    "Unauthenticated",
    "PermissionDenied",
    "NotFound",
    "Conflict",
    "PayloadTooLarge",
    "UnsupportedMediaType",
    "TooManyAttempts",
    "KeyProblem",
    "PreviewUnavailable",
    "Said",  # signage.messages: a reason or verdict the pages translate
    "WeeklySpecError",  # playlists.hours: what is wrong with opening hours or dayparts
}
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "N_": None} | dict.fromkeys(ERRORS)
PLACEHOLDER = re.compile(r"%\((\w+)\)s")
METHODS = [
    ("signage/**.py", "python"),
    ("playlists/hours.py", "python"),
    ("signage/templates/**.html", "jinja2"),
]


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


def test_the_makefile_extracts_the_same_error_classes():
    makefile = (ROOT / "Makefile").read_text()
    line = next(x for x in makefile.splitlines() if x.startswith("ERROR_KEYWORDS"))
    assert set(line.split(",")[1].split()) == ERRORS


def test_every_error_class_is_named_for_extraction():
    from signage import errors

    classes = set()
    for path in (ROOT / "signage").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any(
                isinstance(b, ast.Name) and (b.id in ERRORS or b.id == "ServiceError")
                for b in node.bases
            ):
                classes.add(node.name)
    # A subclass with its own __init__ (CalendarUnknown) marks its template with N_.
    assert classes - ERRORS <= {"CalendarUnknown"}, classes - ERRORS
    assert {c.__name__ for c in errors.ServiceError.__subclasses__()} <= ERRORS


# Errors whose message is not written where they are raised, and why that is safe.
COMPUTED = {
    # a template from a table of N_-marked ones
    ("signage/api/validation.py", "template"),
    # a posted warning's format errors: for the machine that sent it, in English
    ("signage/emergency/api.py", "str(exc)"),
}


def test_every_service_error_message_is_a_template_written_where_it_is_raised():
    """A message is a literal template with named values (no f-string, no text built before
    the call), so that extraction finds it and each language can put its values in."""
    found = []
    for path in [*(ROOT / "signage").rglob("*.py"), ROOT / "playlists" / "hours.py"]:
        where = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ERRORS - {"Said"}
                and node.args
                and not isinstance(node.args[0], ast.Constant)
                and (where, ast.unparse(node.args[0])) not in COMPUTED
            ):
                found.append(f"{where}:{node.lineno}")
    assert not found, found


def test_every_translation_keeps_its_parameters():
    wrong = [
        m.id
        for m in catalog()
        if m.id
        and m.string
        and isinstance(m.id, str)
        and sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string))
    ]
    assert not wrong, wrong
