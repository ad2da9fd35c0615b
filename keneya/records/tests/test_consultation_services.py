"""Recording a consultation: validation in French, ICD-10 labels, scope."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from keneya.records.models import Consultation
from keneya.records.services import record_consultation

pytestmark = pytest.mark.django_db


def test_consultation_stores_vitals_and_icd10_labels(users, household_factory):
    head = household_factory(users.chw1).head
    c = record_consultation(
        by=users.clinician1,
        person=head,
        complaint="Fièvre",
        diagnoses=["b50.9", "R50.9"],
        vitals={"temperature_c": 39.2, "heart_rate": 110},
    )
    labels = list(c.diagnoses.values_list("icd10_code", "label"))
    assert labels[0][0] == "B50.9" and "falciparum" in labels[0][1]
    assert c.temperature_c is not None and float(c.temperature_c) == 39.2
    assert c.facility == users.clinician1.facility


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"diagnoses": ["ZZZ"]}, "diagnoses"),
        ({"vitals": {"temperature_c": 52}}, "temperature_c"),
        ({"complaint": "", "diagnoses": []}, "complaint"),
        ({"follow_up_date": timezone.localdate() - timedelta(days=3)}, "follow_up_date"),
    ],
)
def test_bad_consultation_input_is_refused_in_french_and_saves_nothing(
    users, household_factory, kwargs, field
):
    head = household_factory(users.chw1).head
    kwargs = {"complaint": "Toux", **kwargs}
    with pytest.raises(ValidationError) as exc:
        record_consultation(by=users.clinician1, person=head, **kwargs)
    assert field in exc.value.message_dict
    assert Consultation.objects.count() == 0


def test_clinician_of_another_cscom_cannot_record_for_a_person_out_of_scope(users, household_factory):
    head = household_factory(users.chw1).head
    with pytest.raises(PermissionDenied):
        record_consultation(by=users.clinician2, person=head, complaint="Toux")
    with pytest.raises(PermissionDenied):
        record_consultation(by=users.chw1, person=head, complaint="Toux")
