from typing import Any

from django.db import migrations

# A row trigger stops UPDATE and DELETE for every role, the table owner included; TRUNCATE is a statement, not
# covered by it, and is revoked instead (the owner keeps it: tests flush with it). SQLite gets no trigger: it has
# no roles, and the test suite clears its tables with DELETE.
APPEND_ONLY = """
CREATE OR REPLACE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % on % is not allowed', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();
REVOKE UPDATE, DELETE, TRUNCATE ON audit_auditevent FROM PUBLIC;
"""

REMOVE_APPEND_ONLY = """
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_append_only();
"""


def make_append_only(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY, params=None)


def undo_append_only(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(REMOVE_APPEND_ONLY, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_chain_fields_required")]

    operations = [migrations.RunPython(make_append_only, undo_append_only)]
