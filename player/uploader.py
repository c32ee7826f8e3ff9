"""Send the spool's events to the controller, signed with the player's own key.

Before its first upload after each start the player registers its public key with the
controller (``POST /api/v1/player/key``); until that succeeds nothing is sent, so no event is
refused for want of a key. Each batch goes with the player's signature over its chain's head
after the batch's last event (:func:`playlists.evidence.sign_head`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from player.client import ControllerClient
from player.errors import ControllerError
from player.spool import Spool
from playlists.evidence import event_hash, sign_head
from playlists.signing import SigningKey

log = logging.getLogger(__name__)


class KeyNotRegistered(ControllerError):
    """The controller did not take the player's key (it holds another for this screen)."""


class Uploader:
    def __init__(
        self,
        spool: Spool,
        client: ControllerClient,
        key: SigningKey,
        *,
        now_iso: Callable[[], str],
    ) -> None:
        self.spool = spool
        self.client = client
        self.key = key
        self._now_iso = now_iso
        self.registered = False

    def register(self) -> None:
        """Register the player's key, once per start: after an admin rotates the screen's
        token (and the player is restarted with the new one) the key is registered again."""
        if self.registered:
            return
        try:
            self.client.register_key(self.key.public.text)
        except ControllerError as exc:
            if exc.status == 409:
                raise KeyNotRegistered(
                    f"the controller holds another key for this screen (this player's is "
                    f"{self.key.key_id}); an admin must rotate the screen's token",
                    409,
                ) from None
            raise
        self.registered = True
        log.warning(
            "this player's own key is %s: the screen page shows the key the controller holds for "
            "this screen, which must be the same",
            self.key.key_id,
        )

    def upload_once(self, batch_size: int) -> tuple[int, int]:
        """Send one signed batch; return (events that left the spool, of them dead-lettered)."""
        self.register()
        batch = self.spool.pending(batch_size)
        if not batch:
            return 0, 0
        last = batch[-1]
        head = sign_head(self.key, last["seq"], event_hash(last))
        answer = self.client.post_events(batch, head)
        removed, dead = self.spool.settle(answer, now_iso=self._now_iso())
        return removed + dead, dead
