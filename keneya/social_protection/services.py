"""Social-protection writes: grids, screenings, dossiers, documents, steps, payments.

Every service is keyword-only, transactional, checks the capability and the scope at the top,
and writes the dossier's timeline. The rules (scores, steps, documents, delays) come from
``keneya.social_rules``; nothing about a scheme is decided here.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from keneya.accounts.permissions import Capability, has_capability
from keneya.core import uploads
from keneya.notifications.services import enqueue_sms
from keneya.people.models import Household, Person, Relationship
from keneya.people.scope import households_visible_to
from keneya.people.validation import years_between
from keneya.social_protection import queries
from keneya.social_protection.models import (
    FINAL_STATUSES,
    Appointment,
    AppointmentKind,
    ContributionKind,
    ContributionPayment,
    DocumentFile,
    DocumentStatus,
    Dossier,
    DossierDocument,
    DossierEvent,
    DossierMember,
    Scheme,
    ScorecardVersion,
    Screening,
)
from keneya.social_rules import schemes, scorecard
from keneya.sync import changelog

logger = logging.getLogger(__name__)

# A screening dated more than this in the past is a typing error (a year: the programme's rhythm).
OLDEST_SCREENING = timedelta(days=366)
# Scans and photos of documents: images or PDF (keneya.core.uploads), at most 5 MB each.
DOCUMENT_MAX_BYTES = uploads.DOCUMENT_MAX_BYTES
# A card cannot start more than this far from today (typing errors).
CARD_DATE_SLACK = timedelta(days=366 * 4)
# An appointment is fixed at most this far ahead.
APPOINTMENT_HORIZON = timedelta(days=366)


class IdTaken(Exception):
    """A client id already used by a record the caller may not see: answered as a 409 that
    reveals nothing of that record."""


class Conflict(Exception):
    """A write the state forbids (a second open dossier, a refused step): a 409 with a French
    ``detail`` and what is ``missing``."""

    def __init__(self, detail: str, missing: list[str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.missing = missing or []


def _event(dossier: Dossier, event: str, by: Any, **data: Any) -> None:
    DossierEvent.objects.create(dossier=dossier, kind=event, by=by, at=timezone.now(), data=data)


def _require(by: Any, capability: str) -> None:
    if not has_capability(by, capability):
        raise PermissionDenied


# --- Scorecards -----------------------------------------------------------------------------------


@transaction.atomic
def load_scorecard(*, by: Any, definition: dict[str, Any], activate: bool = True) -> ScorecardVersion:
    """Load a grid as a new version (an administrator, from a file); activating it refuses a grid
    with gaps or overlaps between bands. Earlier versions and their screenings stay."""
    _require(by, Capability.SOCIAL_CONFIGURE)
    errors = scorecard.check_definition(definition)
    if errors:
        raise ValidationError({"definition": errors})
    version, _created = ScorecardVersion.objects.get_or_create(
        code=definition["code"],
        version=definition["version"],
        defaults={
            "title": str(definition.get("title_fr") or definition["code"])[:200],
            "effective_date": date.fromisoformat(definition["effective_date"]),
            "source": definition["source"],
            "illustrative": bool(definition.get("illustrative")),
            "definition": definition,
        },
    )
    if version.definition != definition:
        raise ValidationError({"definition": [_("Cette version existe déjà avec un autre contenu.")]})
    if activate and not version.active:
        ScorecardVersion.objects.filter(active=True).update(active=False)
        version.active = True
        version.activated_at = timezone.now()
        version.activated_by = by if getattr(by, "pk", None) else None
        version.save(update_fields=["active", "activated_at", "activated_by"])
    return version


def _active_scorecard() -> ScorecardVersion:
    version = queries.current_scorecard()
    if version is None:
        raise ValidationError({"scorecard": [_("Aucune grille de vulnérabilité n'est active.")]})
    return version


# --- Screenings ----------------------------------------------------------------------------------


def _check_screened_on(screened_on: Any, today: date) -> date:
    if not isinstance(screened_on, date):
        raise ValidationError({"screened_on": [_("Date invalide : utilisez le format AAAA-MM-JJ.")]})
    if screened_on > today:
        raise ValidationError({"screened_on": [_("La date du dépistage ne peut pas être dans le futur.")]})
    if screened_on < today - OLDEST_SCREENING:
        raise ValidationError({"screened_on": [_("Date du dépistage trop ancienne (plus d'un an).")]})
    return screened_on


@transaction.atomic
def record_screening(
    *,
    by: Any,
    id: uuid.UUID,  # noqa: A002 (the wire name)
    household: Household,
    screened_on: date,
    answers: dict[str, Any],
    admis_de_droit: str = "",
) -> tuple[Screening, bool]:
    """A CHW (or a social worker) screens a household on the active grid. The same id again
    returns the stored screening, if the caller may see it; (screening, created)."""
    _require(by, Capability.SOCIAL_SCREEN)
    existing = Screening.objects.filter(pk=id).first()
    if existing is not None:
        if not queries.screenings_visible_to(by).filter(pk=id).exists():
            raise IdTaken
        return existing, False
    if not households_visible_to(by).filter(pk=household.pk).exists():
        raise PermissionDenied
    _check_screened_on(screened_on, timezone.localdate())
    version = _active_scorecard()
    try:
        result = scorecard.score_answers(version.definition, answers, admis_de_droit or None)
    except scorecard.ScoringError as error:
        raise ValidationError({field: [message] for field, message in error.errors.items()}) from None
    screening = Screening.objects.create(
        id=id,
        household=household,
        scorecard=version,
        screened_on=screened_on,
        answers=answers,
        admis_de_droit=admis_de_droit or "",
        score=result.score,
        band=result.band,
        breakdown=result.breakdown,
        screened_by=by,
    )
    # The household's tablets hear of it (the "screening" sync type, social_protection/sync.py).
    changelog.record_change(type="screening", obj_id=screening.pk, chw_id=household.chw_id)
    return screening, True


@transaction.atomic
def rescore_screening(*, by: Any, screening: Screening) -> Screening:
    """Score the same answers on the active grid: a new screening beside the old, both kept."""
    _require(by, Capability.SOCIAL_CASEWORK)
    if not queries.screenings_visible_to(by).filter(pk=screening.pk).exists():
        raise PermissionDenied
    version = _active_scorecard()
    result = scorecard.score_answers(version.definition, screening.answers, screening.admis_de_droit or None)
    rescored = Screening.objects.create(
        household=screening.household,
        scorecard=version,
        screened_on=screening.screened_on,
        answers=screening.answers,
        admis_de_droit=screening.admis_de_droit,
        score=result.score,
        band=result.band,
        breakdown=result.breakdown,
        screened_by=by,
        rescored_from=screening,
    )
    # The household's tablets hear of it (the "screening" sync type, social_protection/sync.py).
    changelog.record_change(type="screening", obj_id=rescored.pk, chw_id=screening.household.chw_id)
    return rescored


@transaction.atomic
def validate_screening(*, by: Any, screening: Screening) -> Screening:
    """Maker-checker: a social worker of the area validates a CHW's screening (once)."""
    _require(by, Capability.SOCIAL_CASEWORK)
    if not queries.screenings_visible_to(by).filter(pk=screening.pk).exists():
        raise PermissionDenied
    if screening.screened_by_id == by.pk:
        raise ValidationError(
            {"screening": [_("Un dépistage est validé par une autre personne que son auteur.")]}
        )
    if screening.validated_at is None:
        screening.validated_by = by
        screening.validated_at = timezone.now()
        screening.save(update_fields=["validated_by", "validated_at"])
    return screening


