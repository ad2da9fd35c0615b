"""Every part of the demo (social protection, the laboratory, the record, the ordonnances) is
seeded through its services and comes back the same after ``seed_demo --reset``.

One seed and one reset for all the parts: each part's checks are in its own module
(``*_part``), which returns the checks to run after the reset. Seeding the demo is the slowest
thing the suite does; four tests of two seeds each cost the CI minutes for nothing more."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from keneya.demo.tests.test_pharmacy_demo import pharmacy_part
from keneya.demo.tests.test_records_demo import records_part
from keneya.demo.tests.test_seed_demo import lab_part, seed_loop, social_part


@pytest.mark.django_db
def test_every_part_is_seeded_through_the_services_and_reset_cleanly(
    tmp_path: Path, time_machine: Any
) -> None:
    seed_loop(tmp_path, time_machine)
    after_reset = [part() for part in (social_part, lab_part, records_part, pharmacy_part)]
    seed_loop(tmp_path, time_machine, "--reset")
    for check in after_reset:
        check()
