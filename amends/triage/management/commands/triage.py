from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from amends.triage.learning import train
from amends.triage.models import NEGATIVE_MODEL, TriageField, TriageModel

TRAINED = [*TriageField.values, NEGATIVE_MODEL]

STEPS = {
    "reading": "reading the classified cards", "training": "training",
    "evaluating": "evaluating on the held-out cards", "comparing": "comparing with the model in use",
    "storing": "storing the model",
}


class Command(BaseCommand):
    help = ("Triage models. `train` trains each field's model (or --field's) on the closed and corrected cards, "
            "and the negative-emotion flag's (--field negative) on the cards whose flag was marked right or wrong; "
            "evaluates it on the newest fifth and puts it in use if it does no worse than the model in use. "
            "`evaluate` prints the held-out figures stored with the models in use.")

    def add_arguments(self, parser):
        commands = parser.add_subparsers(dest="action", required=True)
        training = commands.add_parser("train", help="train the models")
        training.add_argument("--field", action="append", choices=TRAINED,
                              help="a field to train (repeatable); all fields when absent")
        evaluation = commands.add_parser("evaluate", help="print the figures of the models in use")
        evaluation.add_argument("--field", action="append", choices=TRAINED,
                                help="a field to show (repeatable); all fields when absent")

    def handle(self, *args, **options):
        fields = options["field"] or TRAINED
        if options["action"] == "evaluate":
            self.evaluate(fields)
            return
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
        if model.field == NEGATIVE_MODEL:
            line += (f"{model.trained_on:,} cards trained, {model.tested_on:,} held out, "
                     f"{model.training_seconds:.1f} s; {Command.flag_figures(figures)}; ")
            return line + ("in use" if model.active else f"not used: {model.rejected_reason}")
        line += (f"{model.trained_on:,} cards trained, {model.tested_on:,} held out, {model.classes} values, "
                 f"{model.training_seconds:.1f} s; top-1 {figures['top1']:.3f}, top-3 {figures['top3']:.3f}, "
                 f"macro-F1 {figures['macro_f1']:.3f} (majority {baselines['majority']['top1']:.3f}, "
                 f"keywords {baselines['keywords']['top1']:.3f}); ")
        return line + ("in use" if model.active else f"not used: {model.rejected_reason}")

    def evaluate(self, fields: list[str]) -> None:
        """Per field, the model in use and its figures on its held-out cards, then one line per value."""
        models = {model.field: model for model in TriageModel.objects.filter(field__in=fields, active=True)}
        for field in fields:
            model = models.get(field)
            if model is None:
                self.stdout.write(_("%(field)s: no model in use.") % {"field": field})
                continue
            figures = model.evaluation
            baselines = figures["baselines"]
            if field == NEGATIVE_MODEL:
                self.stdout.write(_(
                    "%(field)s v%(version)s, trained %(date)s on %(trained)s cards, tested on %(tested)s held-out "
                    "cards: %(figures)s") % {
                    "field": field, "version": model.version, "date": model.created_at.date().isoformat(),
                    "trained": f"{model.trained_on:,}", "tested": f"{model.tested_on:,}",
                    "figures": self.flag_figures(figures)})
                continue
            self.stdout.write(_(
                "%(field)s v%(version)s, trained %(date)s on %(trained)s cards, tested on %(tested)s held-out "
                "cards: top-1 %(top1).3f, top-3 %(top3).3f, macro-F1 %(f1).3f (majority %(majority).3f, "
                "keywords %(keywords).3f)") % {
                "field": field, "version": model.version, "date": model.created_at.date().isoformat(),
                "trained": f"{model.trained_on:,}", "tested": f"{model.tested_on:,}", "top1": figures["top1"],
                "top3": figures["top3"], "f1": figures["macro_f1"], "majority": baselines["majority"]["top1"],
                "keywords": baselines["keywords"]["top1"]})
            names = figures.get("names", {})
            rows = [(names.get(row["value"], row["value"]), row) for row in figures["per_class"]]
            width = max([len(_("Value")), *(len(name) for name, _row in rows)])
            self.stdout.write(f"  {_('Value'):{width}}  {_('Precision'):>9}  {_('Recall'):>9}  {_('F1'):>9}  "
                              f"{_('Cards'):>9}")
            for name, row in rows:
                self.stdout.write(f"  {name:{width}}  {row['precision']:9.3f}  {row['recall']:9.3f}  "
                                  f"{row['f1']:9.3f}  {row['support']:9d}")

    @staticmethod
    def flag_figures(figures: dict) -> str:
        lists = figures["baselines"]["word_lists"]
        threshold = "none" if figures["threshold"] is None else f"{figures['threshold']:.2f}"
        return (f"threshold {threshold}, precision {figures['precision']:.3f}, recall {figures['recall']:.3f}, "
                f"F1 {figures['f1']:.3f} (word lists: precision {lists['precision']:.3f}, "
                f"recall {lists['recall']:.3f}, F1 {lists['f1']:.3f})")
