"""Test helpers of the record: a small image with EXIF, a problem and a document on a person."""

from __future__ import annotations

import io
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from keneya.records import services


def photo_with_exif(*, size: tuple[int, int] = (64, 48), name: str = "photo.jpg") -> SimpleUploadedFile:
    """A JPEG whose EXIF carries a GPS position and a camera model (what must be stripped)."""
    from PIL import Image

    image = Image.new("RGB", size, (200, 30, 30))
    exif = Image.Exif()
    exif[0x0110] = "Telephone du clinicien"  # Model
    exif[0x8825] = {1: "N", 2: (12.0, 39.0, 0.0), 3: "W", 4: (8.0, 0.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def small_pdf(name: str = "lettre.pdf") -> SimpleUploadedFile:
    body = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def record_extras(clinician: Any, person: Any, consultation: Any) -> dict[str, Any]:
    """A problem, an attached document and the consultation's diagnosis (permission matrix)."""
    problem = services.add_problem(by=clinician, person=person, icd10_code="I10")
    document = services.attach_record_document(
        by=clinician, person=person, upload=photo_with_exif(), kind="outside_result", title="NFS Bamako"
    )
    return {
        "problem": problem.pk,
        "record_document": document.pk,
        "diagnosis": consultation.diagnoses.first().pk,
    }
