"""Import every model so that ``Base.metadata`` is complete (Alembic, tests)."""

from signage.accounts.models import ApiToken, LoginThrottle, Role, User, UserRole, UserSession
from signage.audit.models import AuditEntry, ChainHead
from signage.db import Base
from signage.displaylog.models import DisplayEvent, DisplayGap
from signage.health.models import PlaylistRefusal, ScreenOutage, Screenshot, ScreenStatus
from signage.keys.models import ControllerKey
from signage.media.models import Media
from signage.notices.models import Notice, NoticeRevision
from signage.reports.models import (
    DailyPlay,
    DailyUptime,
    HolidayDay,
    HolidayYear,
    RollupMark,
    RollupProgress,
)
from signage.screens.epoch import PlaylistEpoch
from signage.screens.models import Screen, ScreenGroup

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Base",
    "ChainHead",
    "ControllerKey",
    "DailyPlay",
    "DailyUptime",
    "DisplayEvent",
    "DisplayGap",
    "HolidayDay",
    "HolidayYear",
    "LoginThrottle",
    "Media",
    "Notice",
    "NoticeRevision",
    "PlaylistEpoch",
    "PlaylistRefusal",
    "Role",
    "RollupMark",
    "RollupProgress",
    "Screen",
    "ScreenGroup",
    "ScreenOutage",
    "ScreenStatus",
    "Screenshot",
    "User",
    "UserRole",
    "UserSession",
]
