"""UUIDv7: version and variant as RFC 9562 sets them, time first, unique."""

import time
import uuid

from keneya.core.ids import uuid7


def test_a_new_id_is_a_version_7_uuid_starting_with_the_time():
    before = time.time_ns() // 1_000_000
    made = uuid7()
    after = time.time_ns() // 1_000_000
    assert made.version == 7 and made.variant == uuid.RFC_4122
    assert before <= made.int >> 80 <= after


def test_ids_made_later_sort_after_and_never_repeat():
    first = uuid7()
    time.sleep(0.002)
    ids = [uuid7() for _ in range(10_000)]
    assert len(set(ids)) == len(ids)
    assert all(first < later for later in ids)
