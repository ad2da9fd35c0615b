"""The ledger's rules in the database (decision 0012-ledger.md).

PostgreSQL (django-hordak's design): a constraint trigger, DEFERRABLE INITIALLY DEFERRED, sums
the postings of each entry a transaction touched when it commits, and refuses an unbalanced
one; BEFORE UPDATE/DELETE triggers refuse any edit of an entry or a posting (TRUNCATE, which
tests and ``delete_demo`` use, is not a row operation; ``SET LOCAL keneya.ledger_purge = 'on'``
lets the demo's purge delete rows).

SQLite has no deferred triggers. Foreign keys are deferred there (Django creates them so), so
``ledger.post`` writes the postings first and the entry last: the entry's INSERT closes it.
A trigger on that INSERT refuses it when its postings do not sum to zero; a trigger on the
posting INSERT refuses a posting for an entry already written (a closed entry takes no more);
UPDATE triggers refuse edits. Deletion is refused by the models (``LedgerGuard``), not by a
trigger: Django's test flush and the demo's purge delete rows with plain DELETEs.
"""

from django.db import migrations

PG_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION financing_check_entry_balanced() RETURNS trigger AS $$
    DECLARE
        entry uuid;
        total bigint;
    BEGIN
        IF TG_TABLE_NAME = 'financing_posting' THEN
            entry := COALESCE(NEW.entry_id, OLD.entry_id);
        ELSE
            entry := COALESCE(NEW.id, OLD.id);
        END IF;
        SELECT COALESCE(SUM(amount), 0) INTO total FROM financing_posting WHERE entry_id = entry;
        IF total <> 0 THEN
            RAISE EXCEPTION 'Unbalanced journal entry %: its postings sum to %', entry, total
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE CONSTRAINT TRIGGER financing_posting_balanced
        AFTER INSERT OR UPDATE OR DELETE ON financing_posting
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION financing_check_entry_balanced();
    """,
    """
    CREATE CONSTRAINT TRIGGER financing_entry_balanced
        AFTER INSERT ON financing_journalentry
        DEFERRABLE INITIALLY DEFERRED
        FOR EACH ROW EXECUTE FUNCTION financing_check_entry_balanced();
    """,
    """
    CREATE OR REPLACE FUNCTION financing_refuse_edit() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'DELETE' AND current_setting('keneya.ledger_purge', true) = 'on' THEN
            RETURN OLD;
        END IF;
        RAISE EXCEPTION 'The ledger is append-only (% on %): void the entry instead', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER financing_posting_append_only BEFORE UPDATE OR DELETE ON financing_posting
        FOR EACH ROW EXECUTE FUNCTION financing_refuse_edit();
    """,
    """
    CREATE TRIGGER financing_entry_append_only BEFORE UPDATE OR DELETE ON financing_journalentry
        FOR EACH ROW EXECUTE FUNCTION financing_refuse_edit();
    """,
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS financing_posting_balanced ON financing_posting;",
    "DROP TRIGGER IF EXISTS financing_entry_balanced ON financing_journalentry;",
    "DROP TRIGGER IF EXISTS financing_posting_append_only ON financing_posting;",
    "DROP TRIGGER IF EXISTS financing_entry_append_only ON financing_journalentry;",
    "DROP FUNCTION IF EXISTS financing_check_entry_balanced();",
    "DROP FUNCTION IF EXISTS financing_refuse_edit();",
]

SQLITE_FORWARD = [
    """
    CREATE TRIGGER financing_entry_closes_balanced BEFORE INSERT ON financing_journalentry
    WHEN (SELECT COALESCE(SUM(amount), 0) FROM financing_posting WHERE entry_id = NEW.id) <> 0
    BEGIN
        SELECT RAISE(ABORT, 'Unbalanced journal entry: its postings do not sum to zero');
    END;
    """,
    """
    CREATE TRIGGER financing_posting_entry_open BEFORE INSERT ON financing_posting
    WHEN EXISTS (SELECT 1 FROM financing_journalentry WHERE id = NEW.entry_id)
    BEGIN
        SELECT RAISE(ABORT, 'Journal entry already closed: a posting cannot be added to it');
    END;
    """,
    """
    CREATE TRIGGER financing_posting_no_update BEFORE UPDATE ON financing_posting
    BEGIN
        SELECT RAISE(ABORT, 'The ledger is append-only: void the entry instead');
    END;
    """,
    """
    CREATE TRIGGER financing_entry_no_update BEFORE UPDATE ON financing_journalentry
    BEGIN
        SELECT RAISE(ABORT, 'The ledger is append-only: void the entry instead');
    END;
    """,
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS financing_entry_closes_balanced;",
    "DROP TRIGGER IF EXISTS financing_posting_entry_open;",
    "DROP TRIGGER IF EXISTS financing_posting_no_update;",
    "DROP TRIGGER IF EXISTS financing_entry_no_update;",
]


def _run(statements: dict[str, list[str]]):  # type: ignore[no-untyped-def]
    def run(apps, schema_editor):  # type: ignore[no-untyped-def]
        for sql in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql, None)

    return run


class Migration(migrations.Migration):
    dependencies = [("financing", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"postgresql": PG_FORWARD, "sqlite": SQLITE_FORWARD}),
            _run({"postgresql": PG_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        )
    ]
