from .yearly_fixtures import card, two_years  # noqa: F401 - the yearly statement's cards
