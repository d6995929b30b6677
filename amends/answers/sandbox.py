"""Letter templates in Django's template language, in a sandbox.

The engine knows only `if`, `for`, `comment` and a few text filters (no `load`, `include`, `url`,
`debug`), escapes nothing (letters are plain text), and a template is checked before it is kept:
every name it reads must be one the letter-names registry allows (`context.allowed_names()`), with
only the attributes that name holds (`context.name_shapes()`). Rendering gets plain strings, numbers,
dicts and lists, never model instances, so no placeholder reaches the ORM.
"""

import functools
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, ClassVar

from django.core.exceptions import ValidationError
from django.template import Context, Engine, Library, TemplateSyntaxError, defaultfilters, defaulttags
from django.template.base import Node, TextNode, Variable, VariableNode
from django.utils.translation import gettext as _

from .context import allowed_names, name_shapes

register = Library()
for _tag in ("if", "for", "comment"):
    register.tag(_tag, defaulttags.register.tags[_tag])
FILTERS = (
    "capfirst", "cut", "default", "default_if_none", "first", "floatformat", "join", "last", "length",
    "lower", "pluralize", "title", "truncatechars", "truncatewords", "upper", "wordwrap", "yesno",
)
for _filter in FILTERS:
    register.filter(_filter, defaultfilters.register.filters[_filter])

# What `forloop` holds inside a `{% for %}`.
FORLOOP_SHAPE = dict.fromkeys(("counter", "counter0", "revcounter", "revcounter0", "first", "last"))
PLAIN = (str, int, float, bool, Decimal, type(None))


class SandboxEngine(Engine):
    default_builtins: ClassVar[list[str]] = []  # not Django's tags and filters: only this module's `register`


@functools.cache
def engine() -> Engine:
    return SandboxEngine(builtins=[__name__], libraries={}, autoescape=False, dirs=[], app_dirs=False, loaders=[])


class UnknownPlaceholder(Exception):
    def __init__(self, name: str):
        super().__init__(name)
        self.name = name


def _shape_of(var: Any, scope: dict[str, Any]) -> Any:
    """The shape of what a variable reads, or UnknownPlaceholder naming it when the sandbox has no such name."""
    if not isinstance(var, Variable) or var.lookups is None:
        return None  # a literal
    name = var.lookups[0]
    if name not in scope:
        raise UnknownPlaceholder(".".join(var.lookups))
    shape = scope[name]
    for bit in var.lookups[1:]:
        if isinstance(shape, dict) and bit in shape:
            shape = shape[bit]
        elif isinstance(shape, list) and bit.isdigit():
            shape = shape[0]
        else:
            raise UnknownPlaceholder(".".join(var.lookups))
    return shape


def _check_expression(expression: Any, scope: dict[str, Any]) -> Any:
    for _func, args in expression.filters:
        for is_variable, arg in args:
            if is_variable:
                _shape_of(arg, scope)
    return _shape_of(expression.var, scope)


def _check_condition(condition: Any, scope: dict[str, Any]) -> None:
    if condition is None:  # {% else %}
        return
    if isinstance(condition, defaulttags.TemplateLiteral):
        _check_expression(condition.value, scope)
        return
    for part in (getattr(condition, "first", None), getattr(condition, "second", None)):
        _check_condition(part, scope)


def _check_nodes(nodes: Iterable[Any], scope: dict[str, Any]) -> None:
    for node in nodes:
        _check_node(node, scope)


def _check_node(node: Node, scope: dict[str, Any]) -> None:
    if isinstance(node, defaulttags.CommentNode):
        return
    if isinstance(node, TextNode):
        # Django keeps an unclosed "{{ name" as text: a letter would show it to the customer.
        if "{{" in node.s or "{%" in node.s:
            raise TemplateSyntaxError(_("a placeholder or tag is not closed: %(text)s") % {"text": node.s.strip()[:60]})
    elif isinstance(node, VariableNode):
        _check_expression(node.filter_expression, scope)
    elif isinstance(node, defaulttags.IfNode):
        for condition, nodelist in node.conditions_nodelists:
            _check_condition(condition, scope)
            _check_nodes(nodelist, scope)
    elif isinstance(node, defaulttags.ForNode):
        sequence = _check_expression(node.sequence, scope)
        item = sequence[0] if isinstance(sequence, list) else None
        inner = scope | {"forloop": FORLOOP_SHAPE}
        # Unpacking ("for a, b in …") reads parts of an item the sandbox cannot tell: plain values.
        inner |= {node.loopvars[0]: item} if len(node.loopvars) == 1 else dict.fromkeys(node.loopvars)
        _check_nodes(node.nodelist_loop, inner)
        _check_nodes(node.nodelist_empty, scope)
    else:  # the engine knows no other tag; a node the check cannot read is refused, not trusted
        raise TemplateSyntaxError(f"{type(node).__name__} is not allowed")


def template_errors(text: str) -> list[str]:
    """Why the sandbox refuses a template's text: broken syntax, or a placeholder it does not know."""
    try:
        template = engine().from_string(text)
        _check_nodes(template.nodelist, {name: name_shapes().get(name) for name in allowed_names()})
    except TemplateSyntaxError as error:
        return [_("The template cannot be read: %(error)s") % {"error": error}]
    except UnknownPlaceholder as unknown:
        return [_("Unknown placeholder “%(name)s”: a letter template may use only the names listed in "
                  "the documentation.") % {"name": unknown.name}]
    return []


def template_validate(**texts: str) -> None:
    """ValidationError by field (e.g. subject=…, body=…) for each text the sandbox refuses."""
    errors = {field: messages for field, text in texts.items() if (messages := template_errors(text))}
    if errors:
        raise ValidationError(errors)


def _plain(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(key, str) and _plain(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return all(_plain(item) for item in value)
    return isinstance(value, PLAIN)


def template_render(text: str, context: dict[str, Any]) -> str:
    """The text filled from `context`, which must hold plain values only (no model reaches a template)."""
    if not _plain(context):
        raise TypeError("A letter template is given plain values only.")
    return engine().from_string(text).render(Context(context, autoescape=False))
