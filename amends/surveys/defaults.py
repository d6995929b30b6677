"""The questionnaire a fresh install starts with (the seeds' criteria, DOMAIN.md §8), published as v1
and loaded by a data migration. The settings do not send it: surveys stay off until an administrator
chooses a questionnaire on the settings page."""

from typing import Any

from django.utils import timezone

QUESTIONNAIRE = {
    "name": "Удовлетворённость клиентов",
    "name_en": "Customer satisfaction",
    "name_hy": "Հաճախորդների գոհունակություն",
}
INTRO = {
    "intro": "Пожалуйста, оцените каждый критерий от 1 до 10 и укажите, насколько он важен лично для вас "
             "(от 1 до 10). Ваши ответы помогут нам работать лучше.",
    "intro_en": "Please rate each criterion from 1 to 10 and say how much it matters to you personally "
                "(from 1 to 10). Your answers help us do better.",
    "intro_hy": "Խնդրում ենք գնահատել յուրաքանչյուր չափանիշ 1-ից 10 և նշել, թե որքանով է այն կարևոր անձամբ "
                "ձեզ համար (1-ից 10)։ Ձեր պատասխանները կօգնեն մեզ ավելի լավ աշխատել։",
}
# key, then the name and the question in Russian, English and Armenian.
CRITERIA = [
    ("reliability",
     "Надёжность продукции и оборудования", "Product and equipment reliability",
     "Արտադրանքի և սարքավորումների հուսալիություն",
     "Насколько надёжно работают наша продукция и оборудование?", "How reliable are our products and equipment?",
     "Որքանո՞վ են հուսալի մեր արտադրանքը և սարքավորումները։"),
    ("delivery",
     "Сроки поставки", "Delivery times", "Առաքման ժամկետներ",
     "Насколько мы соблюдаем сроки поставки?", "How well do we keep to delivery times?",
     "Որքանո՞վ ենք պահպանում առաքման ժամկետները։"),
    ("courtesy",
     "Вежливость персонала", "Staff courtesy", "Անձնակազմի քաղաքավարություն",
     "Насколько вежливы и внимательны наши сотрудники?", "How courteous and attentive is our staff?",
     "Որքանո՞վ են քաղաքավարի և ուշադիր մեր աշխատակիցները։"),
    ("handling",
     "Скорость рассмотрения жалоб", "Speed of complaint handling", "Բողոքների քննարկման արագություն",
     "Насколько быстро мы рассматриваем ваши жалобы и претензии?",
     "How quickly do we handle your complaints and claims?",
     "Որքա՞ն արագ ենք քննարկում ձեր բողոքներն ու պահանջները։"),
]


def load_default_questionnaire(questionnaire: Any, version: Any, criterion: Any) -> None:
    """Adds the questionnaire unless one of its name exists (the models are passed in, so that a data
    migration uses its historical ones)."""
    if questionnaire.objects.filter(name=QUESTIONNAIRE["name"]).exists():
        return
    row = questionnaire.objects.create(**QUESTIONNAIRE)
    first = version.objects.create(questionnaire=row, number=1, published_at=timezone.now(), **INTRO)
    criterion.objects.bulk_create([
        criterion(version=first, key=key, name=name, name_en=name_en, name_hy=name_hy,
                  question=question, question_en=question_en, question_hy=question_hy, order=order)
        for order, (key, name, name_en, name_hy, question, question_en, question_hy) in enumerate(CRITERIA)
    ])
