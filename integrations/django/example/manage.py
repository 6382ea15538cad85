#!/usr/bin/env python3
"""Django's command-line utility for the kiosk-shell example project."""
import os
import sys
from pathlib import Path

# kiosk_fleet lives one folder up (integrations/django/); a real site would install it.
sys.path.insert(1, str(Path(__file__).resolve().parent.parent))


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    from example.environment import SettingError

    try:
        settings.INSTALLED_APPS  # noqa: B018 -- reads the settings, which check the environment
    except SettingError as exc:
        sys.exit(f"manage.py: {exc}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
