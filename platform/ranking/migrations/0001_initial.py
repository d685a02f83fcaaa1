from django.db import migrations, models

FORBID = """
CREATE OR REPLACE FUNCTION kanal_ranking_immutable() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'published rankings are immutable (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ranking_snapshot_immutable
    BEFORE UPDATE OR DELETE ON ranking_rankingsnapshot
    FOR EACH ROW EXECUTE FUNCTION kanal_ranking_immutable();
"""
ALLOW = """
DROP TRIGGER IF EXISTS ranking_snapshot_immutable ON ranking_rankingsnapshot;
DROP FUNCTION IF EXISTS kanal_ranking_immutable();
"""


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="RankingSnapshot",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("version", models.PositiveIntegerField(unique=True, verbose_name="versi")),
                ("period_start", models.DateField(verbose_name="awal periode")),
                ("period_end", models.DateField(verbose_name="akhir periode")),
                ("title", models.CharField(max_length=200, verbose_name="judul")),
                (
                    "published_at",
                    models.DateTimeField(auto_now_add=True, verbose_name="diterbitkan"),
                ),
                ("published_by", models.CharField(max_length=150, verbose_name="oleh")),
                ("weights", models.JSONField(default=dict)),
                ("rows", models.JSONField(default=list)),
                ("content_sha256", models.CharField(max_length=64)),
            ],
            options={
                "verbose_name": "peringkat terbit",
                "verbose_name_plural": "peringkat terbit",
                "ordering": ["-version"],
            },
        ),
        migrations.RunSQL(FORBID, ALLOW),
    ]
