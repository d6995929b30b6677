"""Root cause analysis: the 5 Whys, the fishbone and the conclusion, with their bad input."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from amends.capa.choices import Category6M, NonconformityState
from amends.capa.models import FishboneCause, Nonconformity, WhyStep
from amends.capa.nonconformities import nonconformity_appoint, nonconformity_open
from amends.capa.root_cause import (
    MAX_CAUSES_PER_BONE,
    MAX_WHYS,
    analysis_complete,
    fishbone_add,
    fishbone_confirm,
    fishbone_remove,
    whys_save,
)
from amends.core.errors import AccessDenied, TransitionNotAllowed

CHAIN = [
    ("Почему батареи теряют ёмкость?", "Элементы приходят с разным внутренним сопротивлением"),
    ("Почему элементы разные?", "Поставщик не сортирует их по партиям"),
    ("Почему мы это не заметили?", "Входной контроль проверяет только напряжение"),
]


@pytest.fixture
def record(qms, responsible):
    record = nonconformity_open(actor=qms, title="Батареи теряют ёмкость за полгода")
    return nonconformity_appoint(actor=qms, nonconformity=record, owner=responsible)


def texts(record: Nonconformity) -> list[str]:
    with translation.override("en"):
        return [event.text_display for event in record.events.filter(kind="root_cause")]


def test_the_chain_is_saved_in_order_without_blank_steps_and_replaced_as_a_whole(record, responsible):
    whys_save(actor=responsible, nonconformity=record, steps=[CHAIN[0], ("", "  "), CHAIN[1]])
    assert [(s.position, s.why, s.because) for s in record.whys.all()] == [
        (1, *CHAIN[0]), (2, *CHAIN[1]),
    ]
    whys_save(actor=responsible, nonconformity=record, steps=[(f"  {CHAIN[2][0]} ", CHAIN[2][1])])
    assert [(s.position, s.why) for s in record.whys.all()] == [(1, CHAIN[2][0])]
    assert texts(record) == [
        f"5 Whys saved, 2 steps; the deepest answer: {CHAIN[1][1]}",
        f"5 Whys saved, 1 step; the deepest answer: {CHAIN[2][1]}",
    ]


def test_saving_the_same_chain_again_writes_nothing(record, responsible):
    whys_save(actor=responsible, nonconformity=record, steps=CHAIN)
    whys_save(actor=responsible, nonconformity=record, steps=CHAIN)
    assert len(texts(record)) == 1


@pytest.mark.parametrize(("steps", "message"), [
    ([], "Give at least one why and its answer."),
    ([("", ""), (" ", "\n")], "Give at least one why and its answer."),
    ([("Почему?", "Потому что")] * (MAX_WHYS + 1), f"At most {MAX_WHYS} steps: the chain has {MAX_WHYS + 1}."),
    ([CHAIN[0], ("Почему?", "")], "Step 2: the answer “because …” is missing."),
    ([("", "Потому что")], "Step 1: the question “why?” is missing."),
    ([("Почему?", "x" * 1001)], "Step 1 is longer than 1000 characters"),
    ([("Почему?", "Потому что 🔋")], "The font has no glyph for «🔋» (U+1F50B BATTERY)"),
])
def test_a_bad_chain_is_refused_with_a_message_and_the_old_one_kept(record, responsible, steps, message):
    whys_save(actor=responsible, nonconformity=record, steps=CHAIN)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        whys_save(actor=responsible, nonconformity=record, steps=steps)
    assert any(m.startswith(message) for m in refused.value.messages), refused.value.messages
    assert [s.why for s in record.whys.all()] == [why for why, _because in CHAIN]
    assert len(texts(record)) == 1


def test_only_the_owner_and_the_qms_head_analyse(record, qms, responsible, manager, executor):
    for stranger in (manager, executor):
        with pytest.raises(AccessDenied):
            whys_save(actor=stranger, nonconformity=record, steps=CHAIN)
        with pytest.raises(AccessDenied):
            fishbone_add(actor=stranger, nonconformity=record, category=Category6M.MAN, text="Усталость")
        with pytest.raises(AccessDenied):
            analysis_complete(actor=stranger, nonconformity=record, root_cause="x")
    cause = fishbone_add(actor=qms, nonconformity=record, category=Category6M.MAN, text="Усталость")
    with pytest.raises(AccessDenied):
        fishbone_remove(actor=manager, cause=cause)
    with pytest.raises(AccessDenied):
        fishbone_confirm(actor=manager, cause=cause, is_root=True)
    assert not WhyStep.objects.exists() and FishboneCause.objects.get() == cause


def test_causes_go_on_their_bones_in_order_and_each_change_is_on_the_timeline(record, responsible):
    first = fishbone_add(actor=responsible, nonconformity=record, category=Category6M.MATERIAL,
                         text="  Элементы\n разных  партий ")
    second = fishbone_add(actor=responsible, nonconformity=record, category=Category6M.MATERIAL,
                          text="Нет сертификата", is_root=True)
    other = fishbone_add(actor=responsible, nonconformity=record, category=Category6M.MEASUREMENT,
                         text="Контроль только напряжения")
    assert (first.text, first.position, second.position, other.position) == ("Элементы разных партий", 0, 1, 0)
    fishbone_confirm(actor=responsible, cause=first, is_root=True)
    fishbone_confirm(actor=responsible, cause=first, is_root=True)  # already: nothing to record
    fishbone_remove(actor=responsible, cause=second)
    assert set(record.fishbone.values_list("text", "is_root")) == {
        ("Элементы разных партий", True), ("Контроль только напряжения", False),
    }
    assert texts(record) == [
        "Fishbone, Material (components): cause added: Элементы разных партий",
        "Fishbone, Material (components): root cause added: Нет сертификата",
        "Fishbone, Measurement: cause added: Контроль только напряжения",
        "Fishbone, Material (components): confirmed as a root cause: Элементы разных партий",
        "Fishbone, Material (components): cause removed: Нет сертификата",
    ]


def test_a_second_click_on_remove_or_confirm_records_nothing_twice(record, responsible):
    cause = fishbone_add(actor=responsible, nonconformity=record, category=Category6M.MAN, text="Спешка")
    other = fishbone_add(actor=responsible, nonconformity=record, category=Category6M.MAN, text="Усталость")
    stale = FishboneCause.objects.get(pk=other.pk)
    fishbone_confirm(actor=responsible, cause=other, is_root=True)
    fishbone_confirm(actor=responsible, cause=stale, is_root=True)  # the page was open before the first click
    fishbone_remove(actor=responsible, cause=cause)
    fishbone_remove(actor=responsible, cause=cause)
    assert [e.code for e in record.events.filter(kind="root_cause")] == [
        "cause_added", "cause_added", "cause_confirmed", "cause_removed",
    ]
    assert list(record.fishbone.values_list("text", "is_root")) == [("Усталость", True)]


@pytest.mark.parametrize(("category", "text", "field", "message"), [
    ("money", "Дорого", "category", "Choose one of the six categories (6M)."),
    (Category6M.MAN, "  \n ", "text", "Write the cause."),
    (Category6M.MAN, "x" * 301, "text", "At most 300 characters: say the cause shorter."),
    (Category6M.MAN, "Батарея 🔋", "text",
     "The font has no glyph for «🔋» (U+1F50B BATTERY); the document would show a box there. Write it otherwise."),
    (Category6M.MAN, "УСТАЛОСТЬ  сборщиков", "text", "“УСТАЛОСТЬ сборщиков” is already on the bone “Man (people)”."),
])
def test_a_bad_cause_is_refused_with_a_message(record, responsible, category, text, field, message):
    fishbone_add(actor=responsible, nonconformity=record, category=Category6M.MAN, text="Усталость сборщиков")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        fishbone_add(actor=responsible, nonconformity=record, category=category, text=text)
    assert refused.value.message_dict == {field: [message]}
    assert record.fishbone.count() == 1


def test_the_same_cause_may_stand_on_another_bone_but_a_bone_holds_at_most_a_dozen(record, responsible):
    fishbone_add(actor=responsible, nonconformity=record, category=Category6M.MAN, text="Спешка")
    fishbone_add(actor=responsible, nonconformity=record, category=Category6M.METHOD, text="Спешка")
    for n in range(MAX_CAUSES_PER_BONE - 1):
        fishbone_add(actor=responsible, nonconformity=record, category=Category6M.MAN, text=f"Причина {n}")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        fishbone_add(actor=responsible, nonconformity=record, category=Category6M.MAN, text="Ещё одна")
    assert "has 12 causes already" in refused.value.messages[0]
    assert record.fishbone.filter(category=Category6M.MAN).count() == MAX_CAUSES_PER_BONE


def test_the_analysis_needs_a_why_or_a_cause_and_a_stated_root_cause(record, responsible):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        analysis_complete(actor=responsible, nonconformity=record, root_cause="  ")
    assert refused.value.messages == [
        "Analyse first: answer at least one why, or put a cause on the fishbone.",
        "State the root cause the analysis found.",
    ]
    fishbone_add(actor=responsible, nonconformity=record, category=Category6M.METHOD, text="Нет входного контроля")
    record = analysis_complete(actor=responsible, nonconformity=record, root_cause=" Нет входного контроля ёмкости ")
    record.refresh_from_db()
    assert (record.state, record.root_cause) == (NonconformityState.ANALYSED, "Нет входного контроля ёмкости")
    with translation.override("en"):
        assert [e.text_display for e in record.events.all()][-2:] == [
            "Root cause analysed: Нет входного контроля ёмкости", "Status: Analysed.",
        ]


def test_an_analysed_record_is_not_analysed_twice_and_keeps_its_root_cause(record, responsible):
    whys_save(actor=responsible, nonconformity=record, steps=CHAIN)
    analysis_complete(actor=responsible, nonconformity=record, root_cause="Входной контроль")
    with pytest.raises(TransitionNotAllowed):
        analysis_complete(actor=responsible, nonconformity=record, root_cause="Другое")
    record.refresh_from_db()
    assert record.root_cause == "Входной контроль"
    assert record.events.filter(code="concluded").count() == 1


def test_a_closed_record_keeps_its_analysis(record, qms):
    whys_save(actor=qms, nonconformity=record, steps=CHAIN)
    cause = fishbone_add(actor=qms, nonconformity=record, category=Category6M.MAN, text="Спешка")
    Nonconformity.objects.filter(pk=record.pk).update(state=NonconformityState.CLOSED)
    attempts = [
        lambda: whys_save(actor=qms, nonconformity=record, steps=CHAIN[:1]),
        lambda: fishbone_add(actor=qms, nonconformity=record, category=Category6M.MAN, text="Другое"),
        lambda: fishbone_remove(actor=qms, cause=cause),
        lambda: fishbone_confirm(actor=qms, cause=cause, is_root=True),
        lambda: analysis_complete(actor=qms, nonconformity=record, root_cause="x"),
    ]
    for attempt in attempts:
        with translation.override("en"), pytest.raises(ValidationError) as refused:
            attempt()
        assert refused.value.messages == ["The nonconformity is closed: its root cause analysis is kept as it was."]
    assert record.whys.count() == 3 and list(record.fishbone.values_list("text", "is_root")) == [("Спешка", False)]
