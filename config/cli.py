"""The `amends` command: Django's manage.py under the project's name. It lives in `config`, beside the
settings, because it routes to any app (the mailgate relay is intake's) and no app may import one above it."""

import os
import sys
import traceback


def main() -> None:
    if sys.argv[1:2] == ["mailgate"]:
        sys.exit(mailgate())
    django_main()


def django_main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


def mailgate() -> int:
    """An MTA reads the exit code: a code outside the mailgate's own (0, 65, 66, 75), e.g. a usage
    error's 2 or a traceback's 1, would make it bounce the mail, so those become 75 and it retries."""
    # Imported here, not at the top: the relay path must start without loading Django.
    from amends.intake.channels.email.relay import EX_DATAERR, EX_NOINPUT, EX_OK, EX_TEMPFAIL
    from amends.intake.channels.email.relay import main as relay

    # Its outcome is one line on standard error, which the MTA may mail back: log lines that would
    # repeat it (a quarantined message's warning) stay out unless LOG_LEVEL asks for them.
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    try:
        if any(arg == "--url" or arg.startswith("--url=") for arg in sys.argv[2:]):
            # Started once per message: relay it to the running app without starting Django.
            return relay(sys.argv[2:])
        django_main()
    except SystemExit as end:
        code = end.code if isinstance(end.code, int) else (0 if end.code is None else 1)
        return code if code in (EX_OK, EX_DATAERR, EX_NOINPUT, EX_TEMPFAIL) else EX_TEMPFAIL
    except Exception:  # noqa: BLE001 - whatever broke, the MTA must keep the message
        traceback.print_exc()
        return EX_TEMPFAIL
    return EX_OK


if __name__ == "__main__":
    main()
