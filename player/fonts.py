"""Find a CJK font and know which characters each font of a fallback chain can draw.

The player looks for a font in this order: ``--font PATH``; fontconfig's best match for Chinese
(``fc-match``); the usual Windows and macOS font files. WenQuanYi Zen Hei (Debian package
``fonts-wqy-zenhei``) is preferred where present: its "Sharp" face carries bitmap strikes that
are crisp at 12–16 px, the sizes of small LED panels.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import gc
import hashlib
import logging
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from fontTools.ttLib import TTCollection, TTFont
from PIL import ImageFont

from player.errors import FontNotFound
from playlists.document import FontRef

log = logging.getLogger(__name__)

WQY = Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")
KNOWN_PATHS = [
    WQY,
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("C:/Windows/Fonts/msyh.ttc"),
    Path("C:/Windows/Fonts/simhei.ttf"),
    Path("C:/Windows/Fonts/simsun.ttc"),
    Path("/System/Library/Fonts/PingFang.ttc"),
    Path("/System/Library/Fonts/STHeiti Medium.ttc"),
    Path("/Library/Fonts/Arial Unicode.ttf"),
]
INSTALL_HINT = (
    "no font that can draw Chinese was found. Install one, e.g. on Debian or Ubuntu "
    "'sudo apt-get install fonts-wqy-zenhei', on Windows use Microsoft YaHei (msyh.ttc, shipped "
    "with Windows), or pass --font /path/to/font.ttc"
)
PROBE = "通知公告"
SHARP_SIZES = range(12, 17)  # sizes at which WenQuanYi Zen Hei Sharp has bitmap strikes


@dataclass(frozen=True)
class Face:
    """One face of a font file (a .ttc holds several) and the characters it maps."""

    path: str
    index: int
    name: str
    # One bit per Unicode code point (139 KB): a CJK font maps some 40,000 characters, and a
    # set of them would cost the player megabytes for the life of the process.
    codepoints: bytes

    def has(self, char: str) -> bool:
        code = ord(char)
        return bool(self.codepoints[code >> 3] >> (code & 7) & 1)


@dataclass(frozen=True)
class FontSet:
    """The faces the renderer draws with: the main face, an optional pixel face for small sizes,
    and fallbacks for characters the main face lacks."""

    main: Face
    pixel: Face | None
    fallbacks: tuple[Face, ...] = ()

    @functools.cached_property
    def key(self) -> str:
        """Identifies the set in render caches."""
        return "|".join(
            f"{f.path}#{f.index}" for f in (self.main, self.pixel, *self.fallbacks) if f is not None
        )

    def face_for_size(self, size: int) -> Face:
        if self.pixel is not None and size in SHARP_SIZES:
            return self.pixel
        return self.main

    def face_for(self, char: str, size: int) -> Face | None:
        """The first face of the chain that maps ``char``, or None if none does."""
        first = self.face_for_size(size)
        for face in (first, self.main, *self.fallbacks):
            if face.has(char):
                return face
        return None

    def pil(self, face: Face, size: int) -> ImageFont.FreeTypeFont:
        return pil_font(face.path, face.index, size)


# A FreeType face of a large CJK font holds megabytes once used (3–4 MB each for WenQuanYi Zen
# Hei); a player shows a few sizes, and bench.render keeps its memory under 80 MB with four.
@functools.lru_cache(maxsize=4)
def pil_font(path: str, index: int, size: int) -> ImageFont.FreeTypeFont:
    """The Pillow font of one face at one size (a few kept open)."""
    return ImageFont.truetype(path, size, index=index)


def read_faces(path: Path) -> list[Face]:
    """Return every face in a font file with its character map."""
    if path.suffix.lower() in (".ttc", ".otc"):
        collection = TTCollection(str(path), lazy=True)
        fonts = list(collection.fonts)
    else:
        collection = None
        fonts = [TTFont(str(path), lazy=True)]
    try:
        faces = []
        for index, font in enumerate(fonts):
            bitmap = bytearray(0x110000 // 8)
            for code in font.getBestCmap() or {}:
                bitmap[code >> 3] |= 1 << (code & 7)
            name = font["name"].getDebugName(4) or path.stem
            faces.append(Face(str(path), index, name, bytes(bitmap)))
        return faces
    finally:  # the faces of a collection share one open file
        (collection or fonts[0]).close()


def _release_memory() -> None:
    """Hand the memory fontTools used while reading back to the system (glibc only)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def _fontconfig_match() -> Path | None:
    if shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", ":lang=zh-cn"],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return Path(out) if out else None


def candidate_paths(explicit: str | None = None) -> list[Path]:
    """Font files to try, best first."""
    if explicit:
        return [Path(explicit)]
    paths: list[Path] = []
    if WQY.exists():
        paths.append(WQY)
    matched = _fontconfig_match()
    if matched is not None:
        paths.append(matched)
    paths.extend(p for p in KNOWN_PATHS if p.exists())
    return list(dict.fromkeys(paths))


def find_fonts(explicit: str | None = None) -> FontSet:
    """Return the fonts to draw with, or raise :class:`FontNotFound` saying how to get one."""
    faces: list[Face] = []
    for path in candidate_paths(explicit):
        if not path.exists():
            raise FontNotFound(f"the font file {path} does not exist")
        try:
            faces.extend(read_faces(path))
        except Exception as exc:  # a damaged or unsupported file: say so, try the next
            log.warning("cannot read font %s: %s", path, exc)
    _release_memory()
    cjk = [f for f in faces if all(f.has(c) for c in PROBE)]
    if not cjk:
        if explicit:
            raise FontNotFound(f"{explicit} cannot draw Chinese ({PROBE}); {INSTALL_HINT}")
        raise FontNotFound(INSTALL_HINT)
    regular = [f for f in cjk if "Sharp" not in f.name and "Mono" not in f.name] or cjk
    sharp = next((f for f in cjk if "Sharp" in f.name), None)
    main = regular[0]
    fallbacks = tuple(f for f in faces if f is not main and f is not sharp)
    return FontSet(main=main, pixel=sharp, fallbacks=fallbacks)


def missing_characters(text: str, fonts: FontSet, size: int) -> list[str]:
    """Characters of ``text`` that no face of ``fonts`` can draw (spaces and controls aside)."""
    return sorted(
        {c for c in text if not c.isspace() and c.isprintable() and fonts.face_for(c, size) is None}
    )


@functools.lru_cache(maxsize=8)
def _file_sha256(path: str) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def font_ref(fonts: FontSet) -> FontRef:
    """What a playlist and a heartbeat name the fonts by: the main face's name and the SHA-256
    of its file (read once). Durations measured with another font may differ."""
    return FontRef(name=fonts.main.name, sha256=_file_sha256(fonts.main.path))
