"""The translation catalogues: complete in Russian, the main screens in Armenian, .mo in step with .po.

The .po files are read with a small stdlib parser (no polib), and the pages are rendered
through the test client the way a user sees them after switching the language.
"""

import ast
import gettext
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from amends.complaints import choices
from amends.complaints.forms import ComplaintFilterForm, RegisterForm
from amends.complaints.models import Complaint
from amends.complaints.transitions import TRANSITIONS

LOCALE_DIR = Path(settings.LOCALE_PATHS[0])
TEMPLATES = Path(settings.BASE_DIR) / "amends"
ARMENIAN = re.compile(r"[\u0531-\u058F]")
CYRILLIC = re.compile(r"[\u0400-\u04FF]")
PLACEHOLDER = re.compile(r"%(?:\([^)]+\))?[-#0 +]*\d*(?:\.\d+)?[sdifr%]")

# The screens a user meets first; every one of these must read in Armenian.
HY_KEY_MSGIDS = [
    # login.html, base.html
    "Log in", "Log in to Amends", "Username", "Password", "Log out", "Language", "Complaints",
    "Register complaint", "Administration",
    # list.html and its filter form
    "Filters", "Apply", "Reset", "No.", "Received", "Customer", "Complaint", "Category",
    "Importance", "State", "Responsible", "No complaints match.", "Previous", "Next",
    "Page %(number)s of %(total)s", "Search", "All states", "All channels", "All categories",
    "Any importance", "Anyone", "Received from", "to", "Measure overdue",
    # detail.html
    "Print card", "All complaints", "Customer's wording", "Card", "Channel", "Organisation",
    "Contact person", "Project", "Product", "Registered by", "Responsible person",
    "Justification", "Cause", "Opinion of the responsible person", "Actions taken",
    "Answer to the customer", "Satisfaction", "Loyalty", "Measures", "Executor", "Due",
    "Attachments", "Actions", "Timeline", "Add note", "Save", "Edit the card",
    # transitions
    "Assign responsible", "Start investigation", "Record decision", "Approve measures", "Close",
    "Mark as duplicate", "Withdraw",
    # register.html and RegisterForm
    "Find by phone, e-mail or name", "Not found? Enter the new customer:", "Register",
    "Full name", "Phone", "E-mail", "Postal address", "Complaint in the customer's words",
    "Received at", "Department concerned", "Leave empty for a private person.",
    # choices
    "Registered", "Closed", "Justified", "Partly justified", "Unjustified", "Low", "Medium",
    "High", "Critical", "In person", "Letter", "Web form", "Social network", "Messenger",
]
# Templates whose every {% translate %} string must be translated into Armenian.
HY_TEMPLATES = [
    "templates/base.html",
    "templates/registration/login.html",
    "complaints/templates/complaints/list.html",
    "complaints/templates/complaints/detail.html",
    # the card page's sections (detail.html renders them as panels)
    *(f"complaints/templates/complaints/card/{name}.html"
      for name in ("wording", "fields", "measures", "attachments", "actions", "call", "timeline")),
    "intake/templates/intake/card/customer_message.html",
    "complaints/templates/complaints/register.html",
]


