from .compensation import CompensationGrant, CompensationLimit, CompensationOption
from .letters import LegalReference, Letter, Letterhead, LetterTemplate

__all__ = [
    "CompensationGrant", "CompensationLimit", "CompensationOption",
    "LegalReference", "Letter", "LetterTemplate", "Letterhead",
]
