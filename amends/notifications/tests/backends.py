"""Mail backends that misbehave the way real workers and servers do."""

import time

from django.core.mail.backends.locmem import EmailBackend


class KilledWorkerBackend(EmailBackend):
    """The worker process dies before the server accepts anything."""

    def send_messages(self, messages):
        raise SystemExit("killed")


class RefusingBackend(EmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("SMTP server down")


class SecondWorkerBackend(EmailBackend):
    """While the first worker sends, a second worker runs the whole job."""

    second_runs: list = []

    def send_messages(self, messages):
        from amends.notifications.delivery import notifications_deliver

        if not self.second_runs:
            self.second_runs.append(None)
            self.second_runs[0] = notifications_deliver()
        return super().send_messages(messages)


class SlowBackend(EmailBackend):
    """A server that takes a while, so racing workers overlap."""

    def send_messages(self, messages):
        time.sleep(0.01)
        return super().send_messages(messages)
