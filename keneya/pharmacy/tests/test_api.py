"""The pharmacy API contract (issue #14 §6): medicines, allergies, prescriptions, the PDF."""

from __future__ import annotations

import re
import shutil
import subprocess
import uuid
from typing import Any

import pytest

from keneya.core.tests.pdf_text import pdf_text
from keneya.pharmacy.models import Allergy, Prescription
from keneya.pharmacy.tests.conftest import api
from keneya.records.models import RecordAccess

pytestmark = pytest.mark.django_db


def item(medicine: str = "amoxicilline-500-gel", **extra: Any) -> dict[str, Any]:
    return {"medicine": medicine, "dose": 1, "frequency": "3/j", "duration_days": 5, "quantity": 15, **extra}


def post_allergy(client: Any, person: Any, substance: str, **extra: Any) -> Any:
    body = {"id": str(uuid.uuid4()), "substance": substance, "reaction": "urticaire", "severity": "moderate"}
    return client.post(f"/api/v1/persons/{person.pk}/allergies/", {**body, **extra}, format="json")


def post_prescription(client: Any, person: Any, items: list[dict[str, Any]], **extra: Any) -> Any:
    body = {"id": str(uuid.uuid4()), "person": str(person.pk), "items": items, **extra}
    return client.post("/api/v1/prescriptions/", body, format="json")


def test_medicine_search_lists_code_dci_form_strength_generic(as_clinician):
    response = as_clinician.get("/api/v1/medicines/?search=doliprane")
    assert response.status_code == 200
    rows = response.json()
    assert rows and {"code", "dci", "form", "strength", "generic"} <= set(rows[0])
    assert rows[0]["generic"] is False and rows[0]["dci"] == "paracétamol"
    generic = as_clinician.get("/api/v1/medicines/?search=paracetamol 500").json()
    assert any(r["code"] == "paracetamol-500-cp" and r["generic"] for r in generic)