# --- Dossiers ------------------------------------------------------------------------------------


def _reference(scheme_code: str) -> str:
    return f"{scheme_code.upper()}-{timezone.localdate():%Y}-{uuid.uuid4().hex[:6].upper()}"


def _role_of(person: Person, on: date) -> str | None:
    return schemes.member_role(
        is_head=person.relationship_to_head == Relationship.HEAD or person.household.head_id == person.pk,
        relationship=person.relationship_to_head,
        age_years=years_between(person.date_of_birth, on),
        in_school=False,
        disabled=False,
    )


@transaction.atomic
def open_dossier(
    *,
    by: Any,
    id: uuid.UUID,  # noqa: A002 (the wire name)
    household: Household,
    scheme: str,
    members: list[Person],
    roles: dict[Any, str] | None = None,
    renewal_of: Dossier | None = None,
) -> tuple[Dossier, bool]:
    """A social worker opens a household's file for a scheme, with the members it enrols and
    their document checklist. A second open dossier for the household and scheme is a
    ``Conflict``; the same id again returns the dossier if the caller may see it."""
    _require(by, Capability.SOCIAL_CASEWORK)
    existing = Dossier.objects.filter(pk=id).first()
    if existing is not None:
        if not queries.dossiers_visible_to(by).filter(pk=id).exists():
            raise IdTaken
        return existing, False
    if not households_visible_to(by).filter(pk=household.pk).exists():
        raise PermissionDenied
    if scheme not in Scheme.values:
        raise ValidationError({"scheme": [_("Régime inconnu : ramed, mutuelle, amo ou ramu.")]})
    if not members:
        raise ValidationError({"members": [_("Choisissez au moins un membre du ménage.")]})
    strangers = [p for p in members if p.household_id != household.pk]
    if strangers:
        raise ValidationError({"members": [_("Tous les membres doivent appartenir à ce ménage.")]})
    if renewal_of is not None and (
        renewal_of.household_id != household.pk
        or renewal_of.scheme != scheme
        or renewal_of.status != "card_issued"
        or Dossier.objects.filter(renewal_of=renewal_of).exists()
    ):
        raise ValidationError({"renewal_of": [_("Cette carte ne peut pas être renouvelée par ce dossier.")]})
    if Dossier.objects.filter(household=household, scheme=scheme).exclude(status__in=FINAL_STATUSES).exists():
        raise Conflict(_("Ce ménage a déjà un dossier ouvert pour ce régime."))
    today = timezone.localdate()
    roles = roles or {}
    assigned: list[tuple[Person, str]] = []
    for person in members:
        role = roles.get(person.pk) or _role_of(person, today)
        if role is None:
            raise ValidationError(
                {"members": [_("%(name)s n'est pas un ayant droit de ce régime.") % {"name": _name(person)}]}
            )
        assigned.append((person, role))
    info = schemes.scheme(scheme)
    try:
        dossier = Dossier.objects.create(
            id=id,
            reference=_reference(scheme),
            household=household,
            scheme=scheme,
            status=info["initial"],
            status_since=today,
            screening=queries.latest_screening(household),
            social_worker=by if by.role == "social_worker" else None,
            opened_by=by,
            renewal_of=renewal_of,
        )
    except IntegrityError:  # a concurrent open of the same household and scheme
        raise Conflict(_("Ce ménage a déjà un dossier ouvert pour ce régime.")) from None
    DossierMember.objects.bulk_create([DossierMember(dossier=dossier, person=p, role=r) for p, r in assigned])
    DossierDocument.objects.bulk_create(
        [
            DossierDocument(dossier=dossier, person=person, kind=required["kind"])
            for person, role in assigned
            for required in schemes.required_documents(scheme, role)
        ]
    )
    _event(dossier, "opened", by, status=dossier.status, members=[str(p.pk) for p, _r in assigned])
    return dossier, True


