"""The player's disk cache: the last good playlist, its signature, and every media blob it needs.

Files are written atomically (a temporary file, flushed to disk, then renamed over the old one),
so a power cut leaves either the old file or the new one. Media are named by their SHA-256 and
checked against it when written and when read: a blob that does not match is deleted, logged and
fetched again, never shown. Media no longer in the playlist are pruned.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
from collections.abc import Callable
from pathlib import Path

from player.errors import MediaError
from playlists import Playlist, PlaylistError, parse_playlist
from playlists.signing import SignatureError

log = logging.getLogger(__name__)


def write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    with open(tmp, "wb") as f:
        f.write(data)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
        fd = os.open(path.parent, os.O_DIRECTORY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


class Store:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.media_dir = root / "media"
        self.media_dir.mkdir(parents=True, exist_ok=True)
        self._playlist: Playlist | None = None
        self._etag: str | None = None
        self.generation = 0  # bumped whenever a new playlist is stored
        self._lock = threading.Lock()

    # --- playlist ---
    def load(self, verify: Callable[[bytes, str | None], None]) -> Playlist | None:
        """Read the cached playlist at start-up, checked by ``verify`` (which raises
        :class:`SignatureError`); None if there is none, or it is damaged or not trusted."""
        body_path, etag_path = self.root / "playlist.json", self.root / "playlist.etag"
        signature_path = self.root / "playlist.sig"
        if not body_path.exists():
            return None
        try:
            body = body_path.read_bytes()
            signature = signature_path.read_text().strip() if signature_path.exists() else None
            verify(body, signature)
            playlist = parse_playlist(body)
        except SignatureError as exc:
            log.error("the cached playlist is not trusted (%s); waiting for the controller", exc)
            return None
        except (PlaylistError, OSError, ValueError) as exc:
            log.error("the cached playlist cannot be read (%s); waiting for the controller", exc)
            return None
        with self._lock:
            self._playlist = playlist
            self._etag = etag_path.read_text().strip() if etag_path.exists() else None
            self.generation += 1
        return playlist

    def save(self, body: bytes, etag: str | None, signature: str, playlist: Playlist) -> None:
        """Keep a playlist that passed its checks: the signature first, so a cut between the
        writes leaves a body that fails its check (and is fetched again), never one unchecked."""
        write_atomic(self.root / "playlist.sig", signature.encode())
        write_atomic(self.root / "playlist.json", body)
        write_atomic(self.root / "playlist.etag", (etag or "").encode())
        with self._lock:
            self._playlist, self._etag = playlist, etag
            self.generation += 1

    @property
    def playlist(self) -> Playlist | None:
        return self._playlist

    def current(self) -> tuple[Playlist | None, str | None]:
        """The playlist and its ETag, read together."""
        with self._lock:
            return self._playlist, self._etag

    @property
    def etag(self) -> str | None:
        return self._etag

    # --- media ---
    def media_path(self, sha256: str) -> Path:
        return self.media_dir / sha256

    def has_media(self, sha256: str) -> bool:
        return self.media_path(sha256).exists()

    def put_media(self, sha256: str, data: bytes) -> None:
        if hashlib.sha256(data).hexdigest() != sha256:
            raise MediaError(f"media {sha256[:12]}… arrived damaged (SHA-256 mismatch)")
        write_atomic(self.media_path(sha256), data)

    def get_media(self, sha256: str) -> bytes:
        """Read a blob, checking it; a damaged one is deleted and :class:`MediaError` raised."""
        path = self.media_path(sha256)
        try:
            data = path.read_bytes()
        except OSError:
            raise MediaError(f"media {sha256[:12]}… is not in the cache") from None
        if hashlib.sha256(data).hexdigest() != sha256:
            path.unlink(missing_ok=True)
            raise MediaError(
                f"media {sha256[:12]}… in the cache is damaged; deleted, will fetch again"
            )
        return data

    def prune(self, keep: set[str]) -> int:
        """Delete media not in ``keep`` (and stray temporary files); return how many."""
        removed = 0
        for path in self.media_dir.iterdir():
            if path.name not in keep:
                path.unlink(missing_ok=True)
                removed += 1
        return removed
