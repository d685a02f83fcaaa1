from django.apps import AppConfig


class RankingConfig(AppConfig):
    """OPD rankings, red report cards (rapor merah) and their published snapshots."""

    name = "ranking"
    verbose_name = "Peringkat OPD"
