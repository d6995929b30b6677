"""escaped() gives conditional_escape's text for every kind of value the forms pass it."""

from django.utils.functional import lazy
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from amends.core.markup import escaped


def test_escaped_writes_what_conditional_escape_writes():
    values = ['<a href="x">&\'', mark_safe("<b>kept</b>"), gettext_lazy("Name <b>"), 42, None, "",
              lazy(lambda: mark_safe("<i>safe lazy</i>"), str)()]
    assert [escaped(value) for value in values] == [str(conditional_escape(value)) for value in values]
