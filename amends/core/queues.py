"""The job queues. A long job (a model's training, an import, an export, a workbook of reports) goes on
LONG_QUEUE, which `amends worker` runs in a process of its own: a complaint that arrives during a
training of two minutes gets its card at once, not at the training's next pause point."""

from django_tasks import DEFAULT_TASK_QUEUE_NAME

LONG_QUEUE = "long"
# TASKS' QUEUES in the settings: django-tasks refuses a task whose queue is not listed.
QUEUES = [DEFAULT_TASK_QUEUE_NAME, LONG_QUEUE]
