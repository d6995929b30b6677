"""The fishbone as SVG and the record's print page and PDF."""

import subprocess
from datetime import timedelta
from xml.etree import ElementTree

import pytest
from django.utils import timezone, translation

from amends.capa.actions import action_plan
from amends.capa.choices import ActionStatus, Category6M
from amends.capa.documents import nonconformity_pdf, record_print_context
from amends.capa.fishbone import CAUSE_WIDTH, fishbone_svg, text_width, wrap
from amends.capa.models import EffectivenessCheck
from amends.capa.nonconformities import nonconformity_link, nonconformity_open
from amends.capa.root_cause import fishbone_add, whys_save

SVG = "{http://www.w3.org/2000/svg}"
CAUSES = [
    (Category6M.MAN, "Сборщик спешит в конце смены"),
    (Category6M.MACHINE, "Сварочный аппарат <без калибровки> & без журнала"),
    (Category6M.METHOD, "Инструкция не требует проверки ёмкости каждого элемента батареи перед сборкой"),
    (Category6M.MATERIAL, "Элементы разных партий"),
    (Category6M.MATERIAL, "Поставщик не сортирует элементы по внутреннему сопротивлению"),
    (Category6M.MEASUREMENT, "Контроль только напряжения"),
    (Category6M.ENVIRONMENT, "Склад не отапливается зимой"),
]
ROOTS = {"Элементы разных партий", "Контроль только напряжения"}


@pytest.fixture
def analysed(qms):
    record = nonconformity_open(actor=qms, title="Батареи E1 теряют ёмкость за полгода \"в гарантии\"")
    whys_save(actor=qms, nonconformity=record, steps=[
        ("Почему батареи теряют ёмкость?", "Элементы в сборке разные"),
        ("Почему элементы разные?", "Поставщик не сортирует их"),
    ])
    for category, text in CAUSES:
        fishbone_add(actor=qms, nonconformity=record, category=category, text=text, is_root=text in ROOTS)
    return record


def svg_text(element: ElementTree.Element) -> str:
    return " ".join(" ".join(element.itertext()).split())


def test_the_fishbone_is_well_formed_svg_with_every_cause_on_its_bone_and_the_roots_marked(analysed):
    with translation.override("en"):
        svg = ElementTree.fromstring(fishbone_svg(analysed))
    assert svg.tag == f"{SVG}svg"
    bones = {bone.get("data-category"): bone for bone in svg.iter(f"{SVG}g") if bone.get("class") == "bone"}
    assert list(bones) == list(Category6M.values)
    for category, text in CAUSES:
        assert text in svg_text(bones[category]), text  # wrapped over lines, but whole and unescaped when read
    assert svg_text(bones[Category6M.MATERIAL]).startswith("Material (components)")
    roots = [svg_text(g) for g in svg.iter(f"{SVG}g") if g.get("class") == "cause root"]
    assert set(roots) == ROOTS
    assert len([g for g in svg.iter(f"{SVG}g") if g.get("class", "").startswith("cause")]) == len(CAUSES)
    assert analysed.number in svg_text(svg) and "confirmed root cause" in svg_text(svg)


def test_long_causes_are_wrapped_and_the_drawing_grows_with_them(analysed, qms):
    svg = ElementTree.fromstring(fishbone_svg(analysed))
    method = next(g for g in svg.iter(f"{SVG}g") if g.get("data-category") == Category6M.METHOD)
    lines = [t.text for t in method.iter(f"{SVG}tspan")]
    assert len(lines) >= 4 and all(text_width(line) <= CAUSE_WIDTH for line in lines[1:])  # label, then the cause
    height = float(svg.get("height"))
    for n in range(8):
        fishbone_add(actor=qms, nonconformity=analysed, category=Category6M.MAN, text=f"Ещё одна причина номер {n}")
    taller = ElementTree.fromstring(fishbone_svg(analysed))
    assert float(taller.get("height")) > height + 8 * 18
    assert taller.get("viewBox") == f"0 0 {taller.get('width')} {taller.get('height')}"


def test_wide_letters_take_more_lines_and_a_word_longer_than_a_line_is_broken():
    assert wrap("и" * 20 + " " + "и" * 10, CAUSE_WIDTH) == ["и" * 20, "и" * 10]
    wide = wrap("Ш" * 20 + " " + "Ш" * 10, CAUSE_WIDTH, bold=True)
    assert len(wide[0]) < 20 and "".join(wide).replace(" ", "") == "Ш" * 30
    assert all(text_width(line, bold=True) <= CAUSE_WIDTH for line in wide)
    assert wrap("", CAUSE_WIDTH) == [""]


def test_an_empty_fishbone_and_a_title_with_control_characters_are_still_well_formed(qms):
    record = nonconformity_open(actor=qms, title="Сбой\x0bучёта </svg><script>alert(1)</script>")
    svg = fishbone_svg(record)
    tree = ElementTree.fromstring(svg)
    assert "<script>" not in svg and "</script>" in svg_text(tree)
    assert not any(g.get("class", "").startswith("cause") for g in tree.iter(f"{SVG}g"))


def _with_an_action_checked(record, qms, executor):
    today = timezone.localdate()
    action = action_plan(actor=qms, nonconformity=record, description="Входной контроль ёмкости каждой партии",
                         owner=executor, due_date=today + timedelta(days=5))
    action.status, action.report, action.done_at = ActionStatus.DONE, "Стенд закуплен", timezone.now()
    action.save()
    EffectivenessCheck.objects.create(
        action=action, effective=True, comment="Жалоб на ёмкость больше нет", checked_by=qms,
        evidence={
            "before_from": "2026-01-01T00:00:00+03:00", "done_at": "2026-04-01T00:00:00+03:00",
            "until": "2026-07-01T00:00:00+03:00",
            "dimensions": [{"dimension": "supplier", "label": "АКБ-Снаб", "before": ["2026-0007", "2026-0011"],
                            "after": []}],
        },
    )
    return action


@pytest.mark.usefixtures("pdftotext")
def test_the_pdf_is_a_pdf_with_the_header_whys_fishbone_actions_checks_and_timeline(
        analysed, qms, executor, classified):
    card = classified()
    nonconformity_link(actor=qms, nonconformity=analysed, complaints=[card])
    _with_an_action_checked(analysed, qms, executor)
    with translation.override("en"):
        content = nonconformity_pdf(analysed)
    assert content.startswith(b"%PDF-")
    text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
    flat = " ".join(text.split())
    for expected in [
        f"Nonconformity № {analysed.number}", "Open", card.number,
        "Почему батареи теряют ёмкость?", "Элементы в сборке разные", "Поставщик не сортирует их",
        *(text for _category, text in CAUSES), "Material (components)", "confirmed root cause",
        "Входной контроль ёмкости каждой партии", "Стенд закуплен", "Effective", "Жалоб на ёмкость больше нет",
        "Supplier: АКБ-Снаб", "2026-0007, 2026-0011", "Fishbone, Material (components): root cause added",
    ]:
        assert expected in flat, expected


def test_the_print_context_reads_a_fixed_number_of_queries(analysed, qms, executor, django_assert_max_num_queries):
    for _n in range(3):
        _with_an_action_checked(analysed, qms, executor)
    with django_assert_max_num_queries(9):
        context = record_print_context(analysed)
        rows = [(a.owner.pk, [c.check.checked_by.pk for c in checks]) for a, checks in context["actions"]]
        assert len(rows) == 3 and [e.actor for e in context["events"]]
        assert len(list(context["links"])) == 0
