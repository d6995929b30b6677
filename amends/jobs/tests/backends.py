from django.core.mail.backends.base import BaseEmailBackend


class RefusingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("refused by the test mail server")


class UnreachableBackend(BaseEmailBackend):
    """A mail server that cannot be connected to."""

    def open(self):
        raise ConnectionRefusedError("no route to the test mail server")

    def send_messages(self, email_messages):
        raise AssertionError("never connected")
