"""Settings: defaults, then SIGNAGE_* variables, then the mapping passed in."""

from __future__ import annotations

import pytest

from signage.config import DEFAULT_CATEGORIES, load_config


def test_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in (
        "SIGNAGE_DATA_DIR",
        "SIGNAGE_DATABASE_URL",
        "SIGNAGE_SECRET_KEY",
        "SIGNAGE_TIMEZONE",
        "SIGNAGE_CATEGORIES",
    ):
        monkeypatch.delenv(name, raising=False)
    config = load_config()
    assert config["SIGNAGE_DATA_DIR"] == str(tmp_path / "var")
    assert config["SIGNAGE_DATABASE_URL"] == f"sqlite:///{tmp_path / 'var' / 'signage.db'}"
    assert config["SIGNAGE_TIMEZONE"] == "Asia/Shanghai"
    assert config["SIGNAGE_CATEGORIES"] == DEFAULT_CATEGORIES
    # The secret key is generated once into the data folder, readable only by its owner.
    key_file = tmp_path / "var" / "secret_key"
    assert config["SIGNAGE_SECRET_KEY"] == key_file.read_text()
    assert key_file.stat().st_mode & 0o077 == 0
    assert load_config()["SIGNAGE_SECRET_KEY"] == config["SIGNAGE_SECRET_KEY"]


def test_environment_then_overrides(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNAGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SIGNAGE_TIMEZONE", "Asia/Urumqi")
    monkeypatch.setenv("SIGNAGE_CATEGORIES", "通知公告, 要闻")
    monkeypatch.setenv("SIGNAGE_MEDIA_MAX_BYTES", "1000")
    monkeypatch.setenv("SIGNAGE_SCHEDULER", "off")
    config = load_config({"SIGNAGE_TIMEZONE": "Asia/Shanghai"})
    assert config["SIGNAGE_TIMEZONE"] == "Asia/Shanghai"
    assert config["SIGNAGE_CATEGORIES"] == ("通知公告", "要闻")
    assert config["SIGNAGE_MEDIA_MAX_BYTES"] == 1000
    assert config["SIGNAGE_SCHEDULER"] is False


@pytest.mark.parametrize(
    ("name", "value"), [("SIGNAGE_MEDIA_MAX_BYTES", "lots"), ("SIGNAGE_SCHEDULER", "maybe")]
)
def test_bad_environment_values_are_named(tmp_path, monkeypatch, name, value):
    monkeypatch.setenv("SIGNAGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=name):
        load_config()


def test_priority_weights(tmp_path, monkeypatch):
    monkeypatch.setenv("SIGNAGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SIGNAGE_PRIORITY_WEIGHTS", "normal=1, high=3, urgent=2")
    assert load_config()["SIGNAGE_PRIORITY_WEIGHTS"] == {"normal": 1, "high": 3, "urgent": 2}


@pytest.mark.parametrize(
    "value",
    [
        "normal=1,high=2",
        "normal=1,high=x,urgent=1",
        "normal=0,high=2,urgent=1",
        "normal=1,high=2,urgent=1,low=1",
    ],
)
def test_bad_priority_weights(tmp_path, monkeypatch, value):
    monkeypatch.setenv("SIGNAGE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("SIGNAGE_PRIORITY_WEIGHTS", value)
    with pytest.raises(ValueError, match="SIGNAGE_PRIORITY_WEIGHTS"):
        load_config()
