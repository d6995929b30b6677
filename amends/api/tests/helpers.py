def url(complaint_or_number, part: str = "") -> str:
    """The API address of a card, or of one of its parts (transitions, notes, ...)."""
    number = getattr(complaint_or_number, "number", complaint_or_number)
    return f"/api/v1/complaints/{number}/" + (f"{part}/" if part else "")


def worker_registers() -> int:
    """What the worker does after API registrations: the submissions waiting for cards get them."""
    from amends.intake.services import inbound_register_waiting

    total = 0
    while taken := inbound_register_waiting():
        total += taken
    return total
