"""A grid, a screening and a dossier made through the services, for tests."""

from __future__ import annotations

import uuid
from typing import Any

from django.utils import timezone

from keneya.social_protection import services
from keneya.social_rules import scorecard


def demo_grid_active(admin: Any) -> Any:
    return services.load_scorecard(by=admin, definition=scorecard.load_demo_grid())


def answers(**chosen: str) -> dict[str, str]:
    """The lowest option of every indicator, or the one named."""
    grid = scorecard.load_demo_grid()
    out = {i["code"]: min(i["options"], key=lambda o: o["points"])["code"] for i in grid["indicators"]}
    out.update(chosen)
    return out


def screened(by: Any, household: Any, **chosen: str) -> Any:
    screening, _created = services.record_screening(
        by=by,
        id=uuid.uuid4(),
        household=household,
        screened_on=timezone.localdate(),
        answers=answers(**chosen),
    )
    return screening


def opened_dossier(by: Any, household: Any, scheme: str, members: list[Any] | None = None) -> Any:
    dossier, _created = services.open_dossier(
        by=by,
        id=uuid.uuid4(),
        household=household,
        scheme=scheme,
        members=members or list(household.members.order_by("date_of_birth")),
    )
    return dossier


# The smallest PDF the upload accepts (its first bytes say PDF).
TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def social_extras(social: Any, household: Any, dossier: Any) -> dict[str, Any]:
    """An appointment, a scan and a mutuelle dossier with a payment, for the permission matrix."""
    from datetime import timedelta

    from django.core.files.uploadedfile import SimpleUploadedFile

    today = timezone.localdate()
    appointment = services.schedule_appointment(
        by=social, dossier=dossier, kind="social_survey", on=today + timedelta(days=1), place="Mairie"
    )
    stored = services.attach_document_file(
        by=social,
        document=dossier.documents.first(),
        upload=SimpleUploadedFile("scan.pdf", TINY_PDF, content_type="application/pdf"),
    )
    mutuelle = opened_dossier(social, household, "mutuelle", [household.head])
    payment, _created = services.record_contribution(
        by=social, id=uuid.uuid4(), dossier=mutuelle, kind="membership_fee", amount_xof=1000, paid_on=today
    )
    return {
        "appointment": appointment.pk,
        "document_file": stored.pk,
        "mutuelle_dossier": mutuelle.pk,
        "payment": payment.pk,
    }


def issued_card(by: Any, dossier: Any, *, valid_from: Any, valid_until: Any, number: str = "C-001") -> Any:
    """Every document verified, then the scheme's steps walked to ``card_issued``."""
    from keneya.social_rules import schemes

    today = timezone.localdate()
    for document in dossier.documents.all():
        services.update_document(by=by, document=document, status="verified", issued_on=today)
    while dossier.status != "card_issued":
        steps = schemes.allowed_transitions(dossier.scheme, dossier.status)
        target = "card_issued" if "card_issued" in steps else steps[0]
        data = (
            {"card_number": number, "valid_from": valid_from, "valid_until": valid_until}
            if target == "card_issued"
            else {}
        )
        dossier = services.transition_dossier(by=by, dossier=dossier, to=target, data=data)
    return dossier
