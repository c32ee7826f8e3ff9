"""How the player's loops wait after a failure: exponential backoff with full jitter."""

from __future__ import annotations

import random


class Backoff:
    """Exponential backoff with full jitter: 1 s, 2 s, 4 s … up to ``maximum``."""

    def __init__(self, maximum: float, rng: random.Random | None = None) -> None:
        self.maximum = maximum
        self.failures = 0
        self.rng = rng or random.Random()

    def next_delay(self) -> float:
        self.failures += 1
        return self.rng.uniform(0, min(self.maximum, 2.0 ** (self.failures - 1)))

    def reset(self) -> None:
        self.failures = 0
