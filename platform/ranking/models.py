"""Published rankings: immutable snapshots, one version per publication.

A database trigger (migration 0002) refuses UPDATE and DELETE, so a ranking
printed in the newspaper can never change after the fact; a correction is a
new version. Each carries the SHA-256 of its content.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class RankingSnapshot(models.Model):
    version = models.PositiveIntegerField(_("versi"), unique=True)
    period_start = models.DateField(_("awal periode"))
    period_end = models.DateField(_("akhir periode"))  # inclusive
    title = models.CharField(_("judul"), max_length=200)
    published_at = models.DateTimeField(_("diterbitkan"), auto_now_add=True)
    published_by = models.CharField(_("oleh"), max_length=150)
    weights = models.JSONField(default=dict)
    rows = models.JSONField(default=list)
    content_sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("peringkat terbit")
        verbose_name_plural = _("peringkat terbit")
        ordering = ["-version"]

    def __str__(self) -> str:
        return f"v{self.version} · {self.title}"
