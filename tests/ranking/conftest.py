from tests.reports.conftest import world  # noqa: F401  (re-exported fixture)
