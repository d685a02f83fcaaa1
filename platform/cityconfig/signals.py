"""Signals of the core that any layer may send or hear without importing another.

``public_data_changed`` (``schema=``): something citizens can see publicly has
changed in that city (a committed report change, a config apply). The API's
public query cache listens and moves the city's version on. It lives here, in
the configuration app every other app already depends on, so onboarding and
the reports app send it without importing each other.
"""

from __future__ import annotations

from django.dispatch import Signal

public_data_changed = Signal()
