"""The web parts of social protection: coverage where care happens, appointments and renewals
as worklist tasks, SMS through the outbox, scans and mutuelle payments on the dossier page."""

from __future__ import annotations

import html
import io
import re
import uuid
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from keneya.notifications.models import OutboxMessage
from keneya.people.services import add_member
from keneya.people.tests.factories import person
from keneya.records.models import RecordAccess
from keneya.social_protection import queries, services
from keneya.social_protection.models import Appointment, DocumentFile, Dossier
from keneya.social_protection.tests.factories import (
    TINY_PDF,
    demo_grid_active,
    issued_card,
    opened_dossier,
    screened,
)
from keneya.visits.services import record_home_visit
from keneya.worklist.queries import tasks_for_chw

pytestmark = pytest.mark.django_db


def text(response) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def _tasks(users, kind):
    return [t for t in tasks_for_chw(chw=users.chw1, on=timezone.localdate()) if t.kind == kind]


@pytest.fixture
def household(users, household_factory):
    demo_grid_active(users.admin)
    household = household_factory(users.chw1, phone="76 12 34 56")
    screened(users.chw1, household)
    return household


@pytest.fixture
def dossier(users, household):
    return opened_dossier(users.social, household, "ramed")


def _card(users, dossier, *, until_days: int):
    today = timezone.localdate()
    return issued_card(
        users.social,
        dossier,
        valid_from=today - timedelta(days=3 * 365 - until_days),
        valid_until=today + timedelta(days=until_days),
    )


# --- 1. Coverage where care happens --------------------------------------------------------------


def test_the_clinician_sees_ramed_valid_until_on_the_patient_page_and_the_consultation_form(
    client, users, dossier
):
    card = _card(users, dossier, until_days=400)
    client.force_login(users.clinician1)
    line = f"RAMED valide jusqu'au {card.valid_until:%d/%m/%Y}"
    head = dossier.household.head
    assert line in text(client.get(f"/patients/{head.pk}/"))
    assert line in text(client.get(f"/patients/{head.pk}/consultation/"))


def test_a_person_without_a_dossier_reads_no_coverage_screening_advised(client, users, household):
    client.force_login(users.clinician1)
    page = text(client.get(f"/patients/{household.head.pk}/"))
    assert "Aucune couverture : dépistage conseillé" in page


def test_roles_without_coverage_view_get_no_lines(users, dossier):
    head = dossier.household.head
    assert queries.coverage_lines_for(users.me, [head]) == {}
    assert queries.coverage_lines_for(users.clinician1, [head]) == {head.pk: ["RAMED : dossier en cours"]}


def test_the_person_page_shows_the_coverage_and_the_open_appointments_to_the_chw(client, users, dossier):
    services.schedule_appointment(
        by=users.social,
        dossier=dossier,
        kind="social_survey",
        on=timezone.localdate() + timedelta(days=3),
        place="Mairie",
    )
    client.force_login(users.chw1)
    page = text(client.get(f"/personnes/{dossier.household.head.pk}/"))
    assert "RAMED : dossier en cours" in page
    assert "Enquête sociale (SLDS-ES)" in page and "Fait" in page


def _alerted_child(users, household, name):
    child = add_member(
        by=users.chw1,
        household=household,
        data=person("Traoré", name, "F", timezone.localdate() - timedelta(days=400)),
    )
    record_home_visit(
        by=users.chw1,
        person=child,
        visit_date=timezone.localdate(),
        kind="sick_child",
        findings={"chest_indrawing": True},
    )
    return child


def test_the_inbox_row_shows_the_coverage_in_a_fixed_number_of_queries(client, users, household):
    first = _alerted_child(users, household, "Fanta")
    mutuelle = opened_dossier(users.social, household, "mutuelle", [household.head, first])
    services.record_contribution(
        by=users.social,
        id=uuid.uuid4(),
        dossier=mutuelle,
        kind="membership_fee",
        amount_xof=1000,
        paid_on=timezone.localdate(),
    )
    client.force_login(users.clinician1)
    client.get("/alertes/")
    with CaptureQueriesContext(connection) as one:
        page = text(client.get("/alertes/"))
    assert "Mutuelle : dossier en cours" in page
    for name in ("Bintou", "Kadia", "Mariam"):
        _alerted_child(users, household, name)
    with CaptureQueriesContext(connection) as four:
        page = text(client.get("/alertes/"))
    assert len(four) == len(one)
    # The children outside the dossier: no coverage, screening advised.
    assert page.count("Aucune couverture : dépistage conseillé") == 3


