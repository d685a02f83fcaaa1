"""The timeline is append-only: a trigger refuses UPDATE and DELETE on it, so no
code path (admin, shell, a bug) can rewrite a report's history."""

from django.db import migrations

FORBID = """
CREATE OR REPLACE FUNCTION kanal_timeline_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'reports_timelineentry is append-only (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER timeline_append_only
    BEFORE UPDATE OR DELETE ON reports_timelineentry
    FOR EACH ROW EXECUTE FUNCTION kanal_timeline_append_only();
"""

ALLOW = """
DROP TRIGGER IF EXISTS timeline_append_only ON reports_timelineentry;
DROP FUNCTION IF EXISTS kanal_timeline_append_only();
"""


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunSQL(FORBID, ALLOW)]
