"""Citizens' photos are decoded and encoded again before they are stored (Pillow).

A phone camera writes EXIF into every JPEG: GPS coordinates of the citizen's home, the device's
make, model and serial, the time. A photo becomes a URL that agents, city staff and the Open311
feed open, so only the pixels are kept: nothing of the original file's metadata (EXIF, XMP,
comments, PNG text chunks) is copied into the new one. The EXIF orientation is applied first so
the picture stays upright without it.
"""

from __future__ import annotations

import io

from PIL import Image, ImageOps, UnidentifiedImageError

# Larger images are refused before decoding (a small file can declare a huge canvas).
MAX_PIXELS = 40_000_000
# GIFs keep only their first frame and become PNG: a complaint photo is a still picture.
_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP", "image/gif": "PNG"}
_OUTPUT_MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}


class PhotoUnreadable(ValueError):
    """Not a decodable image of a size we accept."""


def reencode(data: bytes, mime: str) -> tuple[bytes, str]:
    """The photo's pixels in a fresh file without metadata, and that file's MIME type."""
    target = _FORMATS.get(mime)
    if target is None:
        raise PhotoUnreadable(f"unsupported type {mime}")
    try:
        with Image.open(io.BytesIO(data)) as original:
            if original.width * original.height > MAX_PIXELS:
                raise PhotoUnreadable("image too large")
            image = ImageOps.exif_transpose(original)
            image.load()
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError, SyntaxError) as exc:
        raise PhotoUnreadable(str(exc)) from exc
    if target == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    elif target != "JPEG" and image.mode not in ("RGB", "RGBA", "L", "LA"):
        image = image.convert("RGBA")
    out = io.BytesIO()
    # No exif=, no pnginfo=, no xmp=: Pillow writes none of the original's metadata.
    options = {"quality": 90} if target in ("JPEG", "WEBP") else {}
    image.save(out, format=target, **options)
    return out.getvalue(), _OUTPUT_MIME[target]
