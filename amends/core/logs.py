"""Filters for the log configuration (config/settings/base.py, LOGGING)."""

import logging


class RefusalWithoutTraceback(logging.Filter):
    """A refused request (4xx: a 403 from PermissionDenied, a CSRF failure) is the client's doing, not
    a fault of the app: one line, without the traceback Django attaches to a 403, so that a log
    search for tracebacks finds only server errors."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", 500) < 500:
            record.exc_info, record.exc_text = None, None
        return True
