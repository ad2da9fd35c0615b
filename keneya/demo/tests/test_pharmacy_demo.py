"""The demo's allergies and prescriptions: through the services, deterministic, reset cleanly."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from keneya.pharmacy.models import Allergy, Prescription, PrescriptionItem
from keneya.records.models import Consultation


def snapshot() -> dict[str, Any]:
    return {
        "prescriptions": sorted(Prescription.objects.values_list("id", "prescribed_at", "override_reason")),
        "items": sorted(PrescriptionItem.objects.values_list("prescription_id", "medicine_code", "dose")),
        "allergies": sorted(Allergy.objects.values_list("id", "substance", "no_known_allergy")),
    }


def pharmacy_part() -> Callable[[], None]:
    """Checks on the seeded demo; returns the checks after the reset (test_every_part_...)."""
    consultations = Consultation.objects.count()
    prescriptions = Prescription.objects.count()
    assert consultations and prescriptions >= 0.5 * consultations
    # Written at the consultation's time, by its clinician, at its facility.
    for p in Prescription.objects.select_related("consultation")[:50]:
        assert p.consultation is not None and p.prescribed_at == p.consultation.consulted_at
        assert p.prescriber_id == p.consultation.clinician_id and p.facility_id == p.consultation.facility_id
    # No blocking allergy was overridden: the demo replaces the medicine instead.
    assert not Prescription.objects.filter(blocking_overridden=True).exists()
    assert Allergy.objects.filter(no_known_allergy=True).exists()
    first = snapshot()

    def after_reset() -> None:
        assert snapshot() == first

    return after_reset
