"""Demo data for Commune IV of Bamako: geography, staff logins, households and persons.

- ``names``: Malian family and given names with rough frequencies.
- ``district``: the area tree, facilities, partner organisations and staff of the demo.
- ``generate``: pure, seeded generation of households and their members (no database).
- ``seed``: writes the demo in bulk (``seed_demo``), removes it (``delete_demo``).

Used by ``manage.py seed_demo`` and by the registry benchmark (``bench/bench_registry.py``).
"""
