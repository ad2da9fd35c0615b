"""The admin reads as Kènèya's, in French (issue 11 §3)."""

from __future__ import annotations

import re

import pytest

ENGLISH_WORDS = re.compile(r"\b(Tasks?|Database|Backend|Results?|Django|Authentication|Users?|Groups?)\b")


@pytest.mark.django_db
def test_admin_index_has_french_titles_and_kèneya_header(client, users):
    client.force_login(users.admin)
    response = client.get("/admin/")
    assert response.status_code == 200
    html = response.content.decode()
    sections = re.findall(r'class="section"[^>]*>([^<]*)</a>', html)
    models = re.findall(r'<th scope="row" id="[^"]*">\s*<a[^>]*>([^<]*)</a>', html)
    assert "Tâches de fond" in sections
    assert "Résultats de tâches" in models
    titles = sections + models
    assert len(titles) > 10
    english = [t for t in titles if ENGLISH_WORDS.search(t)]
    assert english == []
    assert "Administration de Kènèya" in html
    assert "Administration de Django" not in html
    assert "Site d’administration de Django" not in html


@pytest.mark.django_db
def test_admin_task_result_list_is_titled_in_french(client, users):
    client.force_login(users.admin)
    response = client.get("/admin/django_tasks_database/dbtaskresult/")
    assert response.status_code == 200
    assert "Task Result" not in response.content.decode()
