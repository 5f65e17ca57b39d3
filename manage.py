#!/usr/bin/env python
"""Django's command-line utility for Shouhu."""

import os
import sys


def main():
    """Run administrative tasks."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shouhu.settings")
    from django.core.management import execute_from_command_line  # Django's own layout

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
