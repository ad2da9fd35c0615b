"""The database cache table (settings.CACHES, "throttle"): the token endpoint's throttle counts
there, across every gunicorn worker. ``migrate`` creates it (``createcachetable`` is
idempotent), so no deployment step is forgotten."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_hash_existing_tokens")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