def _name(person: Person) -> str:
    return f"{person.given_names} {person.family_name}".strip()


@transaction.atomic
def update_document(
    *,
    by: Any,
    document: DossierDocument,
    status: str,
    issued_on: date | None = None,
    expires_on: date | None = None,
    substitute: str = "",
    unavailable_reason: str = "",
) -> DossierDocument:
    """Mark a member's document (verification is the social worker's); a substitute is accepted
    only where the scheme allows it; a document that cannot be supplied says why."""
    _require(by, Capability.SOCIAL_CASEWORK)
    dossier = document.dossier
    if not queries.dossiers_visible_to(by).filter(pk=dossier.pk).exists():
        raise PermissionDenied
    if not dossier.is_open:
        raise Conflict(_("Le dossier est clos : ses pièces ne changent plus."))
    if status not in DocumentStatus.values:
        raise ValidationError({"status": [_("État inconnu : missing, requested, obtained ou verified.")]})
    today = timezone.localdate()
    errors: dict[str, list[str]] = {}
    if issued_on is not None and issued_on > today:
        errors["issued_on"] = [_("La date de délivrance ne peut pas être dans le futur.")]
    if status in (DocumentStatus.OBTAINED, DocumentStatus.VERIFIED) and issued_on is None:
        errors["issued_on"] = [_("Indiquez la date de délivrance de la pièce.")]
    if expires_on is not None and issued_on is not None and expires_on <= issued_on:
        errors["expires_on"] = [_("La date d'expiration doit suivre la date de délivrance.")]
    if substitute:
        role = dossier.members.get(person=document.person).role
        if substitute not in schemes.allowed_substitutes(dossier.scheme, role, document.kind):
            errors["substitute"] = [_("Cette pièce ne peut pas remplacer celle demandée.")]
    if len(unavailable_reason) > 300:
        errors["unavailable_reason"] = [_("300 caractères au plus.")]
    if errors:
        raise ValidationError(errors)
    document.status = status
    document.issued_on = issued_on
    document.expires_on = expires_on
    document.substitute = substitute
    document.unavailable_reason = unavailable_reason.strip()
    document.updated_by = by
    document.save()
    _event(
        dossier,
        "document",
        by,
        document=str(document.pk),
        kind=document.kind,
        status=status,
        substitute=substitute,
    )
    return document


