"""``signage verify-logs``: everything the proof of play rests on, checked in one streaming pass.

1. Checkpoints, from the database and (``--checkpoints DIR``) from exported files: each signature
   holds with a controller key, each names the one before it, and a checkpoint in the folder is
   in the database unchanged (a missing or altered one is named).
2. The audit chain and each screen's chains (:mod:`signage.evidence.chains`), link by link, and
   that each still holds everything every checkpoint says it held.
3. Every display event's category is its revision's; the daily roll-ups equal a recount of the
   raw log (:mod:`signage.reports.recount`); the lost-event gaps are the holes in the chains.
4. Every approved revision still hashes to its approval (:mod:`signage.notices.integrity`), and
   the served-playlist store is as the newest checkpoint found it.

Each problem names the first broken record of its chain; nothing is loaded whole into memory.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from playlists import sha256_hex
from playlists.signing import PublicKey, SignatureError, follow
from signage.audit.chain import GENESIS, ChainBreak
from signage.audit.models import AuditEntry
from signage.audit.services import verify_audit_log
from signage.displaylog.models import DisplayEvent
from signage.evidence.chains import Claims, controller_chain, player_chain
from signage.evidence.checkpoints import (
    SignedCheckpoint,
    directory_keys,
    read_directory,
    served_digest,
    stored_checkpoints,
)
from signage.keys.services import key_chain
from signage.notices import integrity
from signage.notices.integrity import approvals_intact
from signage.notices.models import NoticeRevision
from signage.notices.queries import live_revisions
from signage.reports.recount import recount_rollups
from signage.screens.models import Screen

Say = Callable[[str], None]


@dataclass
class Verdict:
    """What ``verify-logs`` found: lines that passed, and problems (each names a record)."""

    passed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @property
    def whole(self) -> bool:
        return not self.problems


@dataclass
class _Stated:
    audit: dict[int, tuple[str, str]] = field(default_factory=dict)
    display: dict[str, dict[int, tuple[str, str]]] = field(
        default_factory=lambda: defaultdict(dict)
    )
    player: dict[str, dict[int, tuple[str, str]]] = field(default_factory=lambda: defaultdict(dict))
    claims: dict[str, Claims] = field(default_factory=lambda: defaultdict(Claims))
    newest: SignedCheckpoint | None = None


def _keys(session: Session, directory: Path | None) -> dict[str, PublicKey]:
    """The controller keys that may have signed checkpoints: the database's key chain (checked:
    every key reached from the first through signed rotations) and those kept beside exports."""
    keys: dict[str, PublicKey] = {}
    rows, rotations = key_chain(session)
    if rows:
        # Only the first key and those it reaches through signed rotations, one by one: a key
        # merely written into the table vouches for nothing.
        current = PublicKey.from_text(rows[0].public_key, rows[0].key_id)
        keys[current.key_id] = current
        for rotation in rotations:
            try:
                current = follow(current, [rotation])
            except SignatureError:
                break
            keys[current.key_id] = current
    if directory is not None:
        keys.update({k.key_id: k for k in directory_keys(directory)})
    return keys


def _checkpoints(session: Session, directory: Path | None, verdict: Verdict) -> _Stated:
    keys = _keys(session, directory)
    stored = list(stored_checkpoints(session))
    sources = [("database", stored)]
    if directory is not None:
        found, problems = read_directory(directory)
        verdict.problems.extend(f"checkpoints: {p}" for p in problems)
        sources.append((str(directory), found))
        in_db = {c.number: c for c in stored}
        for c in found:
            mine = in_db.get(c.number)
            if mine is None:
                verdict.problems.append(
                    f"checkpoint {c.number} ({c.source}) is no longer in the database (deleted)"
                )
            elif mine.body != c.body:
                verdict.problems.append(
                    f"checkpoint {c.number} in the database differs from {c.source} (altered)"
                )
    stated = _Stated()
    good = 0
    for name, checkpoints in sources:
        previous, number = GENESIS, 0
        for c in sorted(checkpoints, key=lambda c: c.number):
            label = f"checkpoint {c.number} ({c.source})"
            if c.number != number + 1:
                verdict.problems.append(
                    f"checkpoint {number + 1}: BROKEN: it is missing from {name} (deleted)"
                )
            number = c.number
            try:
                c.verify(keys)
                content = c.content
            except (SignatureError, ValueError) as exc:
                verdict.problems.append(f"{label}: BROKEN: the signature does not hold ({exc})")
                continue
            if content.get("previous") != previous and (c.number == 1 or previous != GENESIS):
                verdict.problems.append(
                    f"{label}: BROKEN: it does not follow the checkpoint before it in {name} "
                    "(one was removed or replaced)"
                )
            previous = sha256_hex(c.body)
            good += 1
            _learn(stated, content, label)
            if stated.newest is None or c.number >= stated.newest.number:
                stated.newest = c
    if good:
        verdict.passed.append(f"checkpoints: {good} signatures hold")
    return stated


def _learn(stated: _Stated, content: dict[str, Any], label: str) -> None:
    audit = content.get("audit") or {}
    if audit.get("seq"):
        stated.audit[int(audit["seq"])] = (str(audit["hash"]), label)
    for screen in content.get("screens") or []:
        key = str(screen.get("key"))
        display = screen.get("display") or {}
        if display.get("seq"):
            stated.display[key][int(display["seq"])] = (str(display["hash"]), label)
        player = screen.get("player") or {}
        if player.get("seq"):
            stated.player[key][int(player["seq"])] = (str(player["hash"]), label)
        claims = stated.claims[key]
        unsigned = screen.get("unsigned")
        if unsigned is not None:
            claims.unsigned = (int(unsigned["count"]), int(unsigned["last_seq"]), label)
        if "gaps" in screen:
            upto = int(player.get("seq") or 0)
            gaps = frozenset((int(a), int(b)) for a, b in screen["gaps"])
            claims.gaps.append((frozenset(g for g in gaps if g[0] <= upto), upto, label))


def _chain_line(where: str, found: ChainBreak) -> str:
    return f"{where}: BROKEN at record {found.seq}: {found.reason}"


def verify_everything(
    session: Session,
    *,
    now: dt.datetime,
    timezone: str,
    checkpoints: Path | None = None,
    say: Say | None = None,
) -> Verdict:
    """Run every check (see the module); ``say`` is told of progress on a large log."""
    verdict = Verdict()
    stated = _checkpoints(session, checkpoints, verdict)
    found = verify_audit_log(session, checkpoints=stated.audit)
    if found is not None:
        verdict.problems.append(_chain_line("audit log", found))
    else:
        count = session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
        verdict.passed.append(f"audit log: {count} records, chain intact")
    screens = dict(session.execute(sa.select(Screen.key, Screen.id).order_by(Screen.key)).all())
    for key in sorted(set(stated.display) | set(stated.player) - set(screens)):
        if key not in screens:
            verdict.problems.append(f"screen {key}: in a checkpoint, but no longer registered")
    events = 0
    for key, screen_id in screens.items():

        def progress(n: int, key: str = key) -> None:
            if say is not None:
                say(f"display log of screen {key}: {n:,} records checked")

        broken = controller_chain(session, screen_id, stated.display.get(key, {}), progress)
        if broken is not None:
            verdict.problems.append(_chain_line(f"display log of screen {key}", broken))
        broken = player_chain(
            session, screen_id, stated.player.get(key, {}), progress, stated.claims.get(key)
        )
        if broken is not None:
            verdict.problems.append(_chain_line(f"screen's own chain of screen {key}", broken))
        session.expunge_all()
    events = session.scalar(sa.select(sa.func.count()).select_from(DisplayEvent)) or 0
    if not any("screen" in p for p in verdict.problems):
        verdict.passed.append(f"display logs: {events} events, every screen's chains intact")
    _categories(session, verdict)
    _rollups(session, timezone, verdict, say)
    problems = approvals_intact(session)
    verdict.problems.extend(f"approved revisions: {p}" for p in problems)
    if not problems:
        verdict.passed.append("approved revisions: every one still hashes to its approval")
    live = live_revisions(session, now)
    _, withheld = integrity.check(session, live)
    verdict.problems.extend(
        f"notice {w.revision.notice_id} revision {w.revision.number}: WITHHELD from every "
        f"playlist: {w.reason}"
        for w in withheld
    )
    if not withheld:
        verdict.passed.append(f"live revisions: {len(live)}, each as it was approved")
    _served(session, stated, verdict)
    return verdict


def _categories(session: Session, verdict: Verdict) -> None:
    wrong = session.execute(
        sa.select(DisplayEvent.id, DisplayEvent.screen_id, DisplayEvent.chain_seq)
        .join(
            NoticeRevision,
            sa.and_(
                NoticeRevision.notice_id == DisplayEvent.notice_id,
                NoticeRevision.number == DisplayEvent.revision,
            ),
        )
        .where(DisplayEvent.category != NoticeRevision.category)
        .order_by(DisplayEvent.id)
        .limit(1)
    ).first()
    if wrong is not None:
        key = session.scalar(sa.select(Screen.key).where(Screen.id == wrong.screen_id))
        verdict.problems.append(
            f"display log of screen {key}: BROKEN at record {wrong.chain_seq}: its category "
            "is not its revision's (edited)"
        )


def _rollups(session: Session, timezone: str, verdict: Verdict, say: Say | None) -> None:
    def progress(days: int) -> None:
        if say is not None and days % 30 == 0:
            say(f"roll-ups: {days} days recounted")

    mismatches = recount_rollups(session, timezone, progress=progress)
    first = next(iter(mismatches), None)
    if first is not None:
        verdict.problems.append(f"daily roll-ups: BROKEN: {first.describe()}")
    else:
        verdict.passed.append("daily roll-ups: equal to a recount of the display log")


def _served(session: Session, stated: _Stated, verdict: Verdict) -> None:
    if stated.newest is None:
        return
    content = stated.newest.content
    made_at = dt.datetime.fromisoformat(str(content.get("made_at")))
    digest = (content.get("digests") or {}).get("served_playlists")
    if digest is not None and served_digest(session, made_at) != digest:
        verdict.problems.append(
            f"served playlists: BROKEN: what was served by checkpoint {stated.newest.number} "
            "has changed since (rows added, deleted or edited)"
        )
