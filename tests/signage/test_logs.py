"""Logging for signage serve: a level, and a rotating file as well as standard error."""

from __future__ import annotations

import logging
import logging.handlers

import pytest

from signage import logs


@pytest.fixture(autouse=True)
def _restore_logging():
    root = logging.getLogger()
    saved = (root.level, list(root.handlers))
    yield
    for handler in root.handlers:
        if handler not in saved[1]:
            handler.close()
    root.handlers[:] = saved[1]
    root.setLevel(saved[0])


def test_a_log_file_is_written_and_rotated(tmp_path):
    path = tmp_path / "logs" / "signage.log"
    logs.configure("warning", path)
    logging.getLogger("signage.test").info("not at WARNING")
    logging.getLogger("signage.test").warning("屏幕 hall 离线")
    (rotating,) = [
        h
        for h in logging.getLogger().handlers
        if isinstance(h, logging.handlers.RotatingFileHandler)
    ]
    assert rotating.maxBytes == logs.ROTATE_BYTES and rotating.backupCount == logs.KEEP_FILES
    rotating.flush()
    text = path.read_text(encoding="utf-8")
    assert "屏幕 hall 离线" in text and "not at WARNING" not in text


def test_an_unknown_level_is_refused():
    with pytest.raises(ValueError, match="DEBUG, INFO, WARNING, ERROR"):
        logs.configure("loud")