@transaction.atomic
def attach_document_file(*, by: Any, document: DossierDocument, upload: UploadedFile) -> DocumentFile:
    """A scan or photo of a document: image or PDF, checked by size and by its first bytes, an
    image re-encoded without its EXIF (``keneya.core.uploads``)."""
    _require(by, Capability.SOCIAL_CASEWORK)
    if not queries.dossiers_visible_to(by).filter(pk=document.dossier_id).exists():
        raise PermissionDenied
    checked = uploads.checked_upload(upload, name=document.kind, max_bytes=DOCUMENT_MAX_BYTES)
    stored = DocumentFile.objects.create(
        document=document,
        file=checked.content,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=by,
    )
    _event(document.dossier, "file", by, document=str(document.pk))
    return stored


def _document_states(dossier: Dossier) -> list[schemes.DocumentState]:
    return [
        schemes.DocumentState(
            person_name=_name(d.person),
            kind=d.kind,
            status=d.status,
            substitute=d.substitute,
            unavailable_reason=d.unavailable_reason,
        )
        for d in dossier.documents.select_related("person").order_by("person__given_names", "kind")
    ]


@transaction.atomic
def transition_dossier(*, by: Any, dossier: Dossier, to: str, data: dict[str, Any] | None = None) -> Dossier:
    """Move a dossier to its next step, as the scheme allows and once its conditions are met
    (documents, the card's data); a refused move is a ``Conflict`` saying what is missing."""
    _require(by, Capability.SOCIAL_CASEWORK)
    dossier = Dossier.objects.select_for_update().get(pk=dossier.pk)
    if not queries.dossiers_visible_to(by).filter(pk=dossier.pk).exists():
        raise PermissionDenied
    data = data or {}
    try:
        schemes.check_transition(
            dossier.scheme, dossier.status, to, documents=_document_states(dossier), data=data
        )
    except schemes.TransitionError as refused:
        raise Conflict(refused.message, refused.missing) from None
    today = timezone.localdate()
    if to == schemes.scheme(dossier.scheme)["card_required_to"]:
        card_number = str(data["card_number"]).strip()
        if len(card_number) > 40:
            raise ValidationError({"card_number": [_("40 caractères au plus.")]})
        for field in ("valid_from", "valid_until"):
            value = data.get(field)
            if isinstance(value, date) and abs(value - today) > CARD_DATE_SLACK:
                raise ValidationError({field: [_("Date improbable : vérifiez l'année.")]})
        dossier.card_number = card_number
        dossier.valid_from = data.get("valid_from")
        dossier.valid_until = data.get("valid_until")
    previous = dossier.status
    dossier.status = to
    dossier.status_since = today
    dossier.save()
    _event(
        dossier, "transition", by, **{"from": previous, "to": to, "reason": str(data.get("reason", ""))[:200]}
    )
    if to == "card_issued":
        _sms(dossier, "social_card_ready", f"social:card_ready:{dossier.pk}")
    return dossier


# --- Mutuelle contributions ----------------------------------------------------------------------


