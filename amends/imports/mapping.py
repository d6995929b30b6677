"""Which card field a journal's column fills: the fields offered, the CFPB export's built-in mapping,
and a guess from the header's names in Russian or English."""

import re
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Field:
    key: str
    label: str | Promise
    required: bool = False


FIELDS: list[Field] = [
    Field("row_id", _("Row ID in the source (makes a second import of the file skip it)")),
    Field("received_at", _("Date received"), required=True),
    Field("wording", _("Customer's wording"), required=True),
    Field("category", _("Category")),
    Field("subcategory", _("Subcategory")),
    Field("product", _("Product")),
    Field("organisation", _("Organisation")),
    Field("contact_name", _("Contact person")),
    Field("email", _("E-mail")),
    Field("phone", _("Phone")),
    Field("region", _("Region")),
    Field("channel", _("Channel")),
    Field("state", _("State")),
    Field("closed_at", _("Closed at")),
    Field("justification", _("Justification")),
    Field("importance", _("Importance")),
    Field("order_reference", _("Order / product registration No.")),
    Field("actions_taken", _("Actions taken")),
    Field("answer", _("Answer to the customer")),
    Field("negative", _("Negative emotion (yes / no): what the negative flag learns from")),
]
FIELD_KEYS = [field.key for field in FIELDS]

# The U.S. CFPB Consumer Complaint Database export (consumerfinance.gov): field key -> its column.
CFPB: dict[str, str] = {
    "row_id": "Complaint ID",
    "received_at": "Date received",
    "wording": "Consumer complaint narrative",
    "category": "Issue",
    "subcategory": "Sub-issue",
    "product": "Product",
    "organisation": "Company",
    "region": "State",
    "channel": "Submitted via",
    "state": "Company response to consumer",
    "answer": "Company public response",
}
# The columns that tell a CFPB export from another journal.
CFPB_SIGNATURE = ("Complaint ID", "Date received", "Product", "Issue", "Company")

# Header names per field, compared folded (lower case, ё as е, punctuation as spaces).
HEADER_NAMES: dict[str, tuple[str, ...]] = {
    "row_id": ("id", "row id", "complaint id", "ticket id", "номер", "№", "no", "номер обращения", "номер жалобы",
               "регистрационный номер", "рег номер", "ид", "идентификатор", "number"),
    "received_at": ("date", "date received", "received", "received at", "created", "дата", "дата поступления",
                    "дата обращения", "дата жалобы", "дата регистрации", "поступила", "дата получения"),
    "wording": ("text", "wording", "complaint", "description", "narrative", "consumer complaint narrative",
                "текст", "текст обращения", "текст жалобы", "суть жалобы", "содержание", "суть обращения",
                "описание", "жалоба", "формулировка"),
    "category": ("category", "issue", "subject", "topic", "категория", "тема", "вид жалобы", "предмет жалобы",
                 "тематика"),
    "subcategory": ("subcategory", "sub issue", "subtopic", "подкатегория", "подтема"),
    "product": ("product", "продукт", "продукция", "товар", "услуга", "изделие"),
    "organisation": ("company", "organisation", "organization", "customer company", "организация", "компания",
                     "контрагент", "клиент организация", "предприятие"),
    "contact_name": ("name", "full name", "customer", "contact", "contact person", "фио", "заявитель", "клиент",
                     "контактное лицо", "имя"),
    "email": ("email", "e mail", "mail", "электронная почта", "почта", "эл почта"),
    "phone": ("phone", "telephone", "phone number", "телефон", "тел", "номер телефона"),
    "region": ("region", "state", "регион", "область", "город"),
    "channel": ("channel", "submitted via", "source", "канал", "способ подачи", "источник", "способ обращения"),
    "state": ("status", "state", "company response to consumer", "статус", "состояние"),
    "closed_at": ("closed", "closed at", "date closed", "дата закрытия", "закрыта", "дата завершения"),
    "justification": ("justification", "justified", "обоснованность", "обоснована"),
    "importance": ("importance", "priority", "severity", "важность", "приоритет", "критичность"),
    "order_reference": ("order", "order number", "order no", "номер заказа", "заказ", "номер договора",
                        "договор"),
    "actions_taken": ("actions", "actions taken", "принятые меры", "меры", "предпринятые действия"),
    "answer": ("answer", "response", "reply", "ответ", "ответ клиенту", "ответ заявителю"),
    "negative": ("negative", "negative emotion", "негатив", "негативная", "негативные эмоции"),
}


def header_fold(name: str) -> str:
    return " ".join(re.sub(r"[^\w№]+", " ", name.lower().replace("ё", "е")).split())


def mapping_guess(columns: list[str]) -> dict[str, str]:
    """Field key -> column: the CFPB mapping when the file is a CFPB export, else the columns whose
    header names a field (an exact name first, then a name the header starts with), each column once."""
    if all(column in columns for column in CFPB_SIGNATURE):
        return {key: column for key, column in CFPB.items() if column in columns}
    folded = {column: header_fold(column) for column in columns}
    guess: dict[str, str] = {}
    taken: set[str] = set()
    for exact in (True, False):
        for key, names in HEADER_NAMES.items():
            if key in guess:
                continue
            for column, header in folded.items():
                if column in taken:
                    continue
                if header in names if exact else any(header.startswith(name + " ") for name in names):
                    guess[key] = column
                    taken.add(column)
                    break
    return {key: guess[key] for key in FIELD_KEYS if key in guess}
