from .compensation import CompensationGrant, CompensationLimit, CompensationOption
from .delivery import Delivery, DeliveryChannel, DeliveryStatus
from .letters import LegalReference, Letter, Letterhead, LetterTemplate
from .penalty import GoodsPrice
from .tone import StopPhrase

__all__ = [
    "CompensationGrant", "CompensationLimit", "CompensationOption", "GoodsPrice",
    "Delivery", "DeliveryChannel", "DeliveryStatus",
    "LegalReference", "Letter", "LetterTemplate", "Letterhead",
    "StopPhrase",
]
