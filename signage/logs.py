"""Logging for ``signage serve``: a level, standard error, and optionally a rotating file."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(process)d %(name)s: %(message)s"
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
ROTATE_BYTES = 10 * 1024 * 1024
KEEP_FILES = 5


def configure(level: str, file: str | Path | None = None) -> None:
    """Log at ``level`` and above to standard error, and to ``file`` too (rotated at 10 MB, five
    old files kept) when one is given; raise ValueError for an unknown level."""
    name = level.strip().upper()
    if name not in LEVELS:
        raise ValueError(f"the log level must be one of {', '.join(LEVELS)}, not {level!r}")
    handlers: list[logging.Handler] = [logging.StreamHandler()]
    if file:
        path = Path(file)
        path.parent.mkdir(parents=True, exist_ok=True)
        handlers.append(
            logging.handlers.RotatingFileHandler(
                path, maxBytes=ROTATE_BYTES, backupCount=KEEP_FILES, encoding="utf-8"
            )
        )
    logging.basicConfig(level=name, format=FORMAT, handlers=handlers, force=True)
    logging.getLogger("apscheduler").setLevel(max(logging.WARNING, logging.getLevelName(name)))
