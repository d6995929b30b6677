from .letters import LegalReference, Letter, Letterhead, LetterTemplate

__all__ = ["LegalReference", "Letter", "LetterTemplate", "Letterhead"]
