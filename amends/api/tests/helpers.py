def url(complaint_or_number, part: str = "") -> str:
    """The API address of a card, or of one of its parts (transitions, notes, ...)."""
    number = getattr(complaint_or_number, "number", complaint_or_number)
    return f"/api/v1/complaints/{number}/" + (f"{part}/" if part else "")

