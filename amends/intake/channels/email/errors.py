"""Why an e-mail cannot become a card. All are ValueErrors: the pipeline quarantines them with the reason."""


class MalformedEmail(ValueError):
    """The bytes cannot become a card; the message says why."""


class EmptyEmail(MalformedEmail):
    """No subject, no text and no attachment: nothing to register."""


class UnreadableEmail(MalformedEmail):
    """The safety net: the `email` package failed on these bytes with both policies."""

