"""The answers app's card panels (complaints/card_page.py): the compensation (order 34), the letter
(35) and sending it (36), registered from AnswersConfig.ready()."""

from . import compensation, delivery, letters


def register() -> None:
    compensation.register()
    letters.register()
    delivery.register()
