from .compensation import CompensationGrant, CompensationLimit, CompensationOption
from .letters import LegalReference, Letter, Letterhead, LetterTemplate
from .penalty import GoodsPrice
from .tone import StopPhrase

__all__ = [
    "CompensationGrant", "CompensationLimit", "CompensationOption", "GoodsPrice",
    "LegalReference", "Letter", "LetterTemplate", "Letterhead",
    "StopPhrase",
]
