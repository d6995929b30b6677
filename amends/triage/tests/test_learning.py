"""The models: training on the company's closed cards split by time, suggestions with confidences,
and a clear "no suggestion" for anything the model cannot answer."""

import pytest
from django.test import override_settings

from amends.triage.learning import Prediction, active_model, predict_many, train
from amends.triage.learning.store import model_load
from amends.triage.learning.text import text_normalise
from amends.triage.models import Suggestion, SuggestionSource, TriageModel

from .learning_corpus import categories, closed_cards

pytestmark = pytest.mark.django_db


def test_text_normalise_folds_case_yo_digits_and_cfpb_masks():
    text = "On XX/XX/XXXX I paid {$860.00} to XXXX for Ёлка in 2019"
    assert text_normalise(text) == "on datemask i paid moneymask to xmask for елка in 0000"


def test_without_a_model_there_is_no_suggestion_and_a_reason():
    [prediction] = predict_many("category", ["Курьер опоздал"])
    assert prediction.choices == [] and "No model" in prediction.reason


def test_training_puts_a_model_in_use_that_suggests_the_category(operator):
    closed_cards(operator, 90)
    model = train("category")
    assert model.active and active_model("category") == model
    assert model.version == 1 and model.trained_on + model.tested_on == 90 and model.classes == 3
    assert model.file.name.startswith("triage/") and len(model.digest) == 64
    kinds = categories()
    delivery, staff = predict_many("category", ["Курьер опоздал, посылка не пришла", "The manager was rude"])
    assert delivery.reason == "" and delivery.model_id == model.pk
    assert delivery.choices[0][0] == str(kinds["Delivery"].pk)
    assert staff.choices[0][0] == str(kinds["Staff"].pk)
    confidences = [confidence for _value, confidence in delivery.choices]
    assert len(confidences) == 3 and confidences == sorted(confidences, reverse=True)
    assert 0.5 < confidences[0] <= 1 and abs(sum(confidences) - 1) < 1e-6


def test_the_newest_cards_are_held_out_and_the_evaluation_is_stored(operator):
    cards = closed_cards(operator, 100)
    model = train("category")
    evaluation = model.evaluation
    assert model.tested_on == 20 and evaluation["split"]["test"] == 20
    assert evaluation["split"]["test_from"] == cards[80].received_at.isoformat()
    assert evaluation["split"]["train"] + evaluation["split"]["validation"] == 80
    assert evaluation["top1"] > 0.9 and evaluation["top3"] == 1.0 and evaluation["macro_f1"] > 0.9
    assert evaluation["baselines"]["majority"]["top1"] < 0.5
    assert 0 <= evaluation["baselines"]["keywords"]["top1"] <= 1
    assert sum(row["support"] for row in evaluation["per_class"]) == 20
    assert sum(map(sum, evaluation["confusion"]["matrix"])) == 20
    assert sum(row["count"] for row in evaluation["calibration"]) == 20
    assert set(evaluation["names"]) == {str(category.pk) for category in categories().values()}


def test_empty_text_and_an_unseen_language_get_no_suggestion(operator):
    closed_cards(operator, 60)
    train("category")
    empty, armenian, russian = predict_many("category", ["  ", "Առաքիչը ուշացավ երեք օր", "Курьер опоздал"])
    assert empty.choices == [] and "empty" in empty.reason
    assert armenian.choices == [] and "language" in armenian.reason
    assert russian.choices and russian.reason == ""


def test_a_corrupt_or_missing_model_file_gives_a_reason_not_an_error(operator):
    closed_cards(operator, 60)
    model = train("category")
    with model.file.storage.open(model.file.name, "wb") as handle:
        handle.write(b"not a model")
    model.digest = "0" * 64  # a new digest: the process must read the file again
    model.save(update_fields=["digest"])
    [prediction] = predict_many("category", ["Курьер опоздал"])
    assert prediction.choices == [] and "SHA-256" in prediction.reason
    model.file.storage.delete(model.file.name)
    [prediction] = predict_many("category", ["Курьер опоздал"])
    assert prediction.choices == [] and "cannot be read" in prediction.reason


def test_too_few_cards_make_no_model_in_use(operator):
    closed_cards(operator, 10)
    model = train("category")
    assert not model.active and "Too few" in model.rejected_reason and not model.file
    assert isinstance(predict_many("category", ["Курьер опоздал"])[0], Prediction)
    assert active_model("category") is None


def test_a_value_seen_once_is_left_out(operator):
    lone = categories()["Staff"]
    closed_cards(operator, 61, label=lambda i, name: "Quality" if name == "Staff" and i != 2 else name)
    model = train("category")
    assert model.evaluation["rare_values"] == [str(lone.pk)]
    assert str(lone.pk) not in model_load(model).classes


def test_a_model_below_the_most_frequent_value_is_kept_out_of_use(operator):
    # The newest cards (the held-out part) are all "Delivery", whatever they say; "Delivery" is also the
    # most frequent value before them, so always suggesting it beats reading the text.
    def label(i, name):
        return "Delivery" if i >= 80 or (name == "Staff" and i < 20) else name

    closed_cards(operator, 100, label=label)
    model = train("category")
    assert model.evaluation["baselines"]["majority"]["top1"] == 1.0
    assert not model.active and "most frequent value" in model.rejected_reason
    assert active_model("category") is None


def test_a_worse_model_is_kept_out_of_use_with_the_reason(operator):
    closed_cards(operator, 90)
    first = train("category")
    # Older cards relabelled at random: the next model learns noise and loses on the newest cards.
    cards = closed_cards(operator, 150, seed=2, start_days_ago=400,
                         label=lambda i, name: ["Delivery", "Quality", "Staff"][(i * 7 // 3) % 3])
    assert len(cards) == 150
    second = train("category")
    assert not second.active and "Worse than version 1" in second.rejected_reason
    assert second.evaluation["compared_with"]["version"] == 1
    first.refresh_from_db()
    assert first.active


def test_a_corrected_suggestion_is_the_training_label(operator):
    cards = closed_cards(operator, 60)
    staff = categories()["Staff"]
    Suggestion.objects.create(complaint=cards[0], field="category", source=SuggestionSource.NONE,
                              final_value=str(staff.pk))
    from amends.triage.learning.data import training_examples

    examples = {example.complaint_id: example.label for example in training_examples("category")}
    assert examples[cards[0].pk] == str(staff.pk) and len(examples) == 60


@override_settings(AMENDS_TRIAGE_MAX_CARDS=40)
def test_training_takes_the_newest_cards_up_to_the_limit(operator):
    cards = closed_cards(operator, 60)
    model = train("category")
    assert model.trained_on + model.tested_on == 40
    assert model.evaluation["split"]["train_from"] == cards[20].received_at.isoformat()


def test_other_fields_train_too(operator):
    closed_cards(operator, 60)
    model = train("importance")
    assert not model.active and "same value" in model.rejected_reason
    assert TriageModel.objects.filter(field="importance").count() == 1
