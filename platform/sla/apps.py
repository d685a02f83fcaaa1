from django.apps import AppConfig


class SlaConfig(AppConfig):
    """SLA clocks in each city's working time, breach sweeps and escalation."""

    name = "sla"
    verbose_name = "SLA"
