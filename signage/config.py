"""Settings: one mapping of defaults, overridden by ``SIGNAGE_*`` variables, then by the caller.

Every setting the controller reads is listed in :data:`DEFAULTS` with what it means; the README
repeats this list. Values from the environment are parsed as the type of their default.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

DEFAULT_CATEGORIES = (
    "要闻",
    "通知公告",
    "人事任免",
    "政府文件",
    "部门动态",
    "乡镇动态",
    "文教动态",
    "城乡建设",
    "工业园区",
    "移民动态",
    "预警信息",  # official warnings (signage.emergency.alerts)
)

DEFAULTS: dict[str, Any] = {
    # Folder for the SQLite database, the generated secret key and logs.
    "SIGNAGE_DATA_DIR": "./var",
    # SQLAlchemy URL; empty means SQLite at DATA_DIR/signage.db.
    # PostgreSQL: postgresql+psycopg://user@host:5432/dbname
    "SIGNAGE_DATABASE_URL": "",
    # The deployment's own time zone (reports, day boundaries); screens carry their own.
    "SIGNAGE_TIMEZONE": "Asia/Shanghai",
    # Signs sessions; empty means generated once into DATA_DIR/secret_key.
    "SIGNAGE_SECRET_KEY": "",
    # The controller's Ed25519 key that signs every playlist (PEM, 0600); empty means
    # DATA_DIR/signing-key.pem, made by `signage init`. Every controller process reads the same.
    "SIGNAGE_SIGNING_KEY_FILE": "",
    # The URL players reach the controller at, written into provisioning files
    # (`signage screen add --provision`; --controller-url overrides it).
    "SIGNAGE_PUBLIC_URL": "http://127.0.0.1:8080",
    # Notice categories offered to authors, comma-separated in the environment.
    "SIGNAGE_CATEGORIES": DEFAULT_CATEGORIES,
    # Largest accepted media upload in bytes, and largest image in pixels (decompression bombs).
    "SIGNAGE_MEDIA_MAX_BYTES": 20 * 1024 * 1024,
    "SIGNAGE_MEDIA_MAX_PIXELS": 40_000_000,
    # How often the scheduler inside ``signage serve`` closes expired notices and publishes held
    # ones whose time has come, in seconds.
    "SIGNAGE_EXPIRE_INTERVAL_S": 60,
    # How often the scheduler rolls up complete days of the display log and of uptime for the
    # reports, and counts late-arriving events into the days they belong to, in seconds.
    "SIGNAGE_ROLLUP_INTERVAL_S": 300,
    # How often the controller signs a checkpoint of every chain (signage.evidence), and how
    # often the scheduler looks whether one is due, in seconds.
    "SIGNAGE_CHECKPOINT_EVERY_S": 24 * 3600,
    "SIGNAGE_CHECKPOINT_CHECK_S": 600,
    # Round-robin weight of each priority in playlists ("high" plays twice as often as "normal").
    "SIGNAGE_PRIORITY_WEIGHTS": "normal=1,high=2,urgent=1",
    # Official warnings (CAP 1.2 or the national format): the deployment's GB/T 2260 area
    # codes, comma-separated (a code covers the areas below it; empty: every area); the
    # severities published at once (CAP's Extreme … Minor or the levels red … blue; the others
    # wait for the duty officer); the feeds polled, comma-separated URLs, and how often; the
    # category a warning's notice gets; how long one without an expiry stays up.
    "SIGNAGE_ALERT_AREAS": "",
    "SIGNAGE_ALERT_PUBLISH_SEVERITIES": "",
    "SIGNAGE_ALERT_FEEDS": "",
    "SIGNAGE_ALERT_POLL_S": 60,
    "SIGNAGE_ALERT_CATEGORY": "预警信息",
    "SIGNAGE_ALERT_HOURS": 24,
    # A PEM file of the X.509 certificates of the warnings' senders: when set, a warning is
    # taken only with a valid XML signature by one of them (empty: signatures not required).
    "SIGNAGE_ALERT_SIGNERS": "",
    # What a screen shows when nothing is scheduled: the clock, the date and SIGNAGE_FILLER_TEXT
    # (clock), that text alone (text), or black (off). Logged as filler, never as a notice.
    "SIGNAGE_FILLER": "clock",
    # How a takeover (整屏接管) is reviewed: one decision by anyone who may decide a stage of its
    # category's chain (any-stage), or the whole chain (chain).
    "SIGNAGE_TAKEOVER_REVIEW": "any-stage",
    "SIGNAGE_FILLER_TEXT": "",
    # How often each controller process looks whether any playlist changed, in seconds: the
    # longest a change waits before players polling that process see it.
    "SIGNAGE_PLAYLIST_CHECK_S": 0.25,
    # What players are told in each heartbeat answer: how often to poll for their playlist, to
    # send a heartbeat (three missed ones mark a screen offline) and to send a screenshot.
    # Every second, so that a blackout reaches every screen within 2 s (README, "Blackouts");
    # an unchanged poll is a 304 answered from memory. A fleet of many thousands may poll less
    # often, and wait longer for a blackout.
    "SIGNAGE_POLL_INTERVAL_S": 1,
    "SIGNAGE_HEARTBEAT_S": 30,
    "SIGNAGE_SCREENSHOT_INTERVAL_S": 300,
    # Uploads of display events each serving process stores at once; more are told when to come
    # back (503 with Retry-After, signage.displaylog.pacing). 0: no limit.
    "SIGNAGE_UPLOADS_AT_ONCE": 2,
    # Web pages: send the session cookie over HTTPS only (set when the controller is served over
    # HTTPS, directly or behind a proxy), and how long a sign-in lasts, in hours.
    "SIGNAGE_SECURE_COOKIES": False,
    "SIGNAGE_SESSION_HOURS": 10,
    # Font file the controller measures and previews notices with; empty means the system's
    # CJK font, found as the player finds one. Players should draw with the same font.
    "SIGNAGE_PREVIEW_FONT": "",
    # Reading speeds for every screen that does not set its own (playlists.reading): strips
    # scroll at SCROLL_CPM characters a minute (20-255); a panel's page stays at least PAGE_S
    # seconds (4-120), and at least its characters at READ_CPM a minute (60-500).
    "SIGNAGE_SCROLL_CPM": 80,
    "SIGNAGE_PAGE_S": 15,
    "SIGNAGE_READ_CPM": 200,
    # Limits the editor and the review page warn at: an item that takes longer than this on a
    # strip, in seconds, and one that comes round less often than this on a screen, in minutes.
    "SIGNAGE_STRIP_WARN_S": 180,
    "SIGNAGE_ROTATION_WARN_MIN": 15,
    # Where the rate limits keep their counts (signage.limits): each process's memory, or a
    # store all processes share, e.g. redis://127.0.0.1:6379.
    "SIGNAGE_RATELIMIT_STORAGE": "memory://",
    # Rate limits on signing in, password changes and failed API authentication.
    "SIGNAGE_RATE_LIMITS": True,
    # Reverse proxies in front of the controller that set X-Forwarded-For (0: none): their
    # number, so the address counted is the client's, not the proxy's.
    "SIGNAGE_PROXIES": 0,
    # Run the housekeeping scheduler inside ``signage serve`` (turn off on all but one host if
    # you prefer; jobs are idempotent and take a database lock either way).
    "SIGNAGE_SCHEDULER": True,
    # Prometheus metrics at GET /metrics (requests, latencies, playlist cache, events, jobs,
    # screens online); off by default: keep the path to the operators' network.
    "SIGNAGE_METRICS": False,
    # Logging: the least level written (DEBUG, INFO, WARNING, ERROR), and a file to write to
    # as well as standard error, rotated at 10 MB with 5 old files kept (empty: none).
    "SIGNAGE_LOG_LEVEL": "INFO",
    "SIGNAGE_LOG_FILE": "",
}


def load_config(overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Return the settings: defaults, then the environment, then ``overrides``."""
    config = dict(DEFAULTS)
    for name, default in DEFAULTS.items():
        raw = os.environ.get(name)
        if raw is not None:
            config[name] = _parse(name, raw, default)
    if overrides:
        config.update(overrides)
    config["SIGNAGE_CATEGORIES"] = tuple(config["SIGNAGE_CATEGORIES"])
    config["SIGNAGE_PRIORITY_WEIGHTS"] = parse_weights(config["SIGNAGE_PRIORITY_WEIGHTS"])
    data_dir = Path(config["SIGNAGE_DATA_DIR"]).resolve()
    config["SIGNAGE_DATA_DIR"] = str(data_dir)
    if not config["SIGNAGE_DATABASE_URL"]:
        config["SIGNAGE_DATABASE_URL"] = f"sqlite:///{data_dir / 'signage.db'}"
    if not 0 <= config["SIGNAGE_UPLOADS_AT_ONCE"] <= 1000:
        raise ValueError("SIGNAGE_UPLOADS_AT_ONCE must be a whole number from 0 to 1000")
    if not config["SIGNAGE_SECRET_KEY"]:
        config["SIGNAGE_SECRET_KEY"] = _stored_secret(data_dir)
    config["SIGNAGE_ALERT_AREAS"] = parse_areas(config["SIGNAGE_ALERT_AREAS"])
    config["SIGNAGE_ALERT_PUBLISH_SEVERITIES"] = parse_severities(
        config["SIGNAGE_ALERT_PUBLISH_SEVERITIES"]
    )
    config["SIGNAGE_ALERT_FEEDS"] = tuple(
        u.strip() for u in _listed(config["SIGNAGE_ALERT_FEEDS"]) if u.strip()
    )
    return config


