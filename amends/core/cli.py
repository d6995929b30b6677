"""The `amends` command: Django's manage.py under the project's name."""

import os
import sys


def main() -> None:
    if sys.argv[1:2] == ["mailgate"] and any(arg == "--url" or arg.startswith("--url=") for arg in sys.argv[2:]):
        # An MTA starts this once per message: relay it to the running app without starting Django.
        from amends.intake.channels.email.relay import main as relay

        sys.exit(relay(sys.argv[2:]))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
