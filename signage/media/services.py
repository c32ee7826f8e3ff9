"""Accept image uploads: decode them for real, bound their size, store them by SHA-256."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError
from sqlalchemy.orm import Session

from signage.accounts.models import Role, User
from signage.accounts.permissions import require_role, require_staff
from signage.audit.services import record
from signage.errors import InvalidInput, NotFound, PayloadTooLarge
from signage.media.models import Media

# Pillow format name → the MIME type stored and served.
ACCEPTED_FORMATS = {
    "PNG": "image/png",
    "JPEG": "image/jpeg",
    "GIF": "image/gif",
    "WEBP": "image/webp",
    "BMP": "image/bmp",
}
MAX_FRAMES = 1000


@dataclass(frozen=True)
class MediaLimits:
    max_bytes: int = 20 * 1024 * 1024
    max_pixels: int = 40_000_000


@dataclass(frozen=True)
class CheckedImage:
    mime: str
    width: int
    height: int
    frames: int


def inspect_image(data: bytes, limits: MediaLimits) -> CheckedImage:
    """Decode ``data`` completely and return what it is, or raise :class:`InvalidInput`.

    The pixel count is checked from the header before any pixel is decoded, so a small file that
    claims a huge image (a decompression bomb) is refused without the memory it would take.
    """
    if len(data) > limits.max_bytes:
        raise PayloadTooLarge(
            "the file has %(count)s bytes; the limit is %(max_bytes)s",
            count=len(data),
            max_bytes=limits.max_bytes,
            field="file",
        )
    if not data:
        raise InvalidInput("the file is empty", field="file")
    try:
        with warnings.catch_warnings():
            # Our own limit is stricter than Pillow's warning; the warning is not needed.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                fmt = image.format or ""
                if fmt not in ACCEPTED_FORMATS:
                    raise InvalidInput(
                        "%(value)s images are not accepted; use PNG, JPEG, GIF, WebP or BMP",
                        value=fmt or "this",
                        field="file",
                    )
                width, height = image.size
                frames = getattr(image, "n_frames", 1)
                if width * height > limits.max_pixels or width * height * frames > (
                    limits.max_pixels * 4
                ):
                    raise InvalidInput(
                        "the image is %(width)s×%(height)s pixels (%(frames)s frames); the limit "
                        "is %(max_pixels)s pixels",
                        width=width,
                        height=height,
                        frames=frames,
                        max_pixels=limits.max_pixels,
                        field="file",
                    )
                if frames > MAX_FRAMES:
                    raise InvalidInput(
                        "the image has more than %(max_frames)s frames",
                        max_frames=MAX_FRAMES,
                        field="file",
                    )
                for index in range(frames):
                    image.seek(index)
                    image.load()  # a real decode of every frame, not only the header
    except Image.DecompressionBombError:
        raise InvalidInput(
            "the image claims more pixels than any screen needs; the limit is %(max_pixels)s "
            "pixels",
            max_pixels=limits.max_pixels,
            field="file",
        ) from None
    except UnidentifiedImageError:
        raise InvalidInput("the file is not an image that can be read", field="file") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise InvalidInput("the image is damaged: %(exc)s", exc=exc, field="file") from None
    return CheckedImage(mime=ACCEPTED_FORMATS[fmt], width=width, height=height, frames=frames)


def upload_media(
    session: Session, actor: User, data: bytes, *, now: dt.datetime, limits: MediaLimits
) -> tuple[Media, bool]:
    """Store an image upload; return the media row and whether it was new.

    The same bytes uploaded again return the stored row (deduplicated by SHA-256).
    """
    require_role(actor, Role.AUTHOR)
    checked = inspect_image(data, limits)
    digest = hashlib.sha256(data).hexdigest()
    existing = session.get(Media, digest)
    if existing is not None:
        return existing, False
    media = Media(
        sha256=digest,
        mime=checked.mime,
        width=checked.width,
        height=checked.height,
        frames=checked.frames,
        bytes=len(data),
        data=data,
        created_at=now,
        created_by_id=actor.id,
    )
    session.add(media)
    session.flush()
    record(
        session,
        actor=actor,
        action="media.upload",
        object_type="media",
        object_id=digest,
        now=now,
        details={
            "mime": checked.mime,
            "bytes": len(data),
            "width": checked.width,
            "height": checked.height,
        },
    )
    return media, True


def get_media(session: Session, actor: User, sha256: str) -> Media:
    require_staff(actor)
    media = session.get(Media, sha256.lower())
    if media is None:
        raise NotFound("no media %(sha256)s", sha256=repr(sha256))
    return media
