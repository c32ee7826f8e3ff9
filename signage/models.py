"""Import every model so that ``Base.metadata`` is complete (Alembic, tests)."""

from signage.accounts.models import ApiToken, LoginThrottle, Role, User, UserRole, UserSession
from signage.audit.models import AuditEntry, ChainHead, Checkpoint
from signage.chains.models import PrecheckWord, ReviewChain
from signage.db import Base
from signage.delivery.models import ServedInputs, ServedPlaylist
from signage.displaylog.models import DisplayEvent, DisplayGap, PlayerHead, RefusedEvent
from signage.emergency.models import Blackout, OfficialAlert
from signage.health.models import PlaylistRefusal, ScreenOutage, Screenshot, ScreenStatus
from signage.keys.models import ControllerKey
from signage.media.models import Media
from signage.notices.models import Notice, NoticeRevision, ReviewStep
from signage.reports.models import (
    DailyPlay,
    DailyUptime,
    RollupMark,
    RollupProgress,
)
from signage.screens.epoch import PlaylistEpoch
from signage.screens.models import PlayerKey, Screen, ScreenGroup, ScreenReading
from signage.workdays.models import HolidayDay, HolidayYear

__all__ = [
    "ApiToken",
    "AuditEntry",
    "Base",
    "Blackout",
    "ChainHead",
    "Checkpoint",
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
    "OfficialAlert",
    "PlayerHead",
    "PlayerKey",
    "PlaylistEpoch",
    "PlaylistRefusal",
    "PrecheckWord",
    "RefusedEvent",
    "ReviewChain",
    "ReviewStep",
    "Role",
    "RollupMark",
    "RollupProgress",
    "Screen",
    "ScreenGroup",
    "ScreenOutage",
    "ScreenReading",
    "ScreenStatus",
    "Screenshot",
    "ServedInputs",
    "ServedPlaylist",
    "User",
    "UserRole",
    "UserSession",
]
