"""An allergy and a prescription made through the services, for tests (the permission matrix)."""

from __future__ import annotations

import uuid
from typing import Any

from keneya.pharmacy import services


def pharmacy_objects(clinician: Any, person: Any) -> dict[str, Any]:
    allergy, _created = services.record_allergy(
        by=clinician, person=person, id=uuid.uuid4(), substance="sulfamides", reaction="éruption"
    )
    prescription, _created = services.prescribe(
        by=clinician,
        person=person,
        id=uuid.uuid4(),
        items=[{"medicine": "paracetamol-500-cp", "dose": 2, "frequency": "3/j", "duration_days": 3}],
    )
    return {
        "allergy": allergy.pk,
        "prescription": prescription.pk,
        "prescription_item": prescription.items.get().pk,
    }
