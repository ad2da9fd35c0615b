"""Registry pages (server-rendered, htmx). Thin: parse, check, call a service or a query, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from keneya.accounts.permissions import Capability, has_capability, require_capability
from keneya.accounts.scope import area_scoped_quartier_ids
from keneya.core.models import Area, AreaLevel
from keneya.people import queries, services
from keneya.people.forms import DeathForm, HouseholdForm, PersonForm
from keneya.people.hooks import person_page
from keneya.people.models import Household, HouseholdStatus, Person
from keneya.people.scope import persons_visible_to

PAGE_SIZE = 25


def _quartiers_for(user: Any) -> Any:
    qs = Area.objects.filter(level=AreaLevel.QUARTIER).order_by("name")
    ids = area_scoped_quartier_ids(user)
    return qs if ids is None else qs.filter(id__in=ids)


def _get_household(request: HttpRequest, household_id: Any) -> Household:
    try:
        return queries.household_detail(user=request.user, household_id=household_id)
    except Household.DoesNotExist as exc:
        raise Http404 from exc


def _get_person(request: HttpRequest, person_id: Any) -> Person:
    person = (
        persons_visible_to(request.user)
        .select_related("household", "household__quartier")
        .filter(pk=person_id)
        .first()
    )
    if person is None:
        raise Http404
    return person


@require_capability(Capability.REGISTRY_VIEW)
def household_list(request: HttpRequest) -> HttpResponse:
    search = request.GET.get("q", "").strip()
    quartier = request.GET.get("quartier") or None
    status = request.GET.get("statut") or None
    try:
        qs = queries.household_list(user=request.user, search=search, quartier=quartier, status=status)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    except ValidationError:  # a malformed quartier id in the URL
        raise Http404 from None
    context = {
        "page": page,
        "q": search,
        "quartier": quartier or "",
        "statut": status or "",
        "quartiers": _quartiers_for(request.user),
        "statuses": HouseholdStatus.choices,
        "can_edit": has_capability(request.user, Capability.REGISTRY_EDIT),
    }
    partial = getattr(request, "htmx", False)
    template = "people/_household_rows.html" if partial else "people/household_list.html"
    return render(request, template, context)


@require_capability(Capability.REGISTRY_VIEW)
def household_detail(request: HttpRequest, household_id: Any) -> HttpResponse:
    household = _get_household(request, household_id)
    return render(
        request,
        "people/household_detail.html",
        {
            "household": household,
            "members": household.active_members,  # type: ignore[attr-defined]
            "can_edit": has_capability(request.user, Capability.REGISTRY_EDIT),
            "can_record_visit": has_capability(request.user, Capability.VISIT_RECORD),
        },
    )


def _duplicates_for(form: PersonForm, quartier: Area, exclude: tuple[Any, ...] = ()) -> list[Any]:
    c = form.cleaned_data
    return queries.similar_persons(
        quartier=quartier,
        family_name=c.get("family_name", ""),
        given_names=c.get("given_names", ""),
        sex=c.get("sex", ""),
        date_of_birth=c.get("date_of_birth"),
        exclude_ids=exclude,
    )


@require_capability(Capability.REGISTRY_EDIT)
@require_http_methods(["GET", "POST"])
def household_create(request: HttpRequest) -> HttpResponse:
    quartiers = _quartiers_for(request.user)
    form = HouseholdForm(request.POST or None, quartiers=quartiers)
    duplicates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        quartier = form.cleaned_data["quartier"]
        duplicates = _duplicates_for(form, quartier)
        if not duplicates or form.cleaned_data.get("confirm_not_duplicate"):
            try:
                household = services.register_household(
                    by=request.user,
                    quartier=quartier,
                    address_description=form.cleaned_data.get("address_description", ""),
                    phone=form.cleaned_data.get("household_phone", ""),
                    gps_latitude=form.cleaned_data.get("gps_latitude"),
                    gps_longitude=form.cleaned_data.get("gps_longitude"),
                    members=[form.person_data()],
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("Ménage %(code)s enregistré.") % {"code": household.code})
                return redirect("people:household_detail", household_id=household.pk)
    return render(
        request,
        "people/household_form.html",
        {"form": form, "duplicates": duplicates},
        status=400 if form.errors else 200,
    )


@require_capability(Capability.REGISTRY_EDIT)
@require_http_methods(["GET", "POST"])
def member_create(request: HttpRequest, household_id: Any) -> HttpResponse:
    household = _get_household(request, household_id)
    form = PersonForm(request.POST or None)
    duplicates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        duplicates = _duplicates_for(form, household.quartier)
        if not duplicates or form.cleaned_data.get("confirm_not_duplicate"):
            try:
                person = services.add_member(by=request.user, household=household, data=form.person_data())
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, _("%(name)s ajouté·e au ménage.") % {"name": person.full_name})
                if "add_another" in request.POST:
                    return redirect("people:member_create", household_id=household.pk)
                return redirect("people:household_detail", household_id=household.pk)
    return render(
        request,
        "people/member_form.html",
        {"form": form, "household": household, "duplicates": duplicates},
        status=400 if form.errors else 200,
    )


@require_capability(Capability.REGISTRY_EDIT)
@require_http_methods(["POST"])
def similar_check(request: HttpRequest) -> HttpResponse:
    """htmx: as the names are typed, show who already resembles this person."""
    form = PersonForm(request.POST)
    form.is_valid()  # partial input is fine here: we only read what parsed
    quartier_id = request.POST.get("quartier") or request.POST.get("household_quartier")
    quartier = _quartiers_for(request.user).filter(pk=quartier_id).first() if quartier_id else None
    duplicates = _duplicates_for(form, quartier) if quartier else []
    return render(request, "people/_duplicates.html", {"duplicates": duplicates})


@require_capability(Capability.REGISTRY_VIEW)
def person_detail(request: HttpRequest, person_id: Any) -> HttpResponse:
    person = _get_person(request, person_id)
    history = person.history.select_related("history_user").order_by("-history_date")[:20]
    can_record_visit = has_capability(request.user, Capability.VISIT_RECORD)
    can_open_record = has_capability(request.user, Capability.CLINICAL_VIEW)
    context: dict[str, Any] = {
        "person": person,
        "history": history,
        "can_edit": has_capability(request.user, Capability.REGISTRY_EDIT),
        "can_record_visit": can_record_visit,
        "can_open_record": can_open_record,
        "show_outcomes": can_record_visit or can_open_record,
    }
    # What became of the CHW's referrals and alerts (status, counter-referral note), the recent
    # visits: from the apps that own them.
    for part in person_page(
        request.user, person, can_record_visit=can_record_visit, show_outcomes=context["show_outcomes"]
    ):
        context.update(part)
    return render(request, "people/person_detail.html", context)


@require_capability(Capability.REGISTRY_EDIT)
@require_http_methods(["GET", "POST"])
def person_death(request: HttpRequest, person_id: Any) -> HttpResponse:
    person = _get_person(request, person_id)
    form = DeathForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_death(
                by=request.user, person=person, date_of_death=form.cleaned_data["date_of_death"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error("date_of_death", message)
        else:
            messages.success(request, _("Décès enregistré."))
            return redirect("people:person_detail", person_id=person.pk)
    return render(
        request,
        "people/death_form.html",
        {"form": form, "person": person},
        status=400 if form.errors else 200,
    )


@require_capability(Capability.AGGREGATES_VIEW)
def registry_statistics(request: HttpRequest) -> HttpResponse:
    rows = queries.registry_aggregates(user=request.user)
    totals = {k: sum(r[k] for r in rows) for k in ("M", "F", "households")}
    return render(request, "people/statistics.html", {"rows": rows, "totals": totals})
