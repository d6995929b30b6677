"""Training from the command line and by the worker's schedule."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from amends.jobs.schedule import PERIODIC
from amends.triage.models import TriageModel
from amends.triage.training_tasks import fields_due, triage_train_due, triage_train_task

from .learning_corpus import closed_cards

pytestmark = pytest.mark.django_db


def test_the_command_trains_a_field_and_prints_its_figures(operator):
    closed_cards(operator, 60)
    out = StringIO()
    call_command("triage", "train", "--field", "category", stdout=out)
    model = TriageModel.objects.get(field="category")
    assert model.active
    text = out.getvalue()
    assert text.startswith("category v1: ") and "top-1" in text and "majority" in text and "in use" in text


def test_the_command_fails_when_no_field_could_be_trained(operator):
    closed_cards(operator, 6)
    out = StringIO()
    with pytest.raises(CommandError, match="no model could be trained"):
        call_command("triage", "train", "--field", "category", "--field", "cause", stdout=out)
    assert "category v1: not trained: Too few classified cards: 6" in out.getvalue()
    assert not TriageModel.objects.filter(active=True).exists()


def _evaluation(top1: float) -> dict:
    return {
        "top1": top1, "top3": 0.95, "macro_f1": 0.6,
        "per_class": [{"value": "12", "precision": 0.91, "recall": 0.88, "f1": 0.895, "support": 530},
                      {"value": "7", "precision": 0.5, "recall": 0.25, "f1": 0.3333, "support": 4}],
        "baselines": {"majority": {"top1": 0.212}, "keywords": {"top1": 0.488}},
        "names": {"12": "Доставка › Опоздание"},
    }


def test_the_evaluate_command_prints_the_figures_of_the_models_in_use_per_value():
    TriageModel.objects.create(field="category", version=1, trained_on=900, tested_on=230,
                               evaluation=_evaluation(0.5))
    TriageModel.objects.create(field="category", version=2, trained_on=1000, tested_on=250, active=True,
                               evaluation=_evaluation(0.874))
    out = StringIO()
    call_command("triage", "evaluate", "--field", "category", "--field", "cause", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[0].startswith("category v2, trained ")
    assert lines[0].endswith("on 1,000 cards, tested on 250 held-out cards: top-1 0.874, top-3 0.950, "
                             "macro-F1 0.600 (majority 0.212, keywords 0.488)")
    assert lines[1].split() == ["Value", "Precision", "Recall", "F1", "Cards"]
    assert lines[2].split() == ["Доставка", "›", "Опоздание", "0.910", "0.880", "0.895", "530"]
    assert lines[3].split() == ["7", "0.500", "0.250", "0.333", "4"]  # a value without a stored name: its id
    assert lines[4:] == ["cause: no model in use."]


def test_the_worker_trains_each_field_once_enough_new_cards_are_classified(operator):
    assert any(job.task == "amends.triage.training_tasks.triage_train_task" for job in PERIODIC)
    with override_settings(AMENDS_TRIAGE_FIELDS=["category"], AMENDS_TRIAGE_RETRAIN_AFTER=30):
        closed_cards(operator, 60)
        assert fields_due() == ["category"]
        triage_train_task.enqueue()  # run at once by the tests' task backend
        assert TriageModel.objects.get(field="category").active
        assert fields_due() == []  # nothing new since
        closed_cards(operator, 20, seed=3, start_days_ago=0)
        assert triage_train_due() == {}
        closed_cards(operator, 10, seed=4, start_days_ago=0)
        assert triage_train_due() == {"category": 2}
