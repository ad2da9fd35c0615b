"""The patient page of the shared record in a real Chromium at 360 px and 1024 px: the banner
(coverage identifiers, active problems, last vitals), the problem list (a diagnosis of the
timeline added in one click, a condition of the registers added from the form), the weight and
blood-pressure trend charts, an attached document. No horizontal scroll. Screenshots in
test-artifacts/record-*.png.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from tests.browser.test_pwa_offline import ARTIFACTS
from tests.browser.test_worklist_browser import login, overflow, web  # noqa: F401 (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def patient(users, household_factory):
    from keneya.records import services
    from keneya.records.tests.factories import photo_with_exif

    household = household_factory(users.chw1)
    head = household.head
    now = timezone.now()
    for days, systolic, weight in ((200, 168, "74.0"), (120, 158, "73.2"), (30, 146, "72.5")):
        services.record_consultation(
            by=users.clinician1,
            person=head,
            complaint="Suivi HTA : céphalées",
            diagnoses=["I10"],
            vitals={"systolic_bp": systolic, "diastolic_bp": systolic - 62, "weight_kg": weight},
            consulted_at=now - timedelta(days=days),
        )
    services.record_consultation(
        by=users.clinician1,
        person=head,
        complaint="Polyurie",
        diagnoses=["E11"],
        consulted_at=now - timedelta(days=2),
    )
    services.attach_record_document(
        by=users.clinician1,
        person=head,
        upload=photo_with_exif(size=(600, 800)),
        kind="discharge_letter",
        title="Sortie du CHU Gabriel Touré",
    )
    return head


@pytest.mark.parametrize("width, height", [(360, 640), (1024, 768)])
def test_the_patient_page_shows_the_banner_and_the_problem_list(page, web, users, patient, width, height):  # noqa: F811
    from keneya.records.models import Problem

    page.set_viewport_size({"width": width, "height": height})
    ARTIFACTS.mkdir(exist_ok=True)
    login(page, web, "clinicien1", f"/patients/{patient.pk}/")
    banner = page.inner_text("[data-banner]")
    assert patient.full_name in banner and "TA 146/84 mmHg" in banner
    assert "aucun" in page.inner_text("[data-banner] [data-key=problems]")
    assert overflow(page) <= 0

    # The diagnosis of the last consultation goes on the list in one click.
    page.click("form.chip-form >> nth=0")
    page.wait_for_selector("[data-problems] .problem.active")
    assert "Diabète sucré de type 2" in page.inner_text("[data-problems]")
    assert "Diabète sucré de type 2" in page.inner_text("[data-banner] [data-key=problems]")

    # A condition of the registers from the form.
    page.click("#problemes .add-problem summary")
    page.select_option("#id_condition", "G40")
    page.fill("#id_onset", "2015-06-01")
    page.click("#problemes .add-problem button[type=submit]")
    page.wait_for_function("() => document.querySelectorAll('[data-problems] .problem.active').length === 2")
    assert "Épilepsie" in page.inner_text("[data-problems]")
    assert Problem.objects.filter(person=patient, voided_at__isnull=True).count() == 2

    # The trend charts are drawn (Chart.js under the CSP) and the document has its thumbnail.
    page.wait_for_function(
        "() => !!window.Chart && !!Chart.getChart('trend-bp') && !!Chart.getChart('trend-weight')"
    )
    page.wait_for_function(
        "() => { const i = document.querySelector('.document-list img.thumb');"
        " return !!i && i.naturalWidth > 0; }"
    )
    assert "Sortie du CHU Gabriel Touré" in page.inner_text("#documents")
    assert overflow(page) <= 0
    page.screenshot(path=str(ARTIFACTS / f"record-patient-{width}.png"), full_page=True)
