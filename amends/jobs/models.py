from django.db import models


class ScheduledRun(models.Model):
    """One row per periodic job and time slot: the worker that inserts it enqueues the job,
    so several workers sharing a database start each run once."""

    job = models.CharField(max_length=100)
    slot = models.DateTimeField()
    enqueued_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="jobs_one_run_per_slot")]
        indexes = [models.Index(fields=["enqueued_at"])]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot:%Y-%m-%d %H:%M}"