def test_allergy_created_listed_and_idempotent(as_clinician, world):
    body = {
        "id": str(uuid.uuid4()),
        "substance": "amoxicilline-500-gel",
        "reaction": "œdème",
        "severity": "severe",
    }
    first = as_clinician.post(f"/api/v1/persons/{world.head.pk}/allergies/", body, format="json")
    assert first.status_code == 201
    assert (
        first.json()["substance_label"] == "Amoxicilline"
        and "Allergie : Amoxicilline" in first.json()["label"]
    )
    again = as_clinician.post(f"/api/v1/persons/{world.head.pk}/allergies/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Allergy.objects.count() == 1
    listed = as_clinician.get(f"/api/v1/persons/{world.head.pk}/allergies/")
    assert listed["X-Allergy-Status"] == "known" and len(listed.json()) == 1


def test_free_text_allergy_and_no_known_allergy_are_distinct_from_not_asked(as_clinician, world):
    url = f"/api/v1/persons/{world.child.pk}/allergies/"
    assert as_clinician.get(url).json() == [] and as_clinician.get(url)["X-Allergy-Status"] == "not_asked"
    none = as_clinician.post(url, {"id": str(uuid.uuid4()), "no_known_allergy": True}, format="json")
    assert none.status_code == 201 and none.json()["label"] == "Aucune allergie connue"
    assert as_clinician.get(url)["X-Allergy-Status"] == "none_known"
    assert post_allergy(as_clinician, world.child, "arachides", severity="sévère").status_code == 201
    state = as_clinician.get(url)
    assert state["X-Allergy-Status"] == "known" and [a["substance"] for a in state.json()] == ["arachides"]
    assert state.json()[0]["severity"] == "severe"
    # The voided "no known allergy" is in the history.
    history = as_clinician.get(url + "?history=1").json()
    assert [a["voided"] for a in history] == [False, True]


@pytest.mark.parametrize(
    "body",
    [
        {"id": "pas-un-uuid", "substance": "x"},
        {"substance": "x"},
        {"id": str(uuid.uuid4())},
        {"id": str(uuid.uuid4()), "substance": "x", "severity": "épouvantable"},
    ],
)
def test_allergy_bad_input_is_a_400(as_clinician, world, body):
    response = as_clinician.post(f"/api/v1/persons/{world.head.pk}/allergies/", body, format="json")
    assert response.status_code == 400


def test_allergy_id_taken_for_another_person_is_a_409_that_says_nothing(as_clinician, world):
    body = {"id": str(uuid.uuid4()), "substance": "aspirine"}
    assert (
        as_clinician.post(f"/api/v1/persons/{world.head.pk}/allergies/", body, format="json").status_code
        == 201
    )
    again = as_clinician.post(f"/api/v1/persons/{world.child.pk}/allergies/", body, format="json")
    assert again.status_code == 409 and again.json()["code"] == "id_taken"


def test_allergy_conflict_blocks_with_409_and_saves_nothing(as_clinician, world):
    post_allergy(as_clinician, world.head, "pénicilline")
    response = post_prescription(as_clinician, world.head, [item("amoxicilline-500-gel")])
    assert response.status_code == 409
    body = response.json()
    assert body["code"] == "allergy_conflict"
    assert any(w["code"] == "allergy" and w["blocking"] for w in body["warnings"])
    assert not Prescription.objects.exists()


def test_allergy_override_with_a_reason_saves_and_stores_the_warning(as_clinician, world):
    post_allergy(as_clinician, world.head, "amoxicilline-500-gel")
    response = post_prescription(
        as_clinician,
        world.head,
        [item("augmentin-500-125-cp")],
        override_reason="Réaction ancienne douteuse, pas d'alternative disponible",
    )
    assert response.status_code == 201
    stored = Prescription.objects.get()
    assert stored.override_reason.startswith("Réaction ancienne") and stored.blocking_overridden
    assert [w["code"] for w in response.json()["warnings"]] == [w["code"] for w in stored.warnings]
    assert "allergy" in [w["code"] for w in stored.warnings]


def test_brand_for_a_ramed_patient_is_flagged_with_the_generic(as_clinician, ramed_head):
    post_allergy(as_clinician, ramed_head, "arachides")
    response = post_prescription(
        as_clinician,
        ramed_head,
        [{**item("doliprane-500-cp"), "dose": 2, "frequency": "3/j", "quantity": 30}],
    )
    assert response.status_code == 201
    warnings = response.json()["warnings"]
    ramed = [w for w in warnings if w["code"] == "not_generic_for_ramed"]
    assert ramed and ramed[0]["generic"] == "paracetamol-500-cp"
    assert "paracétamol" in ramed[0]["message"].lower()
    assert response.json()["coverage"][0]["card_number"] == "RAMED-77"


def test_generic_for_a_ramed_patient_is_not_flagged(as_clinician, ramed_head):
    response = post_prescription(as_clinician, ramed_head, [item("paracetamol-500-cp", dose=2)])
    assert response.status_code == 201
    assert "not_generic_for_ramed" not in [w["code"] for w in response.json()["warnings"]]


def test_an_item_outside_the_mutuelle_package_is_flagged(as_clinician, mutuelle_head):
    from keneya.social_protection.queries import coverage_for

    assert [c["status"] for c in coverage_for(mutuelle_head)] == ["active"]
    response = post_prescription(
        as_clinician,
        mutuelle_head,
        [item("coartem-20-120-cp", dose=4, frequency="2/j", duration_days=3, quantity=24)],
    )
    assert response.status_code == 201
    flagged = [w for w in response.json()["warnings"] if w["code"] == "outside_mutuelle_package"]
    assert flagged and flagged[0]["generic"] == "artemether-lumefantrine-20-120-cp"
    generic = post_prescription(as_clinician, mutuelle_head, [item("amoxicilline-500-gel")])
    assert "outside_mutuelle_package" not in [w["code"] for w in generic.json()["warnings"]]


def test_dose_outside_the_usual_range_is_a_warning(as_clinician, world):
    # A 2-year-old of 12 kg: amoxicillin 500 mg x 3 x 3 = 375 mg/kg/day.
    response = post_prescription(
        as_clinician, world.child, [item("amoxicilline-500-gel", dose=3)], weight_kg="12"
    )
    assert response.status_code == 201
    dose = [w for w in response.json()["warnings"] if w["code"] == "dose_range"]
    assert dose and dose[0]["unit"] == "mg/kg/jour" and not dose[0]["blocking"]


def test_a_dose_may_be_written_in_mg(as_clinician, world):
    post_allergy(as_clinician, world.head, "arachides")
    response = post_prescription(as_clinician, world.head, [item("amoxicilline-500-gel", dose="500 mg")])
    assert response.status_code == 201 and response.json()["items"][0]["dose"] == "1.00"


def test_prescription_without_warning_other_than_allergies_not_asked(as_clinician, world):
    post_allergy(as_clinician, world.head, "arachides")
    response = post_prescription(as_clinician, world.head, [item("amoxicilline-500-gel")])
    assert response.status_code == 201
    assert response.json()["warnings"] == []
    assert response.json()["items"][0]["words"] == "1 gélule matin, midi et soir pendant 5 jours"


@pytest.mark.parametrize(
    "items",
    [
        [item("inconnu-999")],
        [
            {"medicine": "amoxicilline-500-gel", "dose": 1, "frequency": "3/j", "duration_days": 5}
        ],  # no quantity
        [{"dose": 1, "frequency": "3/j", "duration_days": 5, "quantity": 3}],
        [item(frequency="toutes les lunes")],
        [item(dose="beaucoup")],
        [item(duration_days=0)],
        [item(dose=0)],
        [],
    ],
)
def test_unknown_medicine_or_missing_field_is_a_400(as_clinician, world, items):
    response = post_prescription(as_clinician, world.head, items)
    assert response.status_code == 400, response.content
    assert not Prescription.objects.exists()


def test_missing_person_is_a_400(as_clinician):
    response = as_clinician.post(
        "/api/v1/prescriptions/", {"id": str(uuid.uuid4()), "items": [item()]}, format="json"
    )
    assert response.status_code == 400


def test_same_id_twice_creates_nothing_new(as_clinician, world):
    body = {"id": str(uuid.uuid4()), "person": str(world.head.pk), "items": [item()]}
    assert as_clinician.post("/api/v1/prescriptions/", body, format="json").status_code == 201
    again = as_clinician.post("/api/v1/prescriptions/", body, format="json")
    assert again.status_code == 200 and again.json()["id"] == body["id"]
    assert Prescription.objects.count() == 1


def test_an_id_taken_outside_scope_is_a_409_that_reveals_nothing(
    users, as_clinician, world, household_factory, district
):
    body = {"id": str(uuid.uuid4()), "person": str(world.head.pk), "items": [item()]}
    assert as_clinician.post("/api/v1/prescriptions/", body, format="json").status_code == 201
    other_household = household_factory(users.chw2, quartier=district.q2a)
    other = api(users.clinician2)
    response = other.post(
        "/api/v1/prescriptions/", {**body, "person": str(other_household.head.pk)}, format="json"
    )
    assert response.status_code == 409 and response.json()["code"] == "id_taken"
    # Sent with the first person's id (outside their scope): the same 409.
    response = other.post("/api/v1/prescriptions/", body, format="json")
    assert response.status_code == 409 and response.json() == {
        "code": "id_taken",
        "detail": "Cet identifiant est déjà utilisé.",
    }


def test_another_cscom_clinician_sees_nothing(users, as_clinician, world):
    post_allergy(as_clinician, world.head, "aspirine")
    created = post_prescription(as_clinician, world.head, [item()]).json()
    other = api(users.clinician2)
    assert other.get(f"/api/v1/prescriptions/{created['id']}/").status_code == 404
    assert other.get(f"/api/v1/prescriptions/{created['id']}/pdf/").status_code == 404
    assert other.get(f"/api/v1/persons/{world.head.pk}/allergies/").status_code == 404
    assert other.get("/api/v1/prescriptions/").json() == []
    assert post_prescription(other, world.head, [item()]).status_code == 400  # "Patient inconnu."
    assert post_allergy(other, world.head, "iode").status_code == 404


def test_roles_without_the_capability_are_refused(users, world):
    assert post_prescription(api(users.chw1), world.head, [item()]).status_code == 403
    assert post_prescription(api(users.manager1), world.head, [item()]).status_code == 403
    assert post_allergy(api(users.manager1), world.head, "iode").status_code == 403
    assert api(users.social).get("/api/v1/medicines/").status_code == 403


def test_the_pdf_is_a5_and_names_the_patient_and_items_in_french(as_clinician, ramed_head):
    created = post_prescription(
        as_clinician,
        ramed_head,
        [
            item("amoxicilline-500-gel"),
            {**item("paracetamol-500-cp"), "dose": 2, "frequency": "2/j", "duration_days": 3},
        ],
    ).json()
    RecordAccess.objects.all().delete()
    response = as_clinician.get(f"/api/v1/prescriptions/{created['id']}/pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = " ".join(pdf_text(response.content).split())
    assert "Ordonnance" in text and "Traoré" in text and "Moussa" in text
    assert "1 gélule matin, midi et soir pendant 5 jours" in text
    assert "2 comprimés matin et soir pendant 3 jours" in text
    assert "RAMED" in text and "RAMED-77" in text and created["reference"] in text
    assert RecordAccess.objects.get().action == "ordonnance_pdf"
    size = re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", pdf_info(response.content))
    assert size and abs(float(size[1]) - 419.5) < 2 and abs(float(size[2]) - 595.3) < 2  # A5, points


def pdf_info(data: bytes) -> str:
    """poppler's pdfinfo (installed with pdftotext): "Page size: 419.528 x 595.276 pts"."""
    result = subprocess.run(
        [shutil.which("pdfinfo") or "pdfinfo", "-"], input=data, capture_output=True, check=True, timeout=60
    )
    return result.stdout.decode("utf-8")


def test_reads_are_logged_with_the_person(as_clinician, world):
    created = post_prescription(as_clinician, world.head, [item()]).json()
    RecordAccess.objects.all().delete()
    as_clinician.get(f"/api/v1/prescriptions/{created['id']}/")
    as_clinician.get(f"/api/v1/persons/{world.head.pk}/allergies/")
    as_clinician.get(f"/api/v1/prescriptions/?person={world.head.pk}")
    rows = list(RecordAccess.objects.order_by("id").values_list("action", "person_id"))
    assert rows == [
        ("prescription_api", world.head.pk),
        ("allergies_api", world.head.pk),
        ("prescription_list_api", world.head.pk),
    ]


def test_check_endpoint_shows_warnings_without_saving(as_clinician, world):
    post_allergy(as_clinician, world.head, "sulfamides")
    body = {
        "id": str(uuid.uuid4()),
        "person": str(world.head.pk),
        "items": [item("cotrimoxazole-800-160-cp")],
    }
    response = as_clinician.post("/api/v1/prescriptions/check/", body, format="json")
    assert response.status_code == 200 and response.json()["blocking"] is True
    assert not Prescription.objects.exists()


def test_stop_an_item_with_a_reason(as_clinician, world):
    created = post_prescription(as_clinician, world.head, [item()]).json()
    item_id = created["items"][0]["id"]
    url = f"/api/v1/prescriptions/{created['id']}/items/{item_id}/stop/"
    assert as_clinician.post(url, {}, format="json").status_code == 400
    response = as_clinician.post(url, {"reason": "Éruption cutanée"}, format="json")
    assert response.status_code == 200 and response.json()["items"][0]["stop_reason"] == "Éruption cutanée"


def test_the_openapi_schema_describes_the_pharmacy_endpoints(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/medicines/",
        "/api/v1/persons/{id}/allergies/",
        "/api/v1/prescriptions/",
        "/api/v1/prescriptions/check/",
        "/api/v1/prescriptions/{id}/",
        "/api/v1/prescriptions/{id}/pdf/",
    ):
        assert path in paths, sorted(p for p in paths if "presc" in p or "allerg" in p)
