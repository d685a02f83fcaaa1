"""The Diskominfo console: a city's own configuration screens, in its schema.

Each screen edits part of the same config the YAML describes and is checked
by the same config model (``cityconfig.admin_forms``); every write is one
recorded revision (``cityconfig.revisions``). One module per part of the config.
"""

from cityconfig.admin import catalogue, profile, routing, sla, territory  # noqa: F401