@transaction.atomic
def record_contribution(
    *,
    by: Any,
    id: uuid.UUID,  # noqa: A002 (the wire name)
    dossier: Dossier,
    kind: str,
    amount_xof: int,
    paid_on: date,
    months: int = 0,
) -> tuple[ContributionPayment, bool]:
    _require(by, Capability.SOCIAL_CASEWORK)
    existing = ContributionPayment.objects.filter(pk=id).first()
    if existing is not None:
        if not queries.dossiers_visible_to(by).filter(pk=existing.dossier_id).exists():
            raise IdTaken
        return existing, False
    if not queries.dossiers_visible_to(by).filter(pk=dossier.pk).exists():
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if dossier.scheme != Scheme.MUTUELLE:
        errors["dossier"] = [_("Les cotisations concernent les mutuelles.")]
    if kind not in ContributionKind.values:
        errors["kind"] = [_("Type inconnu : membership_fee ou monthly.")]
    if not isinstance(amount_xof, int) or isinstance(amount_xof, bool) or not 0 < amount_xof <= 10_000_000:
        errors["amount_xof"] = [_("Montant en F CFA entier, positif.")]
    if kind == ContributionKind.MONTHLY and not 1 <= months <= 24:
        errors["months"] = [_("Nombre de mois payés : de 1 à 24.")]
    if paid_on > timezone.localdate():
        errors["paid_on"] = [_("La date du paiement ne peut pas être dans le futur.")]
    if errors:
        raise ValidationError(errors)
    payment = ContributionPayment.objects.create(
        id=id,
        dossier=dossier,
        kind=kind,
        amount_xof=amount_xof,
        months=months if kind == ContributionKind.MONTHLY else 0,
        paid_on=paid_on,
        recorded_by=by,
    )
    _event(dossier, "payment", by, payment=str(payment.pk), kind=kind, amount_xof=amount_xof)
    return payment, True


@transaction.atomic
def void_contribution(*, by: Any, payment: ContributionPayment, reason: str) -> ContributionPayment:
    """A correction: a voiding row names the payment it cancels; nothing is edited or deleted."""
    _require(by, Capability.SOCIAL_CASEWORK)
    if not queries.dossiers_visible_to(by).filter(pk=payment.dossier_id).exists():
        raise PermissionDenied
    if not reason.strip():
        raise ValidationError({"reason": [_("Indiquez pourquoi le paiement est annulé.")]})
    if payment.voids_id is not None or hasattr(payment, "voided_by"):
        raise Conflict(_("Ce paiement est déjà annulé ou est une annulation."))
    voiding = ContributionPayment.objects.create(
        dossier=payment.dossier,
        kind=payment.kind,
        amount_xof=payment.amount_xof,
        months=payment.months,
        paid_on=timezone.localdate(),
        recorded_by=by,
        voids=payment,
        memo=reason.strip()[:200],
    )
    _event(payment.dossier, "payment_voided", by, payment=str(payment.pk), reason=reason.strip()[:200])
    return voiding


# --- Appointments --------------------------------------------------------------------------------


@transaction.atomic
def schedule_appointment(*, by: Any, dossier: Dossier, kind: str, on: date, place: str = "") -> Appointment:
    """A dated appointment of the dossier (social survey, filing at ANAM, collecting the card or
    a document): it becomes a task in the worklist of the household's CHW until it is done."""
    _require(by, Capability.SOCIAL_CASEWORK)
    if not queries.dossiers_visible_to(by).filter(pk=dossier.pk).exists():
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    if kind not in AppointmentKind.values:
        errors["kind"] = [_("Type de rendez-vous inconnu.")]
    today = timezone.localdate()
    if not isinstance(on, date):
        errors["on"] = [_("Date invalide : utilisez le format AAAA-MM-JJ.")]
    elif on < today:
        errors["on"] = [_("Un rendez-vous se fixe aujourd'hui ou plus tard.")]
    elif on > today + APPOINTMENT_HORIZON:
        errors["on"] = [_("Date trop lointaine (plus d'un an).")]
    if len(place) > 120:
        errors["place"] = [_("120 caractères au plus.")]
    if not dossier.is_open and kind != AppointmentKind.CARD_COLLECTION:
        errors["dossier"] = [_("Le dossier est clos.")]
    if errors:
        raise ValidationError(errors)
    appointment = Appointment.objects.create(
        dossier=dossier, kind=kind, on=on, place=place.strip(), created_by=by
    )
    _event(dossier, "appointment", by, appointment=str(appointment.pk), kind=kind, on=on.isoformat())
    return appointment


