"""Each role's home tiles lead to something (issue 11 §4: the CSRef's registry tile showed 0)."""

from __future__ import annotations

import pytest

from keneya.referrals.services import refer_to_csref


@pytest.mark.django_db
def test_specialist_sees_the_people_referred_to_the_csref_not_an_empty_registry(client, users, toddler):
    refer_to_csref(by=users.clinician1, person=toddler, reason="Pneumonie sévère.")
    client.force_login(users.specialist)
    html = client.get("/").content.decode()
    assert "Ménages et personnes" not in html
    assert "1 personne référée à votre centre" in html
    response = client.get("/references/")
    assert response.status_code == 200 and toddler.full_name in response.content.decode()


@pytest.mark.django_db
def test_area_roles_keep_the_registry_tile(client, users):
    for user in (users.chw1, users.clinician1, users.social):
        client.force_login(user)
        html = client.get("/").content.decode()
        assert "Ménages et personnes" in html
        assert "personne référée" not in html
