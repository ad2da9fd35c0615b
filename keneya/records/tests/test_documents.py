"""Documents attached to the record: image or PDF, size and type checked by their bytes, EXIF
stripped, a thumbnail for images, served through the storage to whoever sees the person."""

from __future__ import annotations

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from keneya.records import services
from keneya.records.models import RecordAccess, RecordDocument
from keneya.records.tests.factories import photo_with_exif, small_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def head(users, household_factory):
    return household_factory(users.chw1).head


def attach(users, head, upload, **kwargs):
    return services.attach_record_document(
        by=users.clinician1,
        person=head,
        upload=upload,
        kind=kwargs.pop("kind", "discharge_letter"),
        title=kwargs.pop("title", "Sortie Gabriel Touré"),
        **kwargs,
    )


def test_a_photo_is_stored_without_its_exif_and_gets_a_thumbnail(users, head):
    from PIL import Image

    upload = photo_with_exif(size=(800, 600))
    with Image.open(io.BytesIO(upload.read())) as original:
        assert original.getexif()  # the fixture does carry EXIF
    upload.seek(0)
    document = attach(users, head, upload)
    assert document.content_type == "image/jpeg" and document.file.name.endswith(".jpg")
    with document.file.open("rb") as stored, Image.open(stored) as image:
        assert not image.getexif() and image.size == (800, 600)
        assert "exif" not in image.info
    with document.thumbnail.open("rb") as mini, Image.open(mini) as thumb:
        assert max(thumb.size) <= 240


def test_a_pdf_is_kept_as_it_is_without_a_thumbnail(users, head):
    document = attach(users, head, small_pdf())
    assert document.content_type == "application/pdf" and not document.thumbnail
    with document.file.open("rb") as stored:
        assert stored.read().startswith(b"%PDF")


@pytest.mark.parametrize(
    "upload, message",
    [
        (
            SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"),
            "Type de fichier",
        ),
        (
            SimpleUploadedFile("x.jpg", b"\xff\xd8\xff\xe0 broken jpeg", content_type="image/jpeg"),
            "illisible",
        ),
        (SimpleUploadedFile("x.gif", b"GIF89a......", content_type="image/gif"), "Type de fichier"),
        (SimpleUploadedFile("x.pdf", b"", content_type="application/pdf"), "vide"),
    ],
)
def test_a_file_that_is_not_an_image_or_a_pdf_is_refused(users, head, upload, message):
    with pytest.raises(ValidationError, match=message):
        attach(users, head, upload)
    assert not RecordDocument.objects.exists()


def test_a_heavy_file_is_refused(users, head, settings):
    big = SimpleUploadedFile("big.pdf", b"%PDF" + b"0" * (services.RECORD_DOCUMENT_MAX_BYTES + 1))
    with pytest.raises(ValidationError, match="10 Mo au plus"):
        attach(users, head, big)


def test_a_title_and_a_known_kind_are_needed(users, head):
    with pytest.raises(ValidationError) as error:
        attach(users, head, small_pdf(), kind="selfie", title=" ")
    assert set(error.value.message_dict) == {"kind", "title"}


def test_only_a_clinician_in_scope_attaches(users, head):
    with pytest.raises(PermissionDenied):
        services.attach_record_document(
            by=users.clinician2, person=head, upload=small_pdf(), kind="old_file", title="Ancien dossier"
        )


def test_the_file_is_served_to_whoever_sees_the_person_and_the_read_is_logged(users, head, client):
    document = attach(users, head, photo_with_exif())
    RecordAccess.objects.all().delete()
    url = f"/patients/{head.pk}/documents/{document.pk}/"
    client.force_login(users.clinician1)
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff" and "no-store" in response["Cache-Control"]
    assert client.get(url + "?mini=1")["Content-Type"] == "image/jpeg"
    assert {r.action for r in RecordAccess.objects.all()} == {"record_document_file"}
    client.force_login(users.clinician2)
    assert client.get(url).status_code == 404


def test_the_api_uploads_and_lists_documents_and_a_page_voids_them(users, head, client):
    api = APIClient()
    api.force_login(users.clinician1)
    url = f"/api/v1/persons/{head.pk}/documents/"
    body = {"file": photo_with_exif(), "kind": "outside_result", "title": "Goutte épaisse Bamako"}
    created = api.post(url, body, format="multipart")
    assert created.status_code == 201, created.content
    assert created.json()["thumbnail_url"].endswith("?mini=1")
    bad = api.post(url, {"file": SimpleUploadedFile("a.txt", b"hello"), "kind": "other", "title": "x"})
    assert bad.status_code == 400 and "Type de fichier refusé" in bad.content.decode()
    assert [d["title"] for d in api.get(url).json()] == ["Goutte épaisse Bamako"]
    client.force_login(users.clinician1)
    document_id = created.json()["id"]
    response = client.post(
        f"/patients/{head.pk}/documents/{document_id}/retirer/", {"reason": "Mauvais patient"}
    )
    assert response.status_code == 302
    assert api.get(url).json() == []
    assert RecordDocument.objects.get().void_reason == "Mauvais patient"


def test_the_patient_page_lists_the_documents_and_uploads_one(users, head, client):
    client.force_login(users.clinician1)
    response = client.post(
        f"/patients/{head.pk}/documents/",
        {"file": small_pdf(), "kind": "old_file", "title": "Ancien carnet", "document_date": "2019-05-02"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#documents")
    page = client.get(f"/patients/{head.pk}/").content.decode()
    assert "Ancien carnet" in page and "Ancien dossier papier" in page
