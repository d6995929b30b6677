import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from amends.answers.admin import LetterTemplateForm
from amends.answers.choices import Outcome
from amends.answers.letters import letter_template_save
from amends.answers.models import LetterTemplate
from amends.answers.sandbox import template_errors, template_render


@pytest.fixture(autouse=True)
def _english():
    """The sandbox's messages are asserted in English."""
    with translation.override("en"):
        yield


@pytest.mark.parametrize("text, name", [
    ("Dear {{ client.name }}", "client.name"),
    ("{{ customer.password }}", "customer.password"),
    ("{{ customer.name.upper }}", "customer.name.upper"),  # a plain value has no attributes
    ("{% for grant in compensation.grants %}{{ grant.secret }}{% endfor %}", "grant.secret"),
    ("{% if complaint.responsible %}x{% endif %}", "complaint.responsible"),
    ("{{ card.number|default:settings }}", "settings"),
    ("{% for grant in compensation.grants %}{% endfor %}{{ grant.value }}", "grant.value"),  # out of its loop
])
def test_an_unknown_placeholder_is_refused_naming_it(db, text, name):
    errors = template_errors(text)
    assert len(errors) == 1 and f"“{name}”" in errors[0]


@pytest.mark.parametrize("text", [
    "{% load static %}", "{% debug %}", "{% include 'base.html' %}", "{% url 'login' %}",
    "{{ card.number|safe }}", "{% if %}", "{{ card.number", "{% for x in %}",
])
def test_broken_syntax_or_a_tag_outside_the_sandbox_is_refused(db, text):
    assert template_errors(text)[0].startswith("The template cannot be read")


def test_the_names_and_their_attributes_are_allowed(db):
    text = (
        "{{ customer.contact_name|default:recipient.name }} {{ card.number }} {{ sender.registration }}"
        "{% for grant in compensation.grants %}{{ forloop.counter }}. {{ grant.value }} {{ grant.due }}{% endfor %}"
        "{% for measure in measures %}{{ measure.description }}{% empty %}-{% endfor %}"
        "{% if references and not enclosures %}{{ references.0.title }}{% endif %}{{ signer.phone }}"
    )
    assert template_errors(text) == []


def test_rendering_takes_plain_values_and_escapes_nothing(db):
    assert template_render("{{ customer.name }}", {"customer": {"name": "A & B <x>"}}) == "A & B <x>"
    with pytest.raises(TypeError):
        template_render("{{ customer.name }}", {"customer": LetterTemplate(name="x")})


def test_the_service_refuses_an_unknown_placeholder_on_save(db):
    template = LetterTemplate(outcome=Outcome.HOLDING, language="en", name="Custom", subject="No. {{ card.number }}",
                              body="Dear {{ customer.nickname }}")
    with pytest.raises(ValidationError) as refused:
        letter_template_save(template)
    assert "customer.nickname" in str(refused.value.message_dict["body"])
    assert template.pk is None


def test_the_admin_form_refuses_it_on_the_field(db):
    form = LetterTemplateForm(data={"outcome": Outcome.HOLDING, "language": "en", "name": "Custom",
                                    "subject": "{% if %}", "body": "Dear {{ customer.nickname }}", "is_active": True})
    assert not form.is_valid()
    assert "customer.nickname" in form.errors["body"][0]
    assert "cannot be read" in form.errors["subject"][0]


def test_every_seeded_template_passes_the_sandbox(db):
    templates = LetterTemplate.objects.all()
    assert {(t.outcome, t.language) for t in templates} == {(o, lang) for o in Outcome for lang in ("ru", "en", "hy")}
    for template in templates:
        assert template_errors(template.subject) == template_errors(template.body) == [], template
