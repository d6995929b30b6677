"""The negative-emotion flag's learned model: trained from the cards operators marked, used on new cards
when it is in use, the word lists standing in without it; its threshold chosen on the training part only."""

from io import StringIO

import numpy as np
import pytest
from bs4 import BeautifulSoup
from django.core.management import call_command
from django.test import override_settings
from django.urls import reverse

from amends.accounts.roles import Role
from amends.complaints.choices import Channel, EventKind
from amends.complaints.models import Complaint, TimelineEvent
from amends.complaints.services import complaint_register, complaint_update
from amends.imports.running import import_file
from amends.triage.flags import MARKED, flag_many, negative_reading_state
from amends.triage.learning import flag_model, training
from amends.triage.learning.flag_model import threshold_choose
from amends.triage.models import NEGATIVE_MODEL, Flag, FlagKind, FlagLabel, TriageModel
from amends.triage.training_tasks import fields_due, triage_train_due

from .learning_corpus import unsaved_cards

pytestmark = pytest.mark.django_db

# Negative in words the lists do not know; not negative in words they count as a problem ("ошибка", "error"):
# the word lists get every one of these wrong, a model learns them from the marks.
NEGATIVE = ["Полный провал с заказом {n}, фиаско.", "Total fiasco with order {n}, a shambles.",
            "Заказ {n}: провал и фиаско."]
CALM = ["Ошибка в адресе заказа {n}, прошу исправить.", "Order {n}: error in the address, please correct it.",
        "В заказе {n} ошибка в индексе, исправьте."]