# --- 2. Appointments -----------------------------------------------------------------------------


def test_an_appointment_fixed_on_the_dossier_page_becomes_a_chw_task_resolved_by_fait(client, users, dossier):
    on = timezone.localdate() + timedelta(days=1)
    client.force_login(users.social)
    response = client.post(
        f"/protection-sociale/dossiers/{dossier.pk}/rendez-vous/",
        {"kind": "social_survey", "on": on.isoformat(), "place": "Mairie"},
    )
    assert response.status_code == 302
    appointment = Appointment.objects.get(dossier=dossier)
    assert "Enquête sociale (SLDS-ES)" in text(client.get(f"/protection-sociale/dossiers/{dossier.pk}/"))

    [task] = [
        t for t in tasks_for_chw(chw=users.chw1, on=timezone.localdate()) if t.kind == "social_appointment"
    ]
    assert task.title_fr == f"Accompagner la famille : enquête sociale (SLDS-ES) le {on:%d/%m}"
    assert task.person_id == dossier.household.head_id and task.status == "due"

    other = client.__class__()
    other.force_login(users.chw2)
    assert other.post(f"/protection-sociale/rendez-vous/{appointment.pk}/fait/").status_code == 404
    client.force_login(users.chw1)
    assert client.post(f"/protection-sociale/rendez-vous/{appointment.pk}/fait/").status_code == 302
    appointment.refresh_from_db()
    assert appointment.done_on == timezone.localdate()
    assert not [
        t for t in tasks_for_chw(chw=users.chw1, on=timezone.localdate()) if t.kind == "social_appointment"
    ]


def test_an_appointment_in_the_past_or_of_an_unknown_kind_is_refused_in_french(users, dossier):
    with pytest.raises(ValidationError) as refused:
        services.schedule_appointment(
            by=users.social, dossier=dossier, kind="party", on=timezone.localdate() - timedelta(days=1)
        )
    assert refused.value.message_dict == {
        "kind": ["Type de rendez-vous inconnu."],
        "on": ["Un rendez-vous se fixe aujourd'hui ou plus tard."],
    }
    assert not Appointment.objects.exists()


# --- 3. Renewals ---------------------------------------------------------------------------------


def test_a_card_in_its_renewal_lead_time_is_listed_and_tasked_until_the_renewal_dossier_opens(
    client, users, dossier
):
    card = _card(users, dossier, until_days=30)  # RAMED: renewal from 60 days before the end
    client.force_login(users.social)
    page = text(client.get("/protection-sociale/"))
    assert "Renouvellements à préparer (1)" in page and card.reference in page
    [task] = _tasks(users, "card_renewal")
    assert task.title_fr == "Carte RAMED à renouveler" and task.due_by == card.valid_until

    household = card.household
    form = client.get(f"/protection-sociale/menages/{household.pk}/ouvrir/?renouvellement={card.pk}")
    assert "Renouvellement de la carte du dossier" in text(form)
    members = [str(pk) for pk in card.members.values_list("person_id", flat=True)]
    response = client.post(
        f"/protection-sociale/menages/{household.pk}/ouvrir/?renouvellement={card.pk}",
        {"scheme": "ramed", "members": members},
    )
    assert response.status_code == 302
    assert Dossier.objects.get(renewal_of=card).status == "identified"
    assert "Renouvellements à préparer" not in text(client.get("/protection-sociale/"))
    assert not _tasks(users, "card_renewal")


def test_a_card_far_from_its_end_is_not_listed_for_renewal(users, dossier):
    _card(users, dossier, until_days=200)
    assert queries.renewals_for(users.social) == []


def test_an_expired_card_reads_expired_never_active(users, dossier):
    card = _card(users, dossier, until_days=10)
    later = card.valid_until + timedelta(days=1)
    [entry] = queries.coverage_for(card.household.head, on=later)
    assert entry["status"] == "expired"
    assert queries.coverage_text([entry]) == [f"RAMED expirée depuis le {card.valid_until:%d/%m/%Y}"]
    [row] = queries.cards_to_renew(Dossier.objects.all(), on=later)
    assert row.expired


