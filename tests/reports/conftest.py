"""The report tests use the shared ``world`` fixture (tests/conftest.py)."""

from tests.conftest import world  # noqa: F401  (kept importable for other test folders)
from tests.factories import CENTERS, CityWorld  # noqa: F401
