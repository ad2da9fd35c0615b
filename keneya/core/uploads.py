"""Uploaded scans and photos (a document of a social-protection dossier, an outside result or a
discharge letter in the medical record): checked once, the same way, before Django's storage
API keeps them.

``checked_upload`` refuses a file that is too heavy or whose first bytes are not an image
(JPEG, PNG, WebP) or a PDF (the name and the browser's type are not trusted), and re-encodes an
image from its pixels only: the EXIF (GPS position, phone, date) and any other metadata are
dropped, the EXIF orientation applied. ``thumbnail`` draws a small JPEG of an image for lists.
French ``ValidationError`` messages under the ``file`` key.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile, File
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

# Scans and photos of documents: images or PDF, at most 5 MB each (by default).
DOCUMENT_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "application/pdf"})
DOCUMENT_MAX_BYTES = 5 * 1024 * 1024
# A photo larger than this (pixels) is refused: a decompression bomb, not a document.
IMAGE_MAX_PIXELS = 40_000_000
THUMBNAIL_BOX = (240, 240)

EXTENSIONS = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "application/pdf": ".pdf"}
_PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


@dataclass(frozen=True)
class CheckedFile:
    """What to store: the content (re-encoded for an image), its sniffed type and size."""

    content: File[Any]
    content_type: str
    size: int

    @property
    def is_image(self) -> bool:
        return self.content_type.startswith("image/")


def sniff(head: bytes) -> str:
    """The type of a file from its first bytes (never from its name)."""
    if head.startswith(b"%PDF"):
        return "application/pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG"):
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] in (b"WEBP", b""):
        return "image/webp"
    return "application/octet-stream"


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def checked_upload(
    upload: UploadedFile,
    *,
    name: str,
    max_bytes: int = DOCUMENT_MAX_BYTES,
    types: frozenset[str] = DOCUMENT_TYPES,
) -> CheckedFile:
    """The upload, checked by size and by its first bytes, an image re-encoded without its
    metadata; stored under ``name`` plus the extension of its real type."""
    if upload.size is None or upload.size > max_bytes:
        message = _("Fichier trop lourd : %(mb)s Mo au plus.") % {"mb": _megabytes(max_bytes)}
        raise ValidationError({"file": [message]})
    if upload.size == 0:
        raise ValidationError({"file": [_("Fichier vide.")]})
    head = upload.read(12)
    upload.seek(0)
    kind = sniff(head)
    if kind not in types:
        raise ValidationError(
            {"file": [_("Type de fichier refusé : une image (JPEG, PNG, WebP) ou un PDF.")]}
        )
    filename = f"{name}{EXTENSIONS[kind]}"
    if kind.startswith("image/"):
        data = reencoded_image(upload, kind)
        return CheckedFile(ContentFile(data, name=filename), kind, len(data))
    upload.name = filename
    return CheckedFile(upload, kind, int(upload.size))


def reencoded_image(upload: Any, kind: str) -> bytes:
    """The image re-encoded from its pixels only: the EXIF (GPS position, phone, date) and any
    other metadata are dropped. An image Pillow cannot read is refused."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(upload) as opened:
            if opened.width * opened.height > IMAGE_MAX_PIXELS:
                raise ValidationError({"file": [_("Image trop grande.")]})
            image: Image.Image = ImageOps.exif_transpose(opened) or opened  # the EXIF's orientation
            if kind == "image/jpeg" and image.mode not in ("RGB", "L"):
                image = image.convert("RGB")
            clean = Image.new(image.mode, image.size)
            clean.paste(image)
            out = io.BytesIO()
            clean.save(out, format=_PILLOW_FORMATS[kind])
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise ValidationError({"file": [_("Image illisible : reprenez la photo.")]}) from None
    finally:
        upload.seek(0)
    return out.getvalue()


def thumbnail(checked: CheckedFile, *, box: tuple[int, int] = THUMBNAIL_BOX) -> ContentFile[bytes] | None:
    """A small JPEG of an image (None for a PDF), for the lists of documents."""
    if not checked.is_image:
        return None
    from PIL import Image

    source = checked.content
    source.seek(0)
    with Image.open(source) as opened:
        image = opened.convert("RGB")
        image.thumbnail(box)
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=80)
    source.seek(0)
    base = (source.name or "document").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return ContentFile(out.getvalue(), name=f"{base}-mini.jpg")


__all__ = [
    "DOCUMENT_MAX_BYTES",
    "DOCUMENT_TYPES",
    "IMAGE_MAX_PIXELS",
    "CheckedFile",
    "checked_upload",
    "reencoded_image",
    "sniff",
    "thumbnail",
]
