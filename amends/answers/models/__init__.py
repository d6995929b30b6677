from .compensation import CompensationGrant, CompensationLimit, CompensationOption
from .delivery import Delivery, DeliveryChannel, DeliveryStatus
from .letters import LegalReference, Letter, Letterhead, LetterTemplate

__all__ = [
    "CompensationGrant", "CompensationLimit", "CompensationOption",
    "Delivery", "DeliveryChannel", "DeliveryStatus",
    "LegalReference", "Letter", "LetterTemplate", "Letterhead",
]
