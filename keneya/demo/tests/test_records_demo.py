"""The demo's record (keneya/demo/records.py): problem lists through the services, follow-ups,
documents, CSRef reviews counter-referred into the same record; the reset removes them."""

from __future__ import annotations

from collections.abc import Callable

from keneya.core.models import FacilityKind
from keneya.records.models import Consultation, Problem, ProblemStatus, RecordDocument
from keneya.referrals.models import Referral


def records_part() -> Callable[[], None]:
    """Checks on the seeded demo; returns the checks after the reset (test_every_part_...)."""
    problems = Problem.objects.filter(voided_at__isnull=True)
    assert problems.filter(icd10_code="I10", status=ProblemStatus.ACTIVE).exists()
    # Every problem was recorded by a CSCom clinician, with an onset after the birth.
    for problem in problems.select_related("person", "facility"):
        assert problem.facility.kind == FacilityKind.CSCOM
        assert problem.onset is None or problem.onset >= problem.person.date_of_birth
    # Follow-up consultations carry the blood pressure of the hypertensive patients.
    hta = problems.filter(icd10_code="I10").values("person")
    assert Consultation.objects.filter(person__in=hta, systolic_bp__isnull=False).exists()
    for document in RecordDocument.objects.all():
        assert document.content_type in ("image/png", "application/pdf")
        assert document.file.storage.exists(str(document.file.name))
    # A patient reviewed at the CSRef has consultations at both levels and the counter-referral.
    for referral in Referral.objects.filter(reason__startswith="Avis spécialisé"):
        kinds = set(
            Consultation.objects.filter(person=referral.person).values_list("facility__kind", flat=True)
        )
        assert kinds == {FacilityKind.CSCOM, FacilityKind.CSREF} or FacilityKind.CSREF in kinds
        assert referral.counter_referral_note and referral.status == "counter_referred"
    files = [d.file.name for d in RecordDocument.objects.all()]

    def after_reset() -> None:
        assert Problem.objects.filter(voided_at__isnull=True).count() == problems.count()
        if files:
            # The files of the first seed were deleted with their rows; the new seed wrote its own.
            assert all(d.file.storage.exists(str(d.file.name)) for d in RecordDocument.objects.all())

    return after_reset
