"""The holidays and the compliance evidence as JSON-ready dicts and as CSV text (the API, the
pages and the command line share these; the yearly counts and uptime are in
:mod:`signage.reports.figures_export`).

Times are UTC with ``Z``; days are local dates (``YYYY-MM-DD``) in the report's time zone.
Durations are whole seconds.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from signage.audit.checkpoints import CheckpointCover
from signage.csvfiles import to_csv
from signage.reports.calendar import YearCalendar
from signage.reports.compliance import Approval, ComplianceReport
from signage.reports.evidence import ChainPoint, ScreenEvidence
from signage.reports.gaps import Gap
from signage.reports.schemas import CalendarReply, CheckpointReply, ComplianceReply
from signage.times import isoformat_z


def _z(value: dt.datetime | None) -> str | None:
    return isoformat_z(value) if value is not None else None


# --- holidays ---------------------------------------------------------------------------------


def calendar_json(calendar: YearCalendar) -> CalendarReply:
    return {
        "year": calendar.year,
        "source": calendar.source,
        "reference": calendar.reference,
        "entered_by": calendar.entered_by,
        "entered_at": _z(calendar.entered_at),
        "holidays": [{"date": d.isoformat(), "name": n} for d, n in calendar.holidays.items()],
        "workdays": [{"date": d.isoformat(), "name": n} for d, n in calendar.workdays.items()],
    }


# --- compliance -------------------------------------------------------------------------------


def _point(point: ChainPoint | None) -> dict[str, Any] | None:
    if point is None:
        return None
    out: dict[str, Any] = {"seq": point.seq, "hash": point.hash}
    if point.at is not None:
        out["at"] = isoformat_z(point.at)
    if point.what:
        out["what"] = point.what
    return out


def _gap_json(gap: Gap) -> dict[str, Any]:
    return {
        "from": isoformat_z(gap.start),
        "to": isoformat_z(gap.end),
        "seconds": gap.seconds,
        "cause": gap.cause,
        "causes": dict(gap.causes),
        "against_s": gap.against_s,
        "counts_against": gap.counts_against,
    }


def _approval_json(a: Approval) -> dict[str, Any]:
    return {
        "revision": a.revision,
        "content_sha256": a.content_sha256,
        "reviewed_by": a.reviewed_by,
        "reviewed_by_name": a.reviewed_by_name,
        "reviewed_at": isoformat_z(a.reviewed_at),
        "confidentiality_reviewed": a.confidentiality_reviewed,
        "note": a.note,
        "required_working_days": a.required_working_days,
        "valid_from": isoformat_z(a.valid_from),
        "valid_until": isoformat_z(a.valid_until),
        "live_from": isoformat_z(a.live_from),
        "live_until": _z(a.live_until),
        "stages": [dataclasses.asdict(d) | {"at": isoformat_z(d.at)} for d in a.stages],
    }


def _screen_json(s: ScreenEvidence) -> dict[str, Any]:
    return {
        "screen": s.screen,
        "name": s.screen_name,
        "timezone": s.timezone,
        "period": {"from": isoformat_z(s.period_start), "to": _z(s.period_end)},
        "examined_until": isoformat_z(s.examined_until),
        "reported_until": _z(s.reported_until),
        "verdict": s.verdict,
        "reasons": list(s.reasons),
        "expected_plays": s.expected_plays,
        "expected_note": s.expected_note,
        "plays": s.plays,
        "interrupted": s.interrupted,
        "errors": s.errors,
        "first_display": _z(s.first_display),
        "last_display": _z(s.last_display),
        "gaps": [_gap_json(g) for g in s.gaps],
        "chain": {
            "first_event": _point(s.first_event),
            "last_event": _point(s.last_event),
            "head": _point(s.chain_head),
            "checkpoint": _cover(s.checkpoint),
        },
    }


def _cover(c: CheckpointCover | None) -> CheckpointReply | None:
    if c is None:
        return None
    return {
        "number": c.number,
        "made_at": isoformat_z(c.made_at),
        "sha256": c.sha256,
        "controller_key": c.controller_key,
        "controller_public_key": c.controller_public_key,
        "display_seq": c.display_seq,
        "player_seq": c.player_seq,
        "player_key": c.player_key,
        "player_public_key": c.player_public_key,
    }


def compliance_json(r: ComplianceReport) -> ComplianceReply:
    return {
        "notice_id": r.notice_id,
        "title": r.title,
        "category": r.category,
        "status": r.status,
        "closed_at": _z(r.closed_at),
        "close_reason": r.close_reason,
        "required_working_days": r.required_working_days,
        "basis": r.basis,
        "start": isoformat_z(r.start),
        "gap_threshold_s": r.gap_threshold_s,
        "verdict": r.verdict,
        "reasons": list(r.reasons),
        "approvals": [_approval_json(a) for a in r.approvals],
        "screens": [_screen_json(s) for s in r.screens],
        "audit": {"entries": [_point(p) for p in r.audit], "head": _point(r.audit_head)},
        "generated_at": isoformat_z(r.generated_at),
    }


COMPLIANCE_COLUMNS = (
    "record",
    "screen",
    "from",
    "to",
    "seconds",
    "verdict",
    "expected_plays",
    "plays",
    "interrupted",
    "errors",
    "cause",
    "counts_against",
    "seq",
    "hash",
    "detail",
)


def compliance_csv(r: ComplianceReport) -> str:
    """One row per record: the notice, each approval and audit entry, and per screen its
    summary, gaps and chain points (column ``record`` says which)."""
    rows: list[dict[str, Any]] = [
        {
            "record": "notice",
            "from": isoformat_z(r.start),
            "verdict": r.verdict,
            "detail": f"notice {r.notice_id} {r.title} [{r.category}] {r.status}; "
            + "; ".join(r.reasons),
        }
    ]
    for a in r.approvals:
        rows.append(
            {
                "record": "approval",
                "from": isoformat_z(a.live_from),
                "to": _z(a.live_until),
                "hash": a.content_sha256,
                "detail": f"revision {a.revision} approved by {a.reviewed_by} at "
                f"{isoformat_z(a.reviewed_at)}; confidentiality_reviewed="
                f"{str(a.confidentiality_reviewed).lower()}; note: {a.note}"
                + "".join(
                    f"; stage {d.stage}: {d.decision} by {d.by} at {isoformat_z(d.at)}"
                    for d in a.stages
                ),
            }
        )
    for p in r.audit:
        rows.append(
            {"record": "audit", "from": _z(p.at), "seq": p.seq, "hash": p.hash, "detail": p.what}
        )
    if r.audit_head is not None:
        rows.append({"record": "audit_head", "seq": r.audit_head.seq, "hash": r.audit_head.hash})
    for s in r.screens:
        rows.append(
            {
                "record": "screen",
                "screen": s.screen,
                "from": isoformat_z(s.period_start),
                "to": _z(s.period_end),
                "seconds": round((s.examined_until - s.period_start).total_seconds()),
                "verdict": s.verdict,
                "expected_plays": s.expected_plays,
                "plays": s.plays,
                "interrupted": s.interrupted,
                "errors": s.errors,
                "detail": "; ".join(s.reasons)
                + f"; first display {_z(s.first_display) or 'none'}, "
                f"last {_z(s.last_display) or 'none'}",
            }
        )
        for g in s.gaps:
            rows.append(
                {
                    "record": "gap",
                    "screen": s.screen,
                    "from": isoformat_z(g.start),
                    "to": isoformat_z(g.end),
                    "seconds": g.seconds,
                    "cause": g.cause,
                    "counts_against": str(g.counts_against).lower(),
                    "detail": ", ".join(f"{c} {secs} s" for c, secs in g.causes),
                }
            )
        for name, point in (
            ("first_event", s.first_event),
            ("last_event", s.last_event),
            ("chain_head", s.chain_head),
        ):
            if point is not None:
                rows.append(
                    {
                        "record": name,
                        "screen": s.screen,
                        "from": _z(point.at),
                        "seq": point.seq,
                        "hash": point.hash,
                    }
                )
        if s.checkpoint is not None:
            c = s.checkpoint
            rows.append(
                {
                    "record": "checkpoint",
                    "screen": s.screen,
                    "from": isoformat_z(c.made_at),
                    "seq": c.number,
                    "hash": c.sha256,
                    "detail": f"controller key {c.controller_key} {c.controller_public_key}; "
                    f"player key {c.player_key} {c.player_public_key}; covers display record "
                    f"{c.display_seq}, player-signed event {c.player_seq}",
                }
            )
    return to_csv(COMPLIANCE_COLUMNS, ([row.get(c) for c in COMPLIANCE_COLUMNS] for row in rows))
