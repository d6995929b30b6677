"""0002 points jobs queued under a task's old name at its `*_task` name, so none is lost at an upgrade."""

import importlib

import pytest
from django.apps import apps
from django.core import mail
from django.test import override_settings
from django.utils.module_loading import import_string
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult

from amends.jobs.worker import AmendsWorker

from .test_worker import DB_QUEUE, NO_PERIODIC, receive

migration = importlib.import_module("amends.jobs.migrations.0002_task_names")
pytestmark = pytest.mark.usefixtures("reference_data_restored")


@pytest.mark.parametrize("new", sorted(migration.RENAMED.values()))
def test_every_new_name_is_a_task(new):
    assert isinstance(import_string(new), Task)


@override_settings(TASKS=DB_QUEUE, AMENDS_JOBS_DISABLED=NO_PERIODIC)
def test_a_job_queued_under_the_old_name_still_acknowledges_the_customer():
    complaint = receive()
    waiting = DBTaskResult.objects.get(task_path="amends.intake.tasks.follow_up_registration_task")
    DBTaskResult.objects.filter(pk=waiting.pk).update(task_path="amends.intake.tasks.follow_up_registration")
    done = DBTaskResult.objects.create(task_path="amends.jobs.tasks.mail_poll", status="SUCCESSFUL",
                                       args_kwargs={"args": [], "kwargs": {}}, queue_name="default",
                                       backend_name="default")

    migration.rename(apps, None)
    waiting.refresh_from_db()
    done.refresh_from_db()
    assert waiting.task_path == "amends.intake.tasks.follow_up_registration_task"
    assert done.task_path == "amends.jobs.tasks.mail_poll"  # history stays as it was

    AmendsWorker().run(once=True)
    [ack] = mail.outbox
    assert complaint.number in ack.subject
