"""Trigram indexes for name/code/phone search on PostgreSQL (LIKE '%term%' uses them).

SQLite has no equivalent; at demo size a scan is fast enough there.
"""

from django.db import migrations

INDEXES = [
    ("people_household_search_trgm", "people_household", "search_text"),
    ("people_person_name_key_trgm", "people_person", "name_key"),
]


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({column} gin_trgm_ops)"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(create, drop, elidable=False)]
