"""Lab writes: request tests, enter results, correct a result.

Each checks the capability and the scope at the top, validates with French messages keyed by
field, and writes a ``LabOrderEvent``. A critical result is reported to the alerts' fact rules
(``keneya.alerts``: an urgent alert to the requesting clinician's facility) in the same
transaction; the lab's rule is registered in ``apps.py``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from keneya.accounts.models import Role
from keneya.accounts.permissions import Capability, has_capability
from keneya.alerts.models import Priority
from keneya.alerts.rules import Fact, FactRule
from keneya.alerts.services import cscom_ids_of_quartiers, raise_alert_for_fact
from keneya.clinical import lab as catalogue
from keneya.clinical.ages import age_months
from keneya.core.errors import IdTaken
from keneya.core.models import Facility
from keneya.core.queries import quartier_ids_under
from keneya.lab.models import LabOrder, LabOrderEvent, LabOrderTest, LabResult, OrderStatus
from keneya.lab.queries import lab_orders_visible_to
from keneya.people.models import Person
from keneya.people.scope import persons_visible_to
from keneya.records.models import Consultation

MAX_TESTS = 20
REASON_MAX = 300
FACT_KIND = "lab_result"

# The lab's alert rule (registered with alerts in LabConfig.ready): a critical result is urgent.
CRITICAL_RESULT_RULE = FactRule(
    code="lab_critical_result",
    kind=FACT_KIND,
    priority=Priority.URGENT,
    source="Limites critiques du catalogue des examens (keneya/clinical/data/lab_tests.json) : "
    "Hb < 7 g/dL (OMS 2011) ; glycémie < 0,54 g/L (ADA 2024 niveau 2) ou > 3,0 g/L",
    title_fr=gettext_noop("Résultat de laboratoire critique"),
    predicate=lambda fact: list(fact.data["findings"]) if fact.data.get("critical") else None,
)


def _event(order: LabOrder, kind: str, by: Any, at: datetime | None = None, **data: Any) -> None:
    LabOrderEvent.objects.create(order=order, kind=kind, by=by, at=at or timezone.now(), data=data)


def persons_for_walk_in(user: Any) -> Any:
    """Whom the laboratory may register a walk-in request for: the persons of its facility's
    health area (as the facility's clinicians), and those it already has requests for."""
    facility = user.facility
    if facility is None or facility.health_area_id is None:
        return Person.objects.none()
    quartiers = quartier_ids_under([facility.health_area_id])
    return Person.objects.filter(household__quartier_id__in=quartiers)


def _facility_for(by: Any, person: Person, consultation: Consultation | None) -> Facility:
    if by.facility_id:
        return by.facility
    if consultation is not None:
        return consultation.facility
    cscom = cscom_ids_of_quartiers([person.household.quartier_id]).get(person.household.quartier_id)
    if cscom is None:
        raise ValidationError({"person": _("Aucun laboratoire n'est rattaché à cette personne.")})
    return Facility.objects.get(pk=cscom)


def clean_test_codes(tests: Sequence[Any]) -> list[str]:
    """The requested codes, each once, in order; French errors for the unknown ones."""
    if not tests:
        raise ValidationError({"tests": _("Choisissez au moins un examen.")})
    codes = list(dict.fromkeys(str(t) for t in tests))
    if len(codes) > MAX_TESTS:
        raise ValidationError({"tests": _("Au plus %(n)s examens par demande.") % {"n": MAX_TESTS}})
    unknown = [c for c in codes if c not in catalogue.TESTS]
    if unknown:
        raise ValidationError({"tests": _("Examen inconnu : %(codes)s.") % {"codes": ", ".join(unknown)}})
    return codes


@transaction.atomic
def request_tests(
    *,
    by: Any,
    id: UUID | None = None,
    person: Person,
    tests: Sequence[str],
    consultation: Consultation | None = None,
    pregnant: bool = False,
    note: str = "",
    at: datetime | None = None,
) -> tuple[LabOrder, bool]:
    """A request for tests at the requester's facility. A clinician requests for a person in
    their scope; the laboratory technician registers a walk-in. The same id again by someone who
    sees it: the same request (created False); an id taken elsewhere: ``IdTaken``."""
    clinician = has_capability(by, Capability.LAB_ORDER)
    if not clinician and not has_capability(by, Capability.LAB_RESULT):
        raise PermissionDenied
    if id is not None:
        existing = LabOrder.objects.filter(pk=id).first()
        if existing is not None:
            if not lab_orders_visible_to(by).filter(pk=id).exists():
                raise IdTaken
            return existing, False
    walk_in = not clinician
    persons = persons_visible_to(by) if clinician else persons_for_walk_in(by)
    if not persons.filter(pk=person.pk).exists():
        raise PermissionDenied
    codes = clean_test_codes(tests)
    if consultation is not None and consultation.person_id != person.pk:
        raise ValidationError({"consultation": _("Cette consultation est celle d'une autre personne.")})
    note = (note or "").strip()
    if len(note) > REASON_MAX:
        raise ValidationError({"note": _("Au plus %(n)s caractères.") % {"n": REASON_MAX}})
    if pregnant and person.sex != "F":
        raise ValidationError({"pregnant": _("Une grossesse ne se déclare que pour une femme.")})
    now = at or timezone.now()
    order = LabOrder.objects.create(
        **({"id": id} if id is not None else {}),
        person=person,
        facility=_facility_for(by, person, consultation),
        consultation=consultation,
        requested_by=by,
        requested_at=now,
        walk_in=walk_in,
        pregnant=pregnant,
        note=note,
    )
    LabOrderTest.objects.bulk_create(
        [LabOrderTest(order=order, test=code, position=i) for i, code in enumerate(codes)]
    )
    _event(order, "requested", by, at=now, tests=codes, walk_in=walk_in)
    return order, True


def _check_lab(by: Any, order: LabOrder) -> None:
    if not has_capability(by, Capability.LAB_RESULT):
        raise PermissionDenied
    if by.role != Role.ADMIN and order.facility_id != by.facility_id:
        raise PermissionDenied


def _interpret(order: LabOrder, test: catalogue.LabTest, value: str, on: datetime) -> dict[str, Any]:
    person = order.person
    day, born = timezone.localtime(on).date(), person.date_of_birth
    age = age_months(born, day) if born is not None and born <= day else None
    interpretation = catalogue.interpret(test, value, age, person.sex, pregnant=order.pregnant)
    ref = catalogue.reference_range(test, age, person.sex, pregnant=order.pregnant)
    source = ref.source if ref is not None else test.source
    if catalogue.is_critical(interpretation):
        source = catalogue.critical_limit_used(test, interpretation)
    return {
        "interpretation": interpretation,
        "abnormal": catalogue.is_abnormal(test, interpretation),
        "critical": catalogue.is_critical(interpretation),
        "reference": ref.text(test.unit) if ref is not None else "",
        "source": source[:300],
        "value_number": Decimal(value) if test.result_type == catalogue.NUMBER else None,
        "unit": test.unit,
    }


def _parse(test_code: str, raw: Any, field: str) -> tuple[catalogue.LabTest, str]:
    test = catalogue.TESTS.get(test_code)
    if test is None:
        raise ValidationError({field: _("Examen inconnu : %(code)s.") % {"code": test_code}})
    try:
        return test, catalogue.parse_value(test, raw)
    except catalogue.LabValueError as error:
        raise ValidationError({field: f"{test.short_fr} : {error}"}) from None


def _report_critical(result: LabResult, order: LabOrder, test: catalogue.LabTest) -> None:
    if not result.critical:
        return
    interpretation = catalogue.INTERPRETATIONS[result.interpretation].lower()
    findings = [
        f"{test.label_fr} : {catalogue.value_label(test, result.value)} ({interpretation})",
        catalogue.critical_limit_used(test, result.interpretation),
    ]
    raise_alert_for_fact(
        fact=Fact(kind=FACT_KIND, data={"test": test.code, "critical": True, "findings": findings}),
        person=order.person,
        facility=order.facility,
        subject=f"{FACT_KIND}:{result.pk}",
        at=result.recorded_at,
    )


def _store(
    *, by: Any, order: LabOrder, test: catalogue.LabTest, value: str, at: datetime, replaces: LabResult | None
) -> LabResult:
    result = LabResult.objects.create(
        order=order,
        person_id=order.person_id,
        test=test.code,
        value=value,
        recorded_by=by,
        recorded_at=at,
        replaces=replaces,
        **_interpret(order, test, value, at),
    )
    _report_critical(result, order, test)
    return result


def _add_next_hiv_test(order: LabOrder, test: catalogue.LabTest, interpretation: str, by: Any) -> None:
    """The national algorithm: a reactive HIV test calls for the next one in the same request."""
    following = catalogue.hiv_next_test(test.code, interpretation)
    if following is None or order.tests.filter(test=following).exists():
        return
    position = (order.tests.aggregate(m=Max("position"))["m"] or 0) + 1
    LabOrderTest.objects.create(order=order, test=following, position=position, added_by_algorithm=True)
    _event(order, "test_added", by, test=following, after=test.code)


def _update_status(order: LabOrder, by: Any, at: datetime) -> None:
    requested = set(order.tests.values_list("test", flat=True))
    done = set(order.results.filter(voided_at__isnull=True).values_list("test", flat=True))
    complete = requested <= done
    if complete and order.status != OrderStatus.COMPLETED:
        order.status, order.completed_at = OrderStatus.COMPLETED, at
        order.save(update_fields=["status", "completed_at"])
        _event(order, "completed", by, at=at)
    elif not complete and order.status == OrderStatus.COMPLETED:
        order.status, order.completed_at = OrderStatus.PENDING, None
        order.save(update_fields=["status", "completed_at"])


@transaction.atomic
def record_results(
    *, by: Any, order: LabOrder, results: Sequence[tuple[str, Any]], at: datetime | None = None
) -> list[LabResult]:
    """Enter results (test code, typed value) for a request of the technician's laboratory.

    Each is interpreted at once and stored with its interpretation; a critical one raises an
    urgent alert to the requester's facility. A test already entered with the same value is
    returned as it is (sending the same results twice changes nothing); with another value it
    is refused (correct it instead). All or nothing: one bad line saves none."""
    _check_lab(by, order)
    if not results:
        raise ValidationError({"results": _("Saisissez au moins un résultat.")})
    order = LabOrder.objects.select_for_update().select_related("person", "facility").get(pk=order.pk)
    now = at or timezone.now()
    requested = set(order.tests.values_list("test", flat=True))
    current = {r.test: r for r in order.results.filter(voided_at__isnull=True)}
    parsed: list[tuple[catalogue.LabTest, str]] = []
    errors: list[str] = []
    seen: set[str] = set()
    for i, (code, raw) in enumerate(results, start=1):
        try:
            test, value = _parse(str(code), raw, "results")
        except ValidationError as error:
            errors += [f"{_('Ligne %(n)s') % {'n': i}} : {m}" for m in error.messages]
            continue
        if test.code in seen:
            errors.append(_("Ligne %(n)s : %(test)s saisi deux fois.") % {"n": i, "test": test.short_fr})
        elif test.code not in requested and not _next_in_algorithm(test.code, parsed, requested):
            errors.append(_("Ligne %(n)s : %(test)s n'a pas été demandé.") % {"n": i, "test": test.short_fr})
        elif test.code in current and current[test.code].value != value:
            errors.append(
                _("Ligne %(n)s : %(test)s a déjà un résultat ; corrigez-le avec un motif.")
                % {"n": i, "test": test.short_fr}
            )
        seen.add(test.code)
        parsed.append((test, value))
    if errors:
        raise ValidationError({"results": errors})
    stored = []
    for test, value in parsed:
        if test.code in current:
            stored.append(current[test.code])
            continue
        result = _store(by=by, order=order, test=test, value=value, at=now, replaces=None)
        _event(order, "result", by, at=now, test=test.code, value=value, interpretation=result.interpretation)
        _add_next_hiv_test(order, test, result.interpretation, by)
        stored.append(result)
    _update_status(order, by, now)
    return stored


def _next_in_algorithm(code: str, parsed: list[tuple[catalogue.LabTest, str]], requested: set[str]) -> bool:
    """An HIV test entered in the same batch as the reactive test that calls for it."""
    for test, value in parsed:
        if catalogue.hiv_next_test(test.code, catalogue.interpret(test, value, None, None)) == code:
            return test.code in requested or _next_in_algorithm(test.code, parsed, requested)
    return False


@transaction.atomic
def correct_result(
    *, by: Any, result: LabResult, value: Any, reason: str, at: datetime | None = None
) -> LabResult:
    """Void a result and add its replacement, with a reason; the first value stays in the
    history (``replaced_by``). A critical replacement raises its own alert."""
    order = LabOrder.objects.select_for_update().select_related("person", "facility").get(pk=result.order_id)
    _check_lab(by, order)
    result = LabResult.objects.select_for_update().get(pk=result.pk)
    if result.voided_at is not None:
        raise ValidationError({"result": _("Ce résultat a déjà été corrigé.")})
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Donnez le motif de la correction.")})
    if len(reason) > REASON_MAX:
        raise ValidationError({"reason": _("Au plus %(n)s caractères.") % {"n": REASON_MAX}})
    test, new_value = _parse(result.test, value, "value")
    if new_value == result.value:
        raise ValidationError({"value": _("La nouvelle valeur est identique à l'ancienne.")})
    now = at or timezone.now()
    result.voided_at, result.voided_by, result.void_reason = now, by, reason
    result.save(update_fields=["voided_at", "voided_by", "void_reason"])
    replacement = _store(by=by, order=order, test=test, value=new_value, at=now, replaces=result)
    _event(
        order,
        "corrected",
        by,
        at=now,
        test=test.code,
        old=result.value,
        new=new_value,
        reason=reason,
        interpretation=replacement.interpretation,
    )
    _add_next_hiv_test(order, test, replacement.interpretation, by)
    _update_status(order, by, now)
    return replacement
