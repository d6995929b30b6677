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


class WorkerBeat(models.Model):
    """Each running worker's last sign of life, one row a worker process: what monitoring reads to tell
    a stopped or stuck worker (a killed one leaves its row to age; one stopped cleanly removes it)."""

    worker = models.CharField(max_length=64, unique=True)  # host:pid
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.worker} @ {self.beat_at:%Y-%m-%d %H:%M:%S}"