# --- 4. SMS --------------------------------------------------------------------------------------


def test_rappeler_les_pieces_queues_one_sms_naming_the_missing_documents_once_a_day(client, users, dossier):
    client.force_login(users.social)
    url = f"/protection-sociale/dossiers/{dossier.pk}/rappeler-pieces/"
    assert client.post(url).status_code == 302
    assert client.post(url).status_code == 302
    [sms] = OutboxMessage.objects.filter(template="social_documents_missing")
    assert sms.recipient.endswith("76123456")
    assert dossier.reference in sms.body and "Certificat de r" in sms.body
    assert len(sms.body) <= 160


def test_the_card_issued_step_queues_card_ready_once(users, dossier):
    card = _card(users, dossier, until_days=900)
    [sms] = OutboxMessage.objects.filter(template="social_card_ready")
    assert sms.dedup_key == f"social:card_ready:{card.pk}"
    assert "carte RAMED de la famille Traoré est prête" in sms.body.replace("prete", "prête")


def test_renewal_reminders_go_once_per_card_by_the_command(users, dossier, household_factory):
    _card(users, dossier, until_days=30)
    far = opened_dossier(users.social, household_factory(users.chw1, phone="76 99 88 77"), "ramed")
    _card(users, far, until_days=500)
    out = io.StringIO()
    call_command("social_reminders", stdout=out)
    call_command("social_reminders", stdout=out)
    assert services.send_renewal_reminders() == 1  # the same row again, nothing new
    [sms] = OutboxMessage.objects.filter(template="social_renewal_due")
    assert dossier.reference in sms.body and "expire le" in sms.body
    assert "1 rappel(s)" in out.getvalue()


# --- 5. Scans ------------------------------------------------------------------------------------


def _jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (40, 30), "white")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (12.0, 39.0, 0.0)}  # GPS latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_a_photo_is_stored_without_its_exif_and_served_only_to_the_social_worker(client, users, dossier):
    document = dossier.documents.first()
    photo = _jpeg_with_exif()
    assert b"PhoneMaker" in photo
    client.force_login(users.social)
    response = client.post(
        f"/protection-sociale/dossiers/{dossier.pk}/pieces/{document.pk}/fichier/",
        {"file": SimpleUploadedFile("IMG_0001.jpg", photo, content_type="image/jpeg")},
    )
    assert response.status_code == 302
    stored = DocumentFile.objects.get(document=document)
    with stored.file.open("rb") as handle:
        data = handle.read()
    assert b"PhoneMaker" not in data and not Image.open(io.BytesIO(data)).getexif()
    assert stored.content_type == "image/jpeg" and stored.size == len(data)

    assert "Photo" in text(client.get(f"/protection-sociale/dossiers/{dossier.pk}/"))
    url = f"/protection-sociale/dossiers/{dossier.pk}/fichiers/{stored.pk}/"
    served = client.get(url)
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert b"".join(served.streaming_content) == data
    assert served["X-Content-Type-Options"] == "nosniff"
    assert RecordAccess.objects.filter(user=users.social, person=document.person).exists()

    client.force_login(users.chw1)
    assert client.get(url).status_code == 403
    client.force_login(users.clinician1)
    assert client.get(url).status_code == 403


def test_an_upload_of_another_type_or_too_heavy_is_refused(users, dossier):
    document = dossier.documents.first()
    with pytest.raises(ValidationError) as refused:
        services.attach_document_file(
            by=users.social, document=document, upload=SimpleUploadedFile("x.html", b"<html>", "text/html")
        )
    assert "Type de fichier refusé" in refused.value.messages[0]
    heavy = SimpleUploadedFile("big.pdf", TINY_PDF + b"0" * (5 * 1024 * 1024), "application/pdf")
    with pytest.raises(ValidationError) as refused:
        services.attach_document_file(by=users.social, document=document, upload=heavy)
    assert "trop lourd" in refused.value.messages[0]
    broken = SimpleUploadedFile("broken.jpg", b"\xff\xd8\xff\xe0garbage", "image/jpeg")
    with pytest.raises(ValidationError) as refused:
        services.attach_document_file(by=users.social, document=document, upload=broken)
    assert "Image illisible" in refused.value.messages[0]
    assert not DocumentFile.objects.exists()


# --- 6. Mutuelle contributions -------------------------------------------------------------------


