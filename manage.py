#!/usr/bin/env python
"""Django's command-line utility for Kanal."""

import os
import sys

import kanal  # noqa: F401  (puts platform/ and graphql/ on sys.path)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kanal.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
