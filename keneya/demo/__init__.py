"""Demo data for Commune IV of Bamako: geography, staff logins, households and persons.

- ``names``: Malian family and given names with rough frequencies.
- ``district``: the area tree, facilities, partner organisations and staff of the demo.
- ``generate``: pure, seeded generation of households and their members (no database).
- ``visits``: six months of home visits assessed by the clinical engine, and the closed loop
  they started (alerts, referrals, consultations, SMS), planned with a seed and bulk-written.
- ``seed``: writes the demo in bulk (``seed_demo``), removes it (``delete_demo``).

Used by ``manage.py seed_demo`` and by the benchmarks (``bench/bench_registry.py``,
``bench/bench_closed_loop.py``).
"""
