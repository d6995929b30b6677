from django.core.management.base import BaseCommand, CommandError
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from amends.triage.learning import train
from amends.triage.models import TriageField, TriageModel

STEPS = {
    "reading": "reading the classified cards", "training": "training",
    "evaluating": "evaluating on the held-out cards", "comparing": "comparing with the model in use",
    "storing": "storing the model",
}


class Command(BaseCommand):
    help = ("Triage models. `train` trains each field's model (or --field's) on the closed and corrected cards, "
            "evaluates it on the newest fifth and puts it in use if it does no worse than the model in use.")

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        training = commands.add_parser("train", help="train the models")
        training.add_argument("--field", action="append", choices=TriageField.values,
                              help="a field to train (repeatable); all fields when absent")

    def handle(self, *args, **options):
        fields = options["field"] or TriageField.values
        console = Console(stderr=True)
        failed = []
        for field in fields:
            with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                          console=console, transient=True) as bar:
                task = bar.add_task(field, total=None)
                model = train(field, progress=lambda step, task=task, field=field, bar=bar: bar.update(
                    task, description=f"{field}: {STEPS.get(step, step)}"))
            self.stdout.write(self.summary(model))
            if not model.file:
                failed.append(field)
        if len(failed) == len(fields):
            raise CommandError(f"no model could be trained ({', '.join(failed)})")

    @staticmethod
    def summary(model: TriageModel) -> str:
        line = f"{model.field} v{model.version}: "
        if not model.file:
            return line + f"not trained: {model.rejected_reason}"
        figures = model.evaluation
        baselines = figures["baselines"]
        line += (f"{model.trained_on:,} cards trained, {model.tested_on:,} held out, {model.classes} values, "
                 f"{model.training_seconds:.1f} s; top-1 {figures['top1']:.3f}, top-3 {figures['top3']:.3f}, "
                 f"macro-F1 {figures['macro_f1']:.3f} (majority {baselines['majority']['top1']:.3f}, "
                 f"keywords {baselines['keywords']['top1']:.3f}); ")
        return line + ("in use" if model.active else f"not used: {model.rejected_reason}")
