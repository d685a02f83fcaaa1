from django.apps import AppConfig


class CityConfigConfig(AppConfig):
    """A city's own configuration as applied from its YAML: categories, OPDs,
    areas, routing and SLA rules, policies and branding (tenant schema)."""

    name = "cityconfig"
    verbose_name = "Konfigurasi Kota"
