"""Demo data for Commune IV of Bamako: geography, staff logins, households and persons.

- ``names``: Malian family and given names with rough frequencies.
- ``district``: the area tree, facilities, partner organisations and staff of the demo.
- ``generate``: pure, seeded generation of households and their members (no database).
- ``visits``: six months of home visits assessed by the clinical engine, planned with a seed
  and bulk-written (the rows of the visit service), with vaccination cards (``vaccines``).
- ``play``: what followed the visits (alerts, escalations, referrals, consultations, SMS),
  replayed through the real services on a simulated clock.
- ``seed``: writes the demo in bulk (``seed_demo``, through ``fastinsert``), removes it
  (``delete_demo``); ``logins``: the table of demo logins, after a seed and at each restart.

Used by ``manage.py seed_demo`` and by the benchmarks (``bench/bench_registry.py``,
``bench/bench_closed_loop.py``).
"""
