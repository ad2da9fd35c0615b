"""``dhis2_import_metadata``: from a file, from the configured server, never to another host."""

from __future__ import annotations

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from keneya.interop.dhis2.metadata import import_metadata, load_source
from keneya.interop.dhis2.models import CategoryOptionCombo, DataElement, DataSet, OrgUnit, ValueMapping
from keneya.interop.dhis2.tests import fake_server as fk

pytestmark = pytest.mark.django_db


def test_a_metadata_file_creates_the_objects_and_links_facilities_by_code(district, tmp_path, capsys):
    path = tmp_path / "metadata.json"
    path.write_text(json.dumps(fk.default_metadata()), encoding="utf-8")

    call_command("dhis2_import_metadata", str(path))

    assert DataSet.objects.get().period_type == "Monthly"
    visits = DataElement.objects.get(uid=fk.DE_VISITS)
    assert (visits.value_type, visits.category_combo_uid, visits.data_set and visits.data_set.uid) == (
        "INTEGER_ZERO_OR_POSITIVE",
        fk.CC_SEX,
        fk.DATA_SET,
    )
    assert CategoryOptionCombo.objects.count() == 3
    assert OrgUnit.objects.get(uid=fk.OU_ASACOLA).facility == district.cscom1
    assert OrgUnit.objects.get(uid=fk.OU_ASACOHAM).facility == district.cscom2
    assert OrgUnit.objects.get(uid="ouDistrict4").facility is None
    out = capsys.readouterr().out
    assert "3 unités d'organisation nouvelles" in out and "2 liées à une structure" in out


def test_importing_twice_changes_nothing_and_keeps_the_admins_links(district):
    import_metadata(fk.default_metadata())
    OrgUnit.objects.filter(uid="ouDistrict4").update(facility=district.csref)

    counts = import_metadata(fk.default_metadata())

    assert counts["org_units"] == 0 and counts["org_units_updated"] == 3
    assert OrgUnit.objects.get(uid="ouDistrict4").facility == district.csref
    assert OrgUnit.objects.count() == 3


def test_the_configured_server_is_asked_when_no_source_is_given(district, dhis2_settings, fake):
    call_command("dhis2_import_metadata")

    assert DataElement.objects.count() == 2
    [request] = fake.requests
    assert request.path == "/api/metadata" and request.query["organisationUnits"] == "true"


def test_a_url_on_the_configured_server_is_read_with_its_credentials(district, dhis2_settings, fake):
    data = load_source(f"{fake.base_url}/api/metadata?dataElements=true")

    assert {o["id"] for o in data["dataElements"]} == {fk.DE_VISITS, fk.DE_CHILDREN}
    assert fake.requests[0].headers["authorization"].startswith("Basic ")


def test_credentials_are_never_sent_to_another_host(dhis2_settings):
    with pytest.raises(ValidationError, match="serveur DHIS2 configuré"):
        load_source("https://evil.example.org/api/metadata")
    with pytest.raises(CommandError):
        call_command("dhis2_import_metadata", "https://evil.example.org/api/metadata")


def test_a_missing_file_is_a_clear_error():
    with pytest.raises(CommandError, match="Lecture impossible"):
        call_command("dhis2_import_metadata", "/nonexistent/metadata.json")


def test_a_combo_outside_the_elements_category_combo_is_refused_in_the_admin_form(district):
    import_metadata(fk.default_metadata())
    mapping = ValueMapping(
        indicator="children_followed",
        cell="",
        data_element=DataElement.objects.get(uid=fk.DE_CHILDREN),
        category_option_combo=CategoryOptionCombo.objects.get(uid=fk.COC_FEMALE),
    )
    with pytest.raises(ValidationError, match="n'appartient pas"):
        mapping.full_clean()


def test_the_connection_check_names_the_version_and_the_account_never_the_password(
    dhis2_settings, fake, capsys
):
    call_command("dhis2_check")

    out = capsys.readouterr().out
    assert "DHIS2 2.40.3" in out and fk.USERNAME in out and fk.PASSWORD not in out


def test_the_connection_check_says_when_credentials_are_refused(dhis2_settings, fake):
    dhis2_settings.DHIS2_PASSWORD = "wrong"
    with pytest.raises(CommandError, match="identifiants refusés"):
        call_command("dhis2_check")
