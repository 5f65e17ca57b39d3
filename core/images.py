"""Photos as the product keeps them: at most about 1280 px on the long side, at most
300 KB, JPEG, without metadata (EXIF, and with it the place it was taken). The phone does the
same before sending (core/static/core/outbox.js); the server does it again, so an upload that
skipped the phone's resizing (an old browser, an API client) meets the same limits."""

import io

from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from core.exceptions import Invalid

LONG_SIDE = 1280
MAX_BYTES = 300 * 1024
# What may be sent at all: a camera's full-size photo, before the phone resized it.
MAX_UPLOAD_BYTES = 12 * 1024 * 1024
FORMATS = {"JPEG", "PNG", "WEBP"}
# Decompression bombs: a small file that opens into an enormous image.
MAX_PIXELS = 50_000_000


def normalised_photo(upload, *, field: str = "photos") -> tuple[ContentFile, int, int]:
    """The photo `upload` (a file) as kept: (its JPEG bytes, width, height). Anything that is
    not a JPEG, PNG or WebP photo of sensible size is refused (Invalid on `field`)."""
    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise Invalid({field: _("A photo may be at most 12 MB.")})
    try:
        with Image.open(upload) as original:
            if original.format not in FORMATS:
                raise Invalid({field: _("Send a photo (JPEG, PNG or WebP).")})
            if original.width * original.height > MAX_PIXELS:
                raise Invalid({field: _("This photo is too large.")})
            # The camera's orientation is applied to the pixels, then every tag is dropped.
            image = ImageOps.exif_transpose(original).convert("RGB")
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as error:
        raise Invalid({field: _("Send a photo (JPEG, PNG or WebP).")}) from error
    image.thumbnail((LONG_SIDE, LONG_SIDE))
    for quality in (82, 72, 62, 52, 42):
        data = _jpeg(image, quality)
        if len(data) <= MAX_BYTES:
            break
    else:
        image.thumbnail((LONG_SIDE // 2, LONG_SIDE // 2))
        data = _jpeg(image, 60)
    return ContentFile(data), image.width, image.height


def _jpeg(image, quality: int) -> bytes:
    buffer = io.BytesIO()
    # No exif= argument: nothing of the original's metadata is written.
    image.save(buffer, "JPEG", quality=quality, optimize=True)
    return buffer.getvalue()
