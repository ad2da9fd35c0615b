"""Fixtures for sync tests: chw1's two tablets and an API client per tablet token."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from keneya.sync.tests.factories import tablet


@pytest.fixture
def tablet_a(users: Any) -> tuple[Any, str]:
    return tablet(users.chw1, "Tablette A")


@pytest.fixture
def tablet_b(users: Any) -> tuple[Any, str]:
    return tablet(users.chw1, "Tablette B")


@pytest.fixture
def device_client() -> Any:
    def make(token: str) -> APIClient:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Device {token}")
        return client

    return make
