"""JSON endpoints for media: upload an image, fetch one."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, request

from signage.api.common import actor, config, now, session
from signage.api.contract import contract
from signage.errors import BadRequest
from signage.media import services
from signage.media.schemas import MediaReply, media_json
from signage.media.services import MediaLimits

bp = Blueprint("media", __name__)


@bp.post("/media")
@contract(
    "Upload an image (multipart, field file); stored by SHA-256 (200 if it was already)",
    "author",
    ok=201,
    also=(200,),
    multipart=True,
    answers=MediaReply,
)
def upload() -> Any:
    user = actor()
    upload = request.files.get("file")
    if upload is None:
        raise BadRequest(
            "send the image as multipart/form-data in a field named 'file'", field="file"
        )
    limits = MediaLimits(
        max_bytes=config("SIGNAGE_MEDIA_MAX_BYTES"), max_pixels=config("SIGNAGE_MEDIA_MAX_PIXELS")
    )
    media, created = services.upload_media(session(), user, upload.read(), now=now(), limits=limits)
    return media_json(media), 201 if created else 200


@bp.get("/media/<sha256>")
@contract("An uploaded image", "any staff role", media_type="image/*")
def get(sha256: str) -> Any:
    media = services.get_media(session(), actor(), sha256)
    response = Response(media.data, mimetype=media.mime)
    # The URL names the content, so the content at it never changes.
    response.headers["Cache-Control"] = "private, max-age=31536000, immutable"
    response.headers["ETag"] = f'"{media.sha256}"'
    return response
