"""{% timeline_entry %} writes an entry as the template it replaced wrote it, byte for byte."""

# ruff: noqa: E501 - the template's lines as they were

from datetime import UTC, datetime

import pytest
from django.template import engines
from django.utils import timezone, translation

from amends.accounts.models import User
from amends.complaints.choices import EventKind, State
from amends.complaints.models import TimelineEvent

# The loop of complaints/card/timeline.html that {% timeline_entry %} replaced, as it was.
TEMPLATE = """{% load i18n %}{% for e in events %}
    <li class="event event-{{ e.kind }}">
      <div class="event-head"><time datetime="{{ e.created_at|date:'c' }}">{{ e.created_at|date:"SHORT_DATETIME_FORMAT" }}</time> · {{ e.actor|default:_("system") }}</div>
      {% if e.kind == "transition" %}
        <div><strong>{{ e.get_from_state_display }} → {{ e.get_to_state_display }}</strong></div>
      {% elif e.kind == "registered" %}
        <div><strong>{% translate "Registered" %}</strong> ({{ e.text_display }})</div>
      {% elif e.kind == "field_change" %}
        <div>{{ e.field_label|capfirst }}: <del>{{ e.old_display|default:"—"|truncatechars:200 }}</del> → {{ e.new_display|default:"—"|truncatechars:200 }}</div>
      {% elif e.code == "kept_closed" %}
        <div><strong>{% translate "The customer's message is handled; the card stays as it is" %}</strong></div>
      {% elif e.kind == "sign_off" %}
        <div><strong>{% translate "Card signed off" %}</strong> ({{ e.text }})</div>
      {% elif e.kind == "attachment" %}
        <div>{% translate "File attached" %}: {{ e.text }}</div>
      {% else %}
        <div><em>{{ e.kind_label }}</em></div>
      {% endif %}
      {% if e.text and e.kind != "registered" and e.kind != "attachment" and e.kind != "sign_off" %}<div class="event-text">{{ e.text_display|linebreaksbr }}</div>{% endif %}
    </li>
  {% endfor %}"""

AT = datetime(2026, 3, 1, 21, 30, tzinfo=UTC)  # another day in Moscow


def entries() -> list[TimelineEvent]:
    actor = User(username="ivanova", first_name="Анна", last_name="O'Neil <Иванова>")
    return [
        TimelineEvent(kind=EventKind.REGISTERED, text="E-mail", created_at=AT),
        TimelineEvent(kind=EventKind.TRANSITION, from_state=State.REGISTERED, to_state=State.ASSIGNED, actor=actor,
                      text="Назначена & <срочно>", created_at=AT),
        TimelineEvent(kind=EventKind.FIELD_CHANGE, field="importance", old_value="", new_value="high", created_at=AT),
        TimelineEvent(kind=EventKind.FIELD_CHANGE, field="wording", old_value="x" * 300, new_value="a < b", created_at=AT),
        TimelineEvent(kind=EventKind.FIELD_CHANGE, field="no_such_field", old_value="1", new_value="2", created_at=AT),
        TimelineEvent(kind=EventKind.NOTE, code="kept_closed", text="Ответили ещё раз", created_at=AT),
        TimelineEvent(kind=EventKind.SIGN_OFF, text="Head of the QMS", actor=actor, created_at=AT),
        TimelineEvent(kind=EventKind.ATTACHMENT, text="акт <1>.pdf", created_at=AT),
        TimelineEvent(kind=EventKind.NOTE, text="Позвонили.\nНе ответил & \"перезвонить\"", actor=actor, created_at=AT),
        TimelineEvent(kind=EventKind.CALL, text="", created_at=AT),
        TimelineEvent(kind="gone_kind", text="kept", created_at=AT),
    ]


@pytest.mark.parametrize("language", ["en", "ru", "hy"])
def test_the_entries_are_written_as_the_template_wrote_them(language):
    events = entries()
    with translation.override(language), timezone.override("Europe/Moscow"):
        old = engines["django"].from_string(TEMPLATE).render({"events": events})
        new = engines["django"].from_string(
            "{% load timeline %}{% for e in events %}{% timeline_entry e %}{% endfor %}").render({"events": events})
    assert new == old
    assert "O&#x27;Neil &lt;Иванова&gt;" in new and "<br>" in new