def _unquote(token: str) -> str:
    return ast.literal_eval(token)


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgid, msgid_plural, msgstr (a list of forms), flags."""
    entries, entry, key = [], None, None
    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line or line.startswith("#~"):
            if entry is not None and "msgid" in entry:
                entries.append(entry)
            entry, key = (None, None) if not line else (entry, key)
            continue
        if entry is None:
            entry = {"flags": set(), "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"].update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            if key.startswith("msgstr"):
                entry["msgstr"][key] += _unquote(line)
            else:
                entry[key] += _unquote(line)
        else:
            key, _, value = line.partition(" ")
            if key.startswith("msgstr"):
                entry["msgstr"][key] = _unquote(value)
            else:
                entry[key] = _unquote(value)
    for entry in entries:
        entry["msgstr"] = [entry["msgstr"][k] for k in sorted(entry["msgstr"])]
    return entries


def catalogue(language: str) -> tuple[dict, list[dict]]:
    entries = parse_po(LOCALE_DIR / language / "LC_MESSAGES" / "django.po")
    header = next(e for e in entries if e["msgid"] == "")
    return header, [e for e in entries if e["msgid"] != ""]


def translated(entry: dict) -> bool:
    return "fuzzy" not in entry["flags"] and all(entry["msgstr"]) and bool(entry["msgstr"])


def hy_translations() -> dict[str, dict]:
    return {e["msgid"]: e for e in catalogue("hy")[1]}


def test_locale_path_is_the_one_django_reads():
    assert (LOCALE_DIR / "ru" / "LC_MESSAGES" / "django.po").is_file()
    assert {code for code, _name in settings.LANGUAGES} == {"ru", "en", "hy"}
    for code in ("ru", "en", "hy"):
        assert (LOCALE_DIR / code / "LC_MESSAGES" / "django.po").is_file(), code
        assert (LOCALE_DIR / code / "LC_MESSAGES" / "django.mo").is_file(), code


def test_catalogues_hold_the_same_msgids():
    ids = {code: {(e["msgid"], e.get("msgid_plural")) for e in catalogue(code)[1]} for code in ("ru", "en", "hy")}
    assert len(ids["ru"]) > 100
    assert ids["ru"] == ids["en"] == ids["hy"]


def test_russian_catalogue_is_complete_and_not_fuzzy():
    header, entries = catalogue("ru")
    assert "fuzzy" not in header["flags"]
    assert "nplurals=3;" in header["msgstr"][0]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    empty = [e["msgid"] for e in entries if not e["msgstr"] or not all(e["msgstr"])]
    assert not fuzzy, f"fuzzy in ru: {fuzzy}"
    assert not empty, f"untranslated in ru: {empty}"
    for entry in entries:
        if "msgid_plural" in entry:
            assert len(entry["msgstr"]) == 3, entry["msgid"]


@pytest.mark.parametrize("language", ["ru", "hy"])
def test_placeholders_survive_translation(language):
    for entry in catalogue(language)[1]:
        if not translated(entry):
            continue
        sources = [entry["msgid"], entry.get("msgid_plural", entry["msgid"])]
        expected = sorted(PLACEHOLDER.findall(sources[-1]))
        for form in entry["msgstr"]:
            assert sorted(PLACEHOLDER.findall(form)) == expected, (language, entry["msgid"], form)


@pytest.mark.parametrize("language", ["ru", "hy"])
def test_compiled_catalogue_matches_po(language):
    """The committed .mo holds exactly what the .po says (compilemessages was re-run)."""
    with open(LOCALE_DIR / language / "LC_MESSAGES" / "django.mo", "rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = []
    for entry in catalogue(language)[1]:
        if not translated(entry):
            continue
        context = entry.get("msgctxt")
        if "msgid_plural" in entry:
            got = [
                compiled.npgettext(context, entry["msgid"], entry["msgid_plural"], n) if context
                else compiled.ngettext(entry["msgid"], entry["msgid_plural"], n)
                for n in (1, 2, 5)
            ]
            want = [entry["msgstr"][compiled.plural(n)] for n in (1, 2, 5)]
        else:
            # The same words in another context are another entry (“Open” a state, “Open” a button).
            got = compiled.pgettext(context, entry["msgid"]) if context else compiled.gettext(entry["msgid"])
            want = entry["msgstr"][0]
        if got != want:
            stale.append(entry["msgid"])
    assert not stale, f"{language}: .mo is older than .po for {stale}"


def test_armenian_translates_the_main_screens():
    hy = hy_translations()
    missing = [m for m in HY_KEY_MSGIDS if m not in hy or not translated(hy[m])]
    assert not missing, f"not translated into Armenian: {missing}"
    not_armenian = [m for m in HY_KEY_MSGIDS if not ARMENIAN.search(hy[m]["msgstr"][0]) and m != "No."]
    assert not not_armenian, f"Armenian msgstr without Armenian script: {not_armenian}"


def test_armenian_translates_every_string_of_the_main_templates():
    hy = hy_translations()
    tag = re.compile(r"""\{%\s*translate\s+(?:"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)')""")
    missing = []
    for name in HY_TEMPLATES:
        for double, single in tag.findall((TEMPLATES / name).read_text(encoding="utf-8")):
            msgid = double or single
            if msgid not in hy or not translated(hy[msgid]):
                missing.append((name, msgid))
    assert not missing, f"not translated into Armenian: {missing}"


@pytest.mark.parametrize("language, script", [("ru", CYRILLIC), ("hy", ARMENIAN)])
def test_labels_from_code_are_translated(language, script):
    """Choices, transition labels, model and form field names read in the language."""
    labels = []
    for choice in (choices.State, choices.Channel, choices.Origin, choices.Importance,
                   choices.Justification, choices.Loyalty, choices.CauseKind):
        labels += [label for _value, label in choice.choices]
    labels += [t.label for t in TRANSITIONS.values()]
    labels += [f.verbose_name for f in Complaint._meta.get_fields() if hasattr(f, "verbose_name")
               and f.name in {"number", "state", "received_at", "channel", "responsible", "category",
                              "importance", "justification", "wording", "opinion", "loyalty"}]
    labels += [field.label for field in RegisterForm.base_fields.values() if field.label]
    # An instance: the filters other apps register are added to its fields.
    labels += [field.label for field in ComplaintFilterForm().fields.values() if field.label]
    with translation.override(language):
        untranslated = [str(label) for label in labels if not script.search(str(label))]
    assert not untranslated, f"{language}: {untranslated}"


def switch(client, language: str, next_url: str = "/") -> None:
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert response.status_code == 302


def test_pages_in_russian(client, qms, complaint):
    client.force_login(qms)
    switch(client, "ru")
    qms.refresh_from_db()
    assert qms.language == "ru"
    page = client.get(reverse("complaints:list")).content.decode()
    assert '<html lang="ru">' in page
    assert "<h1>Жалобы</h1>" in page and "Зарегистрирована" in page and "Все статусы" in page
    assert "Register complaint" not in page and "All states" not in page
    card = client.get(reverse("complaints:detail", args=[complaint.number])).content.decode()
    assert "Формулировка клиента" in card and "Назначить ответственного" in card
    assert "Assign responsible" not in card and "Customer's wording" not in card
    register = client.get(reverse("complaints:register")).content.decode()
    assert "Зарегистрировать жалобу" in register and "Суть жалобы со слов клиента" in register


def test_pages_in_armenian(client, qms, complaint):
    client.force_login(qms)
    switch(client, "hy", reverse("complaints:list"))
    qms.refresh_from_db()
    assert qms.language == "hy"
    page = client.get(reverse("complaints:list")).content.decode()
    assert '<html lang="hy">' in page
    assert "<h1>Բողոքներ</h1>" in page and "Գրանցված" in page and "Բոլոր կարգավիճակները" in page
    assert "Жалобы" not in page and "Register complaint" not in page and "All states" not in page
    card = client.get(reverse("complaints:detail", args=[complaint.number])).content.decode()
    assert "Հաճախորդի ձևակերպումը" in card and "Նշանակել պատասխանատու" in card
    assert "Assign responsible" not in card and "Customer's wording" not in card
    register = client.get(reverse("complaints:register")).content.decode()
    assert "Գրանցել բողոք" in register and "Բողոքը՝ հաճախորդի խոսքերով" in register
    assert "Complaint in the customer's words" not in register


def test_login_page_in_armenian_for_a_visitor(client):
    switch(client, "hy", reverse("login"))
    page = client.get(reverse("login")).content.decode()
    assert '<html lang="hy">' in page
    assert "Մուտք Amends համակարգ" in page and "Գաղտնաբառ" in page
    assert "Password" not in page