def _may_act_for_household(by: Any, dossier: Dossier) -> bool:
    if has_capability(by, Capability.SOCIAL_CASEWORK):
        return queries.dossiers_visible_to(by).filter(pk=dossier.pk).exists()
    if has_capability(by, Capability.SOCIAL_SCREEN):  # the CHW of the household
        return households_visible_to(by).filter(pk=dossier.household_id).exists()
    return False


@transaction.atomic
def mark_appointment_done(*, by: Any, appointment: Appointment, on: date | None = None) -> Appointment:
    """The appointment took place (the CHW who accompanied the family, or the social worker):
    its worklist task goes. Marking it again changes nothing."""
    if not _may_act_for_household(by, appointment.dossier):
        raise PermissionDenied
    on = on or timezone.localdate()
    if on > timezone.localdate():
        raise ValidationError({"on": [_("La date ne peut pas être dans le futur.")]})
    if on < timezone.localdate(appointment.dossier.opened_at):
        raise ValidationError({"on": [_("La date ne peut pas précéder l'ouverture du dossier.")]})
    if appointment.done_on is None:
        appointment.done_on = on
        appointment.save(update_fields=["done_on"])
        _event(appointment.dossier, "appointment_done", by, appointment=str(appointment.pk))
    return appointment


# --- SMS to the family ---------------------------------------------------------------------------

# The documents named in the reminder are cut to this many characters: the SMS stays one SMS.
SMS_DOCUMENTS_MAX = 60


def _family(dossier: Dossier) -> str:
    head = dossier.household.head
    return (head.family_name if head else dossier.household.code)[:20]


def _sms(dossier: Dossier, template: str, dedup_key: str, **context: Any) -> Any:
    """One SMS to the household's phone through the outbox (no phone: nothing is queued)."""
    phone = dossier.household.phone
    if not phone:
        return None
    return enqueue_sms(
        to=phone,
        template=template,
        context={
            "scheme": queries.SCHEME_LABELS.get(dossier.scheme, dossier.scheme),
            "family": _family(dossier),
            "reference": dossier.reference,
            **context,
        },
        dedup_key=dedup_key,
    )


@transaction.atomic
def remind_missing_documents(*, by: Any, dossier: Dossier) -> Any:
    """The "Rappeler les pièces" button: one SMS to the household naming the documents still missing (once
    a day per dossier). None when nothing is missing or the household has no phone."""
    _require(by, Capability.SOCIAL_CASEWORK)
    if not queries.dossiers_visible_to(by).filter(pk=dossier.pk).exists():
        raise PermissionDenied
    missing = queries.missing_documents(dossier)
    if not missing or not dossier.is_open:
        return None
    labels = sorted({schemes.document_label(d.kind) for d in missing})
    text = ", ".join(labels)
    if len(text) > SMS_DOCUMENTS_MAX:
        text = text[: SMS_DOCUMENTS_MAX - 3].rsplit(" ", 1)[0].rstrip(",") + "..."
    message = _sms(
        dossier,
        "social_documents_missing",
        f"social:documents:{dossier.pk}:{timezone.localdate().isoformat()}",
        documents=text,
    )
    if message is not None:
        _event(dossier, "sms_documents", by)
    return message


@transaction.atomic
def send_renewal_reminders(*, on: date | None = None) -> int:
    """The periodic job: one SMS per card entering its renewal lead time (or expired) and not
    yet renewed; the dedup key (the dossier and the card's end) sends each one once."""
    on = on or timezone.localdate()
    sent = 0
    for row in queries.cards_to_renew(Dossier.objects.all(), on=on):
        dossier = row.dossier
        message = _sms(
            dossier,
            "social_renewal_due",
            f"social:renewal:{dossier.pk}:{dossier.valid_until}",
            date=dossier.valid_until,
        )
        if message is not None:
            sent += 1
    return sent
