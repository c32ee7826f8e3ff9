"""A notice revision's content hash: what a reviewer approved, and what a player checks.

The hash (``content_sha256``) is the SHA-256 of the canonical JSON of every field in
:data:`CONTENT_FIELDS`, as JSON takes them: times in UTC with ``Z``, target lists sorted. The
fields of :data:`OPTIONAL_FIELDS` are hashed only when set, so a field added later leaves the
hash of every revision without it as it was. The
controller takes it when a revision is written and records it with the approval; each playlist
item carries its title and body, and in :class:`Approval` every other field the hash covers, so a
player can take the hash again (:func:`check_item`) and refuse an item whose text is not the
approved text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from playlists.canonical import canonical_json, sha256_hex

# Every field the content hash covers.
CONTENT_FIELDS = (
    "title",
    "body",
    "category",
    "kind",
    "media_sha256",
    "priority",
    "duration_s",
    "valid_from",
    "valid_until",
    "dayparts",
    "screens",
    "groups",
    "required_working_days",
    "level",
)
# Hashed only when set (not None): added after revisions were first hashed.
OPTIONAL_FIELDS = frozenset({"level"})
# A warning's level (预警级别) by its national colour; a notice with one is drawn in it.
LEVELS = ("blue", "yellow", "orange", "red")


class _Media(Protocol):
    @property
    def sha256(self) -> str: ...


class _Item(Protocol):
    """What :func:`check_item` reads of a playlist item (:class:`playlists.document.Item`)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def body(self) -> str: ...
    @property
    def category(self) -> str: ...
    @property
    def kind(self) -> Any: ...
    @property
    def priority(self) -> Any: ...
    @property
    def content_sha256(self) -> str: ...
    @property
    def media(self) -> _Media | None: ...
    @property
    def approval(self) -> Approval | None: ...


class ContentError(ValueError):
    """An item whose content is not what was approved; the message says what differs."""


@dataclass(frozen=True, slots=True)
class Approval:
    """The approved revision's fields other than its title and body, as its hash took them."""

    category: str
    kind: str
    media_sha256: str | None
    priority: str
    duration_s: int
    valid_from: str
    valid_until: str
    dayparts: str | None
    screens: tuple[str, ...]
    groups: tuple[str, ...]
    required_working_days: int | None
    # The warning level (one of LEVELS) the notice is drawn in, or None.
    level: str | None = None

    @classmethod
    def of(cls, fields: Mapping[str, Any]) -> Approval:
        """From a revision's plain fields (every name of :data:`CONTENT_FIELDS`)."""
        return cls(
            category=fields["category"],
            kind=fields["kind"],
            media_sha256=fields["media_sha256"],
            priority=fields["priority"],
            duration_s=fields["duration_s"],
            valid_from=fields["valid_from"],
            valid_until=fields["valid_until"],
            dayparts=fields["dayparts"],
            screens=tuple(fields["screens"]),
            groups=tuple(fields["groups"]),
            required_working_days=fields["required_working_days"],
            level=fields.get("level"),
        )

    def to_dict(self) -> dict[str, Any]:
        """The JSON form; an optional field that is not set is left out, as the hash leaves
        it out."""
        out = dataclasses.asdict(self)
        out["screens"], out["groups"] = list(self.screens), list(self.groups)
        return {k: v for k, v in out.items() if not (k in OPTIONAL_FIELDS and v is None)}


def content_sha256(fields: Mapping[str, Any]) -> str:
    """The content hash of a revision's plain fields: exactly :data:`CONTENT_FIELDS` (those of
    :data:`OPTIONAL_FIELDS` may be missing, and are left out when ``None``)."""
    hashed = {k: v for k, v in fields.items() if not (k in OPTIONAL_FIELDS and v is None)}
    required = set(CONTENT_FIELDS) - OPTIONAL_FIELDS
    if not required <= set(hashed) <= set(CONTENT_FIELDS):
        missing = sorted(required - set(hashed))
        extra = sorted(set(hashed) - set(CONTENT_FIELDS))
        raise ValueError(
            f"the content hash covers {CONTENT_FIELDS}; missing {missing}, extra {extra}"
        )
    if hashed.get("level") is not None and hashed["level"] not in LEVELS:
        raise ValueError(f"level must be one of {LEVELS}")
    return sha256_hex(canonical_json(hashed))


def check_item(item: _Item) -> None:
    """Raise :class:`ContentError` unless ``item`` shows exactly what was approved: its title,
    body and approval hash to its ``content_sha256``, and what it shows (category, kind,
    priority, image) is the approval's."""
    approval = item.approval
    if approval is None:
        raise ContentError(f"item {item.id} carries no approval to check its content against")
    fields = {"title": item.title, "body": item.body, **approval.to_dict()}
    if content_sha256(fields) != item.content_sha256:
        raise ContentError(f"item {item.id}: its content does not hash to its content_sha256")
    media = item.media.sha256 if item.media is not None else None
    shown = (item.category, str(item.kind), str(item.priority), media)
    approved = (approval.category, approval.kind, approval.priority, approval.media_sha256)
    if shown != approved:
        raise ContentError(f"item {item.id}: what it shows is not what was approved")
