"""JSON shapes of the media API."""

from __future__ import annotations

from typing_extensions import TypedDict

from signage.api.contract import reply
from signage.media.models import Media


@reply
class MediaReply(TypedDict):
    sha256: str
    mime: str
    width: int
    height: int
    frames: int
    bytes: int


def media_json(media: Media) -> MediaReply:
    return {
        "sha256": media.sha256,
        "mime": media.mime,
        "width": media.width,
        "height": media.height,
        "frames": media.frames,
        "bytes": media.bytes,
    }
