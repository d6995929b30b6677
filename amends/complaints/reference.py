"""Default reference data every installation starts with: causes and two-level categories."""

CAUSES = [
    ("manufacturer", "Вина производителя", "Manufacturer's fault", "Արտադրողի մեղք"),
    ("supplier", "Вина поставщика / комплектующие", "Supplier / components", "Մատակարարի մեղք / բաղադրիչներ"),
    ("logistics", "Логистика", "Logistics", "Լոգիստիկա"),
    ("staff", "Поведение персонала", "Staff behaviour", "Անձնակազմի վարքագիծ"),
    ("customer", "Ошибка клиента", "Customer error", "Հաճախորդի սխալ"),
    ("other", "Другое", "Other", "Այլ"),
]

# Two levels, after the subjects named in the source documents.
CATEGORIES = [
    (("Качество продукции", "Product quality", "Արտադրանքի որակ"), [
        ("Брак, неисправность", "Defect, malfunction", "Թերություն, անսարքություն"),
        ("Несоответствие описанию", "Not as described", "Նկարագրությանը չհամապատասխանող"),
        ("Некомплект", "Incomplete set", "Թերի լրակազմ"),
    ]),
    (("Качество обслуживания", "Service quality", "Սպասարկման որակ"), [
        ("Долгое ожидание", "Long waiting", "Երկար սպասում"),
        ("Не перезвонили", "No call back", "Հետ չզանգեցին"),
        ("Неверная информация", "Wrong information", "Սխալ տեղեկատվություն"),
    ]),
    (("Поведение персонала", "Staff behaviour", "Անձնակազմի վարքագիծ"), [
        ("Грубость", "Rudeness", "Կոպտություն"),
        ("Некомпетентность", "Incompetence", "Անգրագիտություն"),
    ]),
    (("Доставка", "Delivery", "Առաքում"), [
        ("Задержка доставки", "Late delivery", "Առաքման ուշացում"),
        ("Повреждение при доставке", "Damaged in delivery", "Վնասվել է առաքման ժամանակ"),
        ("Недовложение", "Items missing", "Պակաս ապրանք"),
    ]),
    (("Сроки выполнения заказа", "Late order fulfilment", "Պատվերի կատարման ժամկետներ"), [
        ("Срыв сроков", "Deadline missed", "Ժամկետի խախտում"),
    ]),
    (("Счета и оплата", "Billing", "Հաշիվներ և վճարում"), [
        ("Ошибка в счёте", "Wrong invoice", "Սխալ հաշիվ"),
        ("Возврат денег", "Refund", "Գումարի վերադարձ"),
    ]),
]


def load_reference_data(cause_model, category_model) -> None:
    """Idempotent; takes the models so a migration can pass its historical ones."""
    for kind, ru, en, hy in CAUSES:
        cause_model.objects.get_or_create(kind=kind, name=ru, defaults={"name_en": en, "name_hy": hy})
    for (ru, en, hy), children in CATEGORIES:
        parent, _ = category_model.objects.get_or_create(
            name=ru, parent=None, defaults={"name_en": en, "name_hy": hy}
        )
        for c_ru, c_en, c_hy in children:
            category_model.objects.get_or_create(
                name=c_ru, parent=parent, defaults={"name_en": c_en, "name_hy": c_hy}
            )