@pytest.fixture(autouse=True)
def english_pages(client):
    """The pages in their English source, as the services are (conftest)."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


def marked_cards(operator, count: int) -> list[Complaint]:
    """`count` cards, one a day up to today, every third one calm, each marked as its words say."""
    cards = unsaved_cards(operator, count)
    for i, card in enumerate(cards):
        texts = CALM if i % 3 == 0 else NEGATIVE
        card.wording = texts[i % len(texts)].format(n=1000 + i)
    cards = Complaint.objects.bulk_create(cards)
    FlagLabel.objects.bulk_create(
        FlagLabel(complaint=card, kind=FlagKind.NEGATIVE, present=i % 3 != 0, decided_by=operator)
        for i, card in enumerate(cards)
    )
    return cards


def negative_flag(card) -> Flag | None:
    return Flag.objects.filter(complaint=card, kind=FlagKind.NEGATIVE).select_related("model").first()


def panel(client, user, card) -> BeautifulSoup:
    client.force_login(user)
    response = client.get(reverse("complaints:detail", args=[card.number]))
    assert response.status_code == 200
    return BeautifulSoup(response.content, "html.parser").select_one("#triage-flags")


def text(node) -> str:
    return " ".join(node.get_text(" ").replace("\xa0", " ").split()) if node else ""


def test_a_model_trained_on_the_marks_raises_the_flag_on_new_cards(operator):
    marked_cards(operator, 90)
    out = StringIO()
    call_command("triage", "train", "--field", NEGATIVE_MODEL, stdout=out)
    model = TriageModel.objects.get(field=NEGATIVE_MODEL)
    assert model.active and model.trained_on == 72 and model.tested_on == 18
    figures = model.evaluation
    assert figures["precision"] >= 0.8 and figures["recall"] >= 0.6
    assert figures["baselines"]["word_lists"]["recall"] == 0.0  # the lists know none of the negative words
    assert f"precision {figures['precision']:.3f}" in out.getvalue() and "in use" in out.getvalue()
    angry = complaint_register(actor=operator, channel=Channel.PHONE, wording="Заказ 77: провал, фиаско.")
    calm = complaint_register(actor=operator, channel=Channel.PHONE,
                              wording="Ошибка в адресе заказа 78, прошу исправить.")
    flag = negative_flag(angry)
    assert flag is not None and flag.model == model and flag.probability >= figures["threshold"]
    assert negative_flag(calm) is None  # the word lists would have flagged "ошибка"


def test_a_new_model_replaces_the_one_in_use_only_when_not_worse(operator):
    cards = marked_cards(operator, 90)
    first = training.train(NEGATIVE_MODEL)
    second = training.train(NEGATIVE_MODEL)
    first.refresh_from_db()
    assert second.active and not first.active and second.evaluation["compared_with"]["version"] == 1
    # The English negatives of the training part marked not negative: the next model misses those of the test part.
    english = [card.pk for i, card in enumerate(cards[:72]) if i % 3 == 1]
    FlagLabel.objects.filter(complaint__in=english).update(present=False)
    third = training.train(NEGATIVE_MODEL)
    assert not third.active and third.rejected_reason.startswith("Worse than version 2 on the same held-out cards: F1")


def test_without_a_model_the_word_lists_raise_the_flag_and_say_why(client, operator, qms):
    card = complaint_register(actor=operator, channel=Channel.PHONE, wording="Интернет не работает третий день.")
    flag = negative_flag(card)
    assert flag is not None and flag.probability is None and flag.evidence == "не работает"
    assert "Negative emotion is read by the word lists; no learned model yet because no model has been trained " \
           "yet." in text(panel(client, qms, card))
    marked_cards(operator, 10)
    refused = training.train(NEGATIVE_MODEL)
    assert not refused.active and "Too few classified cards: 10" in refused.rejected_reason
    assert negative_reading_state() == (None, f"model v1 is not used: {refused.rejected_reason}")
    assert "Too few classified cards" in text(panel(client, qms, card))


def test_the_model_in_use_is_read_before_a_newer_one_refused_in_one_query(django_assert_num_queries):
    first = TriageModel.objects.create(field=NEGATIVE_MODEL, version=1, rejected_reason="Too few classified cards")
    TriageModel.objects.create(field=NEGATIVE_MODEL, version=2, rejected_reason="Worse than version 1")
    with django_assert_num_queries(1):
        assert negative_reading_state() == (None, "model v2 is not used: Worse than version 1")
    TriageModel.objects.filter(pk=first.pk).update(active=True)  # no file: it cannot be used
    with django_assert_num_queries(1):
        assert negative_reading_state() == (None, "the file of model v1 cannot be used: there is no file")


def test_a_corrupt_model_file_leaves_the_word_lists_in_use(client, operator, qms):
    marked_cards(operator, 90)
    model = training.train(NEGATIVE_MODEL)
    with model.file.storage.open(model.file.name, "wb") as handle:
        handle.write(b"not a model")
    model.digest = "0" * 64  # a new digest: the process must read the file again
    model.save(update_fields=["digest"])
    card = complaint_register(actor=operator, channel=Channel.PHONE, wording="Ошибка в адресе, прошу исправить.")
    flag = negative_flag(card)
    assert flag is not None and flag.model is None and flag.evidence == "Ошибка"
    assert "word lists; no learned model yet because the file of model v1 cannot be used: its SHA-256 does not " \
           "match" in text(panel(client, qms, card))


def test_the_threshold_is_chosen_on_the_training_part_never_on_the_test_part(operator, monkeypatch):
    cards = marked_cards(operator, 90)
    fitted, judged = [], []
    fit, choose = flag_model.flag_classifier_fit, flag_model.threshold_choose
    monkeypatch.setattr(training, "flag_classifier_fit", lambda texts, labels, **kw: fitted.append(list(texts))
                        or fit(texts, labels, **kw))
    monkeypatch.setattr(flag_model, "threshold_choose", lambda probabilities, truth: judged.append(len(truth))
                        or choose(probabilities, truth))
    model = training.train(NEGATIVE_MODEL)
    split = model.evaluation["split"]
    assert [len(texts) for texts in fitted] == [split["train"] + split["validation"]] == [72]
    assert fitted[0] == [card.wording for card in cards[:72]]  # the oldest: the newest 18 are the test part
    # The training part's newest three slices, pooled.
    assert judged == [3 * split["validation"]] == [42] == [model.evaluation["hyper"]["judged"]]


def test_the_threshold_is_the_lowest_from_which_precision_holds_all_the_way_up():
    # Ten right from 0.9 down, then two wrong at 0.7 (10 of 12 right, 0.83), two more at 0.6 (10 of 14, 0.71),
    # then ten right at 0.4: 20 of 24 (0.83) touches the target again, but only after falling below it.
    probabilities = [0.9] * 10 + [0.7] * 2 + [0.6] * 2 + [0.4] * 10
    truth = [True] * 10 + [False] * 4 + [True] * 10
    assert threshold_choose(np.array(probabilities), truth) == 0.61
    # Fewer than ten flagged are not judged; wrong flags at every threshold: none.
    assert threshold_choose(np.array([0.9] * 9 + [0.1] * 40), [False] * 9 + [True] * 40) == 0.05
    assert threshold_choose(np.array([0.9] * 20), [False] * 20) is None


def test_marking_the_flag_wrong_takes_it_off_keeps_the_label_and_writes_the_timeline(client, operator, qms):
    card = complaint_register(actor=operator, channel=Channel.PHONE, wording="Интернет не работает.")
    client.force_login(qms)
    response = client.post(reverse("triage:flag_mark", args=[card.number]), {"present": "0"})
    assert response.status_code == 302
    assert negative_flag(card) is None
    label = FlagLabel.objects.get(complaint=card)
    assert label.present is False and label.decided_by == qms
    note = TimelineEvent.objects.get(complaint=card, kind=EventKind.NOTE, code=MARKED)
    assert note.actor == qms
    shown = panel(client, qms, card)
    assert f"{qms} marked the wording not negative." in text(shown)
    assert [b.get_text(strip=True) for b in shown.select("form.negative-mark button")] == ["Negative"]
    complaint_update(complaint=card, actor=qms, changes={"wording": "Интернет снова не работает!"})
    flag_many([card.pk])
    assert negative_flag(card) is None  # a later reading does not overrule the mark


def test_marking_a_card_negative_puts_the_flag_on(client, operator, qms):
    card = complaint_register(actor=operator, channel=Channel.PHONE, wording="Прошу перезвонить.")
    assert negative_flag(card) is None
    client.force_login(qms)
    client.post(reverse("triage:flag_mark", args=[card.number]), {"present": "1"})
    assert negative_flag(card) is not None and FlagLabel.objects.get(complaint=card).present
    assert f"marked by {qms}" in text(panel(client, qms, card).select_one("li[data-flag=negative]"))


def test_who_may_not_write_on_the_card_may_not_mark_it(client, operator, make_user):
    card = complaint_register(actor=operator, channel=Channel.PHONE, wording="Интернет не работает.")
    manager = make_user("reader", Role.MANAGER)
    client.force_login(manager)
    response = client.post(reverse("triage:flag_mark", args=[card.number]), {"present": "0"})
    assert response.status_code == 403
    assert negative_flag(card) is not None and not FlagLabel.objects.exists()
    assert panel(client, manager, card).select_one("form.negative-mark") is None


def test_the_models_pages_show_the_flags_precision_and_recall(client, operator, administrator):
    marked_cards(operator, 90)
    model = training.train(NEGATIVE_MODEL)
    client.force_login(administrator)
    listing = BeautifulSoup(client.get(reverse("triage:models")).content, "html.parser")
    row = listing.select_one(f"tr[data-model='{model.pk}']")
    figures = model.evaluation
    assert f"{figures['precision']:.3f} / {figures['recall']:.3f}" in text(row)
    page = BeautifulSoup(client.get(reverse("triage:model_detail", args=[model.pk])).content, "html.parser")
    rows = [text(tr) for tr in page.select("table.triage-flag-scores tbody tr")]
    lists = figures["baselines"]["word_lists"]
    assert rows[0].startswith(f"This model {figures['precision']:.3f} {figures['recall']:.3f}")
    assert rows[-1].startswith(f"Baseline: the word lists {lists['precision']:.3f} {lists['recall']:.3f}")
    assert f"from a probability of {figures['threshold']:.2f}" in text(page)


def test_the_evaluate_command_prints_the_flags_figures(operator):
    marked_cards(operator, 90)
    model = training.train(NEGATIVE_MODEL)
    out = StringIO()
    call_command("triage", "evaluate", "--field", NEGATIVE_MODEL, stdout=out)
    figures = model.evaluation
    assert out.getvalue().startswith("negative v1, trained ")
    assert f"precision {figures['precision']:.3f}, recall {figures['recall']:.3f}" in out.getvalue()


def test_the_worker_trains_the_flag_once_enough_cards_were_marked(operator):
    with override_settings(AMENDS_TRIAGE_RETRAIN_AFTER=50):
        marked_cards(operator, 40)
        training.train(NEGATIVE_MODEL)
        assert NEGATIVE_MODEL not in fields_due()  # 40 cards, none marked since
        marked_cards(operator, 50)
        assert NEGATIVE_MODEL in fields_due()
        assert triage_train_due()[NEGATIVE_MODEL] == 2
        assert TriageModel.objects.get(field=NEGATIVE_MODEL, version=2).active


def test_an_imported_journals_negative_column_is_what_the_flag_learns_from(tmp_path, operator):
    lines = ["Номер;Дата поступления;Текст жалобы;Негатив"]
    for i in range(60):
        negative = i % 3 != 0
        wording = (NEGATIVE if negative else CALM)[i % 3].format(n=2000 + i)
        lines.append(f"Ж-{i};2025-0{1 + i // 28}-{1 + i % 28:02d};{wording};{'да' if negative else 'нет'}")
    lines.append("Ж-99;2025-03-01;Заказ 3000: провал.;может быть")
    path = tmp_path / "journal.csv"
    path.write_text("\n".join(lines), encoding="utf-8")
    run = import_file(path, user=operator)
    assert (run.created, run.rejected) == (60, 1)
    reason = run.reject_rows.get().reason
    assert reason.startswith("Negative emotion (yes / no)") and reason.endswith("“может быть” is neither yes nor no.")
    labels = dict(FlagLabel.objects.values_list("complaint__external_id", "present"))
    assert len(labels) == 60 and labels["Ж-1"] is True and labels["Ж-3"] is False
    model = training.train(NEGATIVE_MODEL)
    assert model.active and model.trained_on == 48
