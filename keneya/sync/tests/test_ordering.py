"""A CHW's stream is committed in ``seq`` order, so a cursor never skips a late commit."""

import threading
import time
import uuid

import pytest
from django.db import connection, transaction

from keneya.sync.changelog import record_change
from keneya.sync.models import ChangeLog

pytestmark = pytest.mark.django_db(transaction=True)

HOLD_SECONDS = 0.6


def _append_and_hold(chw_id, appended: threading.Event) -> None:
    try:
        with transaction.atomic():
            record_change(type="person", obj_id=uuid.uuid4(), chw_id=chw_id)
            appended.set()
            time.sleep(HOLD_SECONDS)
    finally:
        connection.close()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite serialises every writer already")
def test_a_second_writer_for_the_same_chw_waits_for_the_first_to_commit(users):
    appended = threading.Event()
    first = threading.Thread(target=_append_and_hold, args=(users.chw1.pk, appended))
    first.start()
    assert appended.wait(5)
    started = time.monotonic()
    with transaction.atomic():
        record_change(type="person", obj_id=uuid.uuid4(), chw_id=users.chw2.pk)
    other_chw_waited = time.monotonic() - started
    started = time.monotonic()
    with transaction.atomic():
        mine = record_change(type="person", obj_id=uuid.uuid4(), chw_id=users.chw1.pk)
    same_chw_waited = time.monotonic() - started
    first.join()
    assert other_chw_waited < HOLD_SECONDS / 2  # another CHW's stream is not blocked
    assert same_chw_waited >= HOLD_SECONDS / 2
    seqs = list(ChangeLog.objects.filter(chw=users.chw1).order_by("seq").values_list("seq", flat=True))
    assert seqs[-1] == mine
