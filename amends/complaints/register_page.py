"""The operator's registration form, open to other apps.

Higher apps add parts below the complaint's wording (duplicates shows the possible duplicates there
while the operator types), registered in their AppConfig.ready(), so complaints never imports them.
A part is a template rendered with the form's context (`form`).
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class RegisterPart:
    name: str
    template: str
    order: int


REGISTER_PARTS: dict[str, RegisterPart] = {}


def register_form_part(name: str, template: str, *, order: int = 100) -> RegisterPart:
    """Add a part to the registration form; registering a name again replaces it."""
    part = REGISTER_PARTS[name] = RegisterPart(name, template, order)
    return part


def register_form_parts() -> list[RegisterPart]:
    return sorted(REGISTER_PARTS.values(), key=lambda part: (part.order, part.name))