def _listed(value: str | Iterable[str]) -> list[str]:
    return value.split(",") if isinstance(value, str) else list(value)


def parse_areas(value: str | Iterable[str]) -> tuple[str, ...]:
    """``330100,330106`` → the deployment's GB/T 2260 area codes (6 digits each)."""
    codes = tuple(c.strip() for c in _listed(value) if c.strip())
    for code in codes:
        if len(code) != 6 or not code.isdigit():
            raise ValueError(f"SIGNAGE_ALERT_AREAS: {code!r} is not a 6-digit area code")
    return codes


ALERT_LEVELS = ("extreme", "severe", "moderate", "minor", "red", "orange", "yellow", "blue")


def parse_severities(value: str | Iterable[str]) -> frozenset[str]:
    """``Extreme,red`` → the severities and levels published without waiting (lower case)."""
    found = frozenset(c.strip().lower() for c in _listed(value) if c.strip())
    unknown = sorted(found - set(ALERT_LEVELS))
    if unknown:
        raise ValueError(
            f"SIGNAGE_ALERT_PUBLISH_SEVERITIES: {unknown[0]!r} is not one of "
            + ", ".join(ALERT_LEVELS)
        )
    return found


def parse_weights(value: str | Mapping[str, int]) -> dict[str, int]:
    """Parse ``normal=1,high=2,urgent=1`` into a mapping; every priority needs a weight ≥ 1."""
    if isinstance(value, Mapping):
        pairs = dict(value)
    else:
        pairs = {}
        for part in value.split(","):
            name, _, weight = part.partition("=")
            try:
                pairs[name.strip()] = int(weight)
            except ValueError:
                raise ValueError(
                    f"SIGNAGE_PRIORITY_WEIGHTS: {part.strip()!r} is not priority=weight"
                ) from None
    if set(pairs) != {"normal", "high", "urgent"} or min(pairs.values()) < 1:
        raise ValueError("SIGNAGE_PRIORITY_WEIGHTS needs normal, high and urgent, each ≥ 1")
    return pairs


def _parse(name: str, raw: str, default: Any) -> Any:
    if isinstance(default, bool):
        if raw.lower() in ("1", "true", "yes", "on"):
            return True
        if raw.lower() in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"{name} must be true or false, not {raw!r}")
    if isinstance(default, float):
        try:
            return float(raw)
        except ValueError:
            raise ValueError(f"{name} must be a number, not {raw!r}") from None
    if isinstance(default, int):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(f"{name} must be a whole number, not {raw!r}") from None
    if isinstance(default, tuple):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw


def private_dir(path: Path) -> Path:
    """Create the folder ``path`` for the owner alone (0700), or make it so if it is ours: it
    holds the database (password and token hashes, drafts) and the secret key."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    if hasattr(os, "getuid") and path.stat().st_uid == os.getuid():
        path.chmod(0o700)
    return path


def _stored_secret(data_dir: Path) -> str:
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text().strip()
    private_dir(data_dir)
    key = secrets.token_hex(32)
    # Create with owner-only permissions; a concurrent first start keeps whichever won.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(key)
    return key
