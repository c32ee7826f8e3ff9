"""The player's settings, as one value object.

config = PlayerConfig(controller="http://10.0.0.5:8080", token="sgs_…",
                      output="png:/var/lib/signage/frames", cache_dir=Path("/var/lib/signage"))
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PlayerConfig:
    controller: str
    token: str
    output: str
    cache_dir: Path
    font: str | None = None
    poll_interval_s: float = 10.0  # until the controller says otherwise
    heartbeat_interval_s: float = 30.0
    screenshot_interval_s: float = 300.0
    upload_interval_s: float = 2.0
    batch_size: int = 500
    backoff_max_s: float = 300.0
    render_cache_items: int = 64
