"""The pre-check on submit: find what a reviewer must look at twice, without deciding anything.

It flags, in a notice's title and body:

* ``id_number``: an 18-digit resident identity number whose check digit is right (GB 11643:
  weights 2^(17-i) mod 11 over the first 17 digits, the remainder mapped onto ``10X98765432``);
* ``bank_card``: 16 to 19 digits, optionally in groups of four, that pass the Luhn check;
* ``mobile``: an 11-digit mainland mobile number (1, then 3–9, then nine digits);
* ``secrecy_marking``: 绝密, 机密, 秘密, 内部, and a classification with its period after a
  star (秘密★6个月, 机密★10年);
* ``word``: a word from the deployment's own list.

A digit run is classified once, as the first of those it is (so a valid identity number is not
also flagged as a card). The flags go on the revision; the stage that carries the
confidentiality review confirms each with a note.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

KINDS = ("id_number", "bank_card", "mobile", "secrecy_marking", "word")

# A run of digits (an identity number may end in X), not inside a longer run of digits.
_DIGITS = re.compile(
    r"(?<![0-9])(?:"
    r"\d{6}[ -]\d{8}[ -]\d{3}[0-9Xx]"  # an identity number written 6-8-4
    r"|\d{4}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?"  # a card in groups of four
    r"|(?:\+?86[ -]?)?1[3-9]\d[ -]\d{4}[ -]\d{4}"  # a mobile number written 3-4-4
    r"|\+86[ -]?1[3-9]\d{9}"  # a mobile number with the country code
    r"|\d{11,19}[Xx]?"  # a run of digits
    r")(?![0-9])",
    re.ASCII,
)
# Full-width digits and X (１３８…, common in Chinese text) read as their ASCII selves: one
# character for one, so the flags' places stay those of the text as written.
_HALF_WIDTH = str.maketrans(
    {**{chr(0xFF10 + d): str(d) for d in range(10)}, "\uff38": "X", "\uff58": "x", "\uff0b": "+"}
)
_MOBILE = re.compile(r"1[3-9]\d{9}")
_MARKING_PERIOD = re.compile(
    r"(?:绝密|机密|秘密)\s*★\s*(?:\d+|[一二三四五六七八九十]+)\s*(?:年|个月|月)"
)
_MARKINGS = ("绝密", "机密", "秘密", "内部")


@dataclass(frozen=True)
class Flag:
    """One thing found: what kind, the text matched, and where (``field``, ``start``, ``end``)."""

    kind: str
    text: str
    field: str
    start: int
    end: int

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> Flag:
        return cls(**{k: value[k] for k in ("kind", "text", "field", "start", "end")})


def id_number_valid(text: str) -> bool:
    """Whether ``text`` is 17 digits and the right check digit (digit or X)."""
    if len(text) != 18 or not text[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(text[:17], ID_WEIGHTS, strict=True))
    return ID_CHECK[total % 11] == text[17].upper()


def luhn_valid(digits: str) -> bool:
    """Whether the digit string passes the Luhn check (ISO/IEC 7812)."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _digit_kind(run: str) -> str | None:
    plain = re.sub(r"[ -]", "", run)
    if plain.startswith("+86") or (len(plain) == 13 and plain.startswith("86")):
        plain = plain.removeprefix("+").removeprefix("86")  # the country code of a mobile
    if len(plain) == 18 and id_number_valid(plain):
        return "id_number"
    if 16 <= len(plain) <= 19 and luhn_valid(plain):
        return "bank_card"
    if len(plain) == 11 and _MOBILE.fullmatch(plain):
        return "mobile"
    return None


def _in_text(text: str, field: str, words: Sequence[str]) -> Iterable[Flag]:
    taken: list[tuple[int, int]] = []
    shown = text  # flags carry the text as written; matching reads full-width digits too
    text = text.translate(_HALF_WIDTH)

    def free(start: int, end: int) -> bool:
        return all(end <= a or start >= b for a, b in taken)

    for m in _DIGITS.finditer(text):
        kind = _digit_kind(m.group())
        if kind is not None:
            taken.append(m.span())
            yield Flag(kind, shown[m.start() : m.end()], field, *m.span())
    for m in _MARKING_PERIOD.finditer(text):
        taken.append(m.span())
        yield Flag("secrecy_marking", shown[m.start() : m.end()], field, *m.span())
    # The deployment's own words before the bare markings: 机密文件 on its list is flagged
    # as itself, not as the 机密 inside it.
    for word in sorted(words, key=len, reverse=True):
        for m in re.finditer(re.escape(word), text):
            if free(*m.span()):
                taken.append(m.span())
                yield Flag("word", word, field, *m.span())
    for marking in _MARKINGS:
        for m in re.finditer(re.escape(marking), text):
            if free(*m.span()):
                taken.append(m.span())
                yield Flag("secrecy_marking", marking, field, *m.span())


def find_flags(title: str, body: str, words: Sequence[str] = ()) -> list[Flag]:
    """Every flag in ``title`` and ``body``, in the order they appear (title first)."""
    flags = [*_in_text(title, "title", words), *_in_text(body, "body", words)]
    return sorted(flags, key=lambda f: (f.field != "title", f.start))


@dataclass(frozen=True)
class Segment:
    """A piece of text, and the index of the flag it is (None: plain text)."""

    text: str
    flag: int | None


def segments(text: str, field: str, flags: Sequence[Flag]) -> list[Segment]:
    """``text`` cut into plain pieces and flagged pieces (for highlighting on the review page)."""
    out: list[Segment] = []
    at = 0
    mine = sorted(
        ((i, f) for i, f in enumerate(flags) if f.field == field), key=lambda p: p[1].start
    )
    for index, flag in mine:
        if flag.start < at or flag.end > len(text) or text[flag.start : flag.end] != flag.text:
            continue  # a flag that no longer fits the text is not drawn
        if flag.start > at:
            out.append(Segment(text[at : flag.start], None))
        out.append(Segment(flag.text, index))
        at = flag.end
    if at < len(text):
        out.append(Segment(text[at:], None))
    return out
