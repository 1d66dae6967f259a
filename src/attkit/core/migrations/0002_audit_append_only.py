"""On PostgreSQL, a trigger refuses UPDATE and DELETE of audit events, whatever the client."""

from typing import Any

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION attkit_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'attkit: audit events are append-only (% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS attkit_audit_append_only ON core_auditevent;
CREATE TRIGGER attkit_audit_append_only BEFORE UPDATE OR DELETE ON core_auditevent
  FOR EACH ROW EXECUTE FUNCTION attkit_audit_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS attkit_audit_append_only ON core_auditevent;
DROP FUNCTION IF EXISTS attkit_audit_append_only();
"""


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
