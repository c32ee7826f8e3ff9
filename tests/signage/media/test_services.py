"""Image uploads: real decoding, size and pixel limits, deduplication."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
import sqlalchemy as sa
from PIL import Image

from signage.errors import InvalidInput, PayloadTooLarge, PermissionDenied
from signage.media import services as svc
from signage.media.models import Media
from tests.conftest import NOW

LIMITS = svc.MediaLimits(max_bytes=2 * 1024 * 1024, max_pixels=4_000_000)


def image_bytes(fmt: str, size: tuple[int, int] = (64, 32), mode: str = "RGB") -> bytes:
    buffer = io.BytesIO()
    Image.new(mode, size, (200, 30, 30) if mode == "RGB" else 1).save(buffer, format=fmt)
    return buffer.getvalue()


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims ``width``×``height`` pixels but carries almost no data."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize(
    ("fmt", "mime"),
    [
        ("PNG", "image/png"),
        ("JPEG", "image/jpeg"),
        ("GIF", "image/gif"),
        ("WEBP", "image/webp"),
        ("BMP", "image/bmp"),
    ],
)
def test_accepted_formats(db_session, make_user, fmt, mime):
    media, created = svc.upload_media(
        db_session, make_user("author"), image_bytes(fmt), now=NOW, limits=LIMITS
    )
    assert created and media.mime == mime and (media.width, media.height) == (64, 32)
    assert len(media.sha256) == 64


def test_the_same_bytes_are_stored_once(db_session, make_user):
    author = make_user("author")
    data = image_bytes("PNG")
    first, created = svc.upload_media(db_session, author, data, now=NOW, limits=LIMITS)
    again, created_again = svc.upload_media(db_session, author, data, now=NOW, limits=LIMITS)
    assert created and not created_again and first is again
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Media)) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"GIF89a not really", "not an image"),
        ("通知公告".encode(), "not an image"),
        (image_bytes("PNG")[:-30], "damaged"),
        (image_bytes("JPEG")[:200], "damaged"),
        (image_bytes("TIFF"), "not accepted"),
        (png_header_only(100_000, 100_000), "limit"),
        (png_header_only(3000, 3000), "limit"),
    ],
    ids=[
        "empty",
        "fake-gif",
        "text",
        "truncated-png",
        "truncated-jpeg",
        "tiff",
        "bomb",
        "over-pixel-limit",
    ],
)
def test_refused_uploads(db_session, make_user, data, message):
    with pytest.raises(InvalidInput, match=message):
        svc.upload_media(db_session, make_user("author"), data, now=NOW, limits=LIMITS)
    assert db_session.scalar(sa.select(sa.func.count()).select_from(Media)) == 0


def test_the_size_limit(db_session, make_user):
    with pytest.raises(PayloadTooLarge):
        svc.upload_media(
            db_session, make_user("author"), b"x" * (LIMITS.max_bytes + 1), now=NOW, limits=LIMITS
        )


@pytest.mark.parametrize("role", ["reviewer", "supervisor", "admin"])
def test_only_authors_upload(db_session, make_user, role):
    with pytest.raises(PermissionDenied):
        svc.upload_media(db_session, make_user(role), image_bytes("PNG"), now=NOW, limits=LIMITS)
