from .compensation import CompensationGrant, CompensationLimit, CompensationOption
from .letters import LegalReference, Letter, Letterhead, LetterTemplate
from .tone import StopPhrase

__all__ = [
    "CompensationGrant", "CompensationLimit", "CompensationOption",
    "LegalReference", "Letter", "LetterTemplate", "Letterhead",
    "StopPhrase",
]