def test_the_mutuelle_page_records_and_voids_payments_and_shows_arrears(client, users, household):
    mutuelle = opened_dossier(users.social, household, "mutuelle", [household.head])
    url = f"/protection-sociale/dossiers/{mutuelle.pk}/"
    client.force_login(users.social)
    assert "Droit d'adhésion non payé" in text(client.get(url))
    joined = timezone.localdate() - timedelta(days=100)
    client.post(
        url + "cotisations/",
        {"kind": "membership_fee", "amount_xof": "2500", "paid_on": joined.isoformat()},
    )
    page = text(client.get(url))
    assert "En retard de" in page and "Période de stage jusqu'au" in page
    client.post(
        url + "cotisations/",
        {"kind": "monthly", "amount_xof": "3000", "months": "6", "paid_on": timezone.localdate().isoformat()},
    )
    assert "Cotisations à jour" in text(client.get(url))

    monthly = mutuelle.payments.get(kind="monthly")
    assert client.post(url + f"cotisations/{monthly.pk}/annuler/", {"reason": ""}).status_code == 302
    assert not mutuelle.payments.filter(voids=monthly).exists()
    client.post(url + f"cotisations/{monthly.pk}/annuler/", {"reason": "Erreur de saisie"})
    assert mutuelle.payments.get(voids=monthly).memo == "Erreur de saisie"
    page = text(client.get(url))
    assert "En retard de" in page and "annulation : Erreur de saisie" in page


def test_the_renewal_reminders_run_from_the_scheduler():
    from keneya.core.periodic import periodic_job

    job = periodic_job("social_renewal_reminders")
    assert job.run.__module__ == "keneya.social_protection.jobs"


# --- 6. Maker-checker on the web, and the dossier page's forms ----------------------------------


def test_the_social_worker_validates_a_chw_screening_then_opens_the_dossier_from_the_list(
    client, users, household
):
    screening = household.screenings.get()
    client.force_login(users.social)
    page = client.get("/protection-sociale/")
    assert "Dépistages à valider (1)" in text(page) and "Moussa Traoré" in text(page)
    response = client.post(f"/protection-sociale/depistages/{screening.pk}/valider/")
    assert response.status_code == 302 and response["Location"].endswith("#a-ouvrir")
    screening.refresh_from_db()
    assert screening.validated_by == users.social and screening.validated_at is not None
    page = text(client.get("/protection-sociale/"))
    assert "Dépistages à valider" not in page
    assert "Dépistages validés, dossier à ouvrir (1)" in page
    opened_dossier(users.social, household, "ramed")
    assert "dossier à ouvrir" not in text(client.get("/protection-sociale/"))


def test_a_screening_is_not_validated_by_its_author(client, users, household):
    screening = household.screenings.get()
    again, _created = services.record_screening(
        by=users.social,
        id=uuid.uuid4(),
        household=household,
        screened_on=timezone.localdate(),
        answers=screening.answers,
    )
    client.force_login(users.social)
    response = client.post(f"/protection-sociale/depistages/{again.pk}/valider/", follow=True)
    assert "validé par une autre personne que son auteur" in text(response)
    again.refresh_from_db()
    assert again.validated_at is None
    assert client.post(f"/protection-sociale/depistages/{uuid.uuid4()}/valider/").status_code == 404


def test_the_dossier_page_shows_a_document_s_stored_date_back_in_its_form(client, users, dossier):
    document = dossier.documents.get(person__given_names="Aminata", kind="birth_certificate")
    issued = timezone.localdate() - timedelta(days=12)
    services.update_document(
        by=users.social,
        document=document,
        status="verified",
        issued_on=issued,
        substitute="jugement_suppletif",
    )
    client.force_login(users.social)
    body = client.get(f"/protection-sociale/dossiers/{dossier.pk}/").content.decode()
    assert f'name="{document.pk}-issued_on" value="{issued.isoformat()}"' in body
    page = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", body)).split())
    assert f"délivrée le {issued:%d/%m/%Y}" in page
    assert "remplacée par Jugement supplétif d'acte de naissance" in page
    assert "Pièce · Extrait d'acte de naissance : Vérifié" in page  # the timeline, in French
    # a document that accepts no substitute offers no empty choice
    residence = dossier.documents.get(kind="residence_certificate")
    assert f'name="{residence.pk}-substitute"' not in body
