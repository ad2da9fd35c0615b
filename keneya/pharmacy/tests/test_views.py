"""The pharmacy pages: prescribing with warnings shown first and the override reason, the
prescription page and its PDF, allergies (record, none known, correct, void), and the parts this
app adds to the patient summary, page and timeline."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import timezone

from keneya.pharmacy import services
from keneya.pharmacy.models import Allergy, Prescription
from keneya.pharmacy.queries import summary_parts as pharmacy_summary
from keneya.records.hooks import patient_sections, patient_timeline, summary_parts

pytestmark = pytest.mark.django_db


def rx_form(**rows: Any) -> dict[str, str]:
    data = {"id": str(uuid.uuid4())}
    for index, (medicine, dose, frequency, days) in rows.items():
        i = int(index.removeprefix("row"))
        data.update(
            {
                f"item-{i}-medicine": medicine,
                f"item-{i}-dose": dose,
                f"item-{i}-frequency": frequency,
                f"item-{i}-duration_days": days,
            }
        )
    return data


def test_prescribing_page_lists_the_catalogue_and_the_allergy_state(client, users, world):
    client.force_login(users.clinician1)
    response = client.get(f"/patients/{world.head.pk}/prescrire/")
    assert response.status_code == 200
    page = response.content.decode()
    assert "Allergies : non renseignées" in page and "Doliprane (paracétamol) 500 mg, comprimé" in page


def test_the_prescriber_sees_the_allergy_warning_then_overrides_with_a_reason(client, users, world):
    services.record_allergy(by=users.clinician1, person=world.head, id=uuid.uuid4(), substance="pénicilline")
    client.force_login(users.clinician1)
    url = f"/patients/{world.head.pk}/prescrire/"
    data = rx_form(row0=("amoxicilline-500-gel", "1", "3/j", "5"))
    first = client.post(url, data)
    assert first.status_code == 200 and not Prescription.objects.exists()
    page = first.content.decode()
    assert "Bloquant" in page and "classe des pénicillines" in page and 'name="override_reason"' in page
    signature = first.context["signature"]
    refused = client.post(url, {**data, "confirmed": signature})
    assert refused.status_code == 400 and "indiquez le motif" in refused.content.decode()
    assert not Prescription.objects.exists()
    saved = client.post(url, {**data, "confirmed": signature, "override_reason": "Pas d'alternative ce jour"})
    prescription = Prescription.objects.get()
    assert saved.status_code == 302 and saved["Location"] == f"/ordonnances/{prescription.pk}/"
    assert prescription.override_reason == "Pas d'alternative ce jour"
    detail = client.get(saved["Location"]).content.decode()
    assert "Imprimer l&#x27;ordonnance (PDF)" in detail or "Imprimer l'ordonnance (PDF)" in detail
    assert "1 gélule matin, midi et soir pendant 5 jours" in detail


def test_a_prescription_without_warning_is_saved_at_once(client, users, world):
    services.record_allergy(by=users.clinician1, person=world.head, id=uuid.uuid4(), no_known_allergy=True)
    client.force_login(users.clinician1)
    response = client.post(
        f"/patients/{world.head.pk}/prescrire/", rx_form(row0=("paracetamol-500-cp", "2", "3/j", "3"))
    )
    assert response.status_code == 302 and Prescription.objects.count() == 1


def test_bad_lines_are_shown_in_french(client, users, world):
    client.force_login(users.clinician1)
    response = client.post(
        f"/patients/{world.head.pk}/prescrire/", rx_form(row0=("paracetamol-500-cp", "x", "3/j", ""))
    )
    assert response.status_code == 400
    assert (
        "Ligne 1 : dose invalide (un nombre positif de comprimé, ou en mg), durée manquante."
        in response.content.decode()
    )


def test_the_ordonnance_pdf_page_is_one_click(client, users, world):
    prescription, _ = services.prescribe(
        by=users.clinician1,
        person=world.head,
        id=uuid.uuid4(),
        items=[{"medicine": "paracetamol-500-cp", "dose": 1, "frequency": "2/j", "duration_days": 5}],
    )
    client.force_login(users.clinician1)
    response = client.get(f"/ordonnances/{prescription.pk}/ordonnance.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_allergy_page_records_corrects_and_voids(client, users, world):
    client.force_login(users.clinician1)
    url = f"/patients/{world.head.pk}/allergies/"
    assert "non renseignées" in client.get(url).content.decode()
    assert client.post(url, {"id": str(uuid.uuid4()), "no_known_allergy": "1"}).status_code == 302
    assert "Aucune allergie connue" in client.get(url).content.decode()
    body = {
        "id": str(uuid.uuid4()),
        "substance": "Bactrim",
        "kind": "allergy",
        "reaction": "éruption",
        "severity": "moderate",
        "status": "active",
    }
    assert client.post(url, body).status_code == 302
    allergy = Allergy.objects.get(voided_at__isnull=True)
    assert allergy.substance_class == "sulfonamide"  # Bactrim resolves to the sulfonamides
    assert Allergy.objects.get(no_known_allergy=True).void_reason == "Allergie enregistrée depuis."
    correction = {
        **body,
        "id": str(uuid.uuid4()),
        "severity": "severe",
        "corriger": str(allergy.pk),
        "reason": "",
    }
    assert client.post(url, correction).status_code == 400  # the reason is required
    correction["reason"] = "Œdème du visage, pas une éruption"
    assert client.post(url, correction).status_code == 302
    allergy.refresh_from_db()
    replacement = allergy.replaced_by
    assert allergy.voided_at and replacement.severity == "severe"
    void = client.post(f"{url}{replacement.pk}/annuler/", {"reason": "Erreur de patient"})
    assert void.status_code == 302
    page = client.get(url).content.decode()
    assert "Allergies : non renseignées" in page and "Erreur de patient" in page


def test_no_known_allergy_is_refused_while_an_allergy_stands(users, world):
    services.record_allergy(by=users.clinician1, person=world.head, id=uuid.uuid4(), substance="iode")
    with pytest.raises(Exception, match="annulez-les"):
        services.record_allergy(
            by=users.clinician1, person=world.head, id=uuid.uuid4(), no_known_allergy=True
        )


def test_summary_parts_give_allergies_and_current_medications_with_french_labels(users, world):
    services.record_allergy(by=users.clinician1, person=world.head, id=uuid.uuid4(), substance="aspirine")
    prescription, _ = services.prescribe(
        by=users.clinician1,
        person=world.head,
        id=uuid.uuid4(),
        items=[
            {"medicine": "amlodipine-5-cp", "dose": 1, "frequency": "matin", "duration_days": 30},
            {"medicine": "paracetamol-500-cp", "dose": 2, "frequency": "3/j", "duration_days": 3},
        ],
    )
    services.stop_item(by=users.clinician1, item=prescription.items.get(position=2), reason="Plus de douleur")
    parts: dict[str, Any] = {}
    for part in summary_parts(users.clinician1, world.head):
        parts.update(part)
    assert [a["label"] for a in parts["allergies"]] == ["Allergie : Salicylés"]
    assert len(parts["medications"]) == 1
    assert parts["medications"][0]["label"].startswith(
        "Amlodipine 5 mg, comprimé : 1 comprimé le matin pendant 30 jours"
    )
    assert parts["allergy_status"]["code"] == "known"
    assert json.loads(json.dumps(parts)) == parts  # JSON-ready
    # The chw has no clinical view: nothing.
    assert pharmacy_summary(users.chw1, world.head) == {}


def test_patient_section_and_timeline(users, world):
    from keneya.records.services import record_consultation

    consultation = record_consultation(by=users.clinician1, person=world.head, complaint="Céphalées")
    services.prescribe(
        by=users.clinician1,
        person=world.head,
        id=uuid.uuid4(),
        items=[{"medicine": "amlodipine-5-cp", "dose": 1, "frequency": "matin", "duration_days": 30}],
    )
    request = RequestFactory().get("/")
    request.user = users.clinician1
    sections = [s for part in patient_sections(request, world.head) for s in part]
    html = "".join(str(h) for _order, h in sections)
    assert "Prescrire" in html and "Imprimer" in html and "Amlodipine 5 mg" in html
    assert f"prescrire/?consultation={consultation.pk}" in html  # after today's consultation
    entries = [e for part in patient_timeline(users.clinician1, world.head) for e in part]
    assert entries[0]["kind"] == "prescription" and entries[0]["facility"] == users.clinician1.facility.name
    assert entries[0]["at"] <= timezone.now()


def test_every_page_showing_a_person_is_logged(client, users, world):
    from keneya.records.models import RecordAccess

    prescription, _ = services.prescribe(
        by=users.clinician1,
        person=world.head,
        id=uuid.uuid4(),
        items=[{"medicine": "paracetamol-500-cp", "dose": 1, "frequency": "2/j", "duration_days": 5}],
    )
    client.force_login(users.clinician1)
    RecordAccess.objects.all().delete()
    for path, action in (
        (f"/patients/{world.head.pk}/prescrire/", "prescribe_page"),
        (f"/patients/{world.head.pk}/allergies/", "allergies_page"),
        (f"/ordonnances/{prescription.pk}/", "prescription_page"),
        (f"/ordonnances/{prescription.pk}/ordonnance.pdf", "ordonnance_pdf"),
    ):
        assert client.get(path).status_code == 200
        row = RecordAccess.objects.order_by("-id").values_list("action", "person_id").first()
        assert row == (action, world.head.pk)
    # Another CSCom's clinician: 404, nothing logged.
    RecordAccess.objects.all().delete()
    client.force_login(users.clinician2)
    assert client.get(f"/ordonnances/{prescription.pk}/").status_code == 404
    assert not RecordAccess.objects.exists()
