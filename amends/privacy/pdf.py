"""The export as a PDF a person can read: fpdf2 (pure Python) with DejaVu Sans embedded, which
covers Cyrillic and Armenian (Debian's fonts-dejavu-core; the folder is AMENDS_PDF_FONT_DIR)."""

from pathlib import Path
from typing import Any

from django.conf import settings
from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT = "DejaVu"
TITLES = {
    "contacts": "Contact details", "organisations": "Organisations", "complaints": "Complaints",
    "timeline": "History", "measures": "Measures", "attachments": "Files",
    "messages_sent": "Messages sent to you", "messages_received": "Messages received from you",
}


def _font_dir() -> Path:
    return Path(getattr(settings, "AMENDS_PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu"))


class _Document(FPDF):
    def __init__(self) -> None:
        super().__init__(format="A4")
        fonts = _font_dir()
        self.add_font(FONT, "", str(fonts / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
        self.set_auto_page_break(auto=True, margin=15)
        self.add_page()

    def heading(self, text: str, size: int) -> None:
        self.set_font(FONT, "B", size)
        self.multi_cell(0, size * 0.6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(1)

    def pairs(self, values: dict[str, Any]) -> None:
        for name, value in values.items():
            if value in ("", None, [], {}) or isinstance(value, list):
                continue
            self.set_font(FONT, "B", 9)
            self.multi_cell(0, 4.5, name.replace("_", " "), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_font(FONT, "", 9)
            self.multi_cell(0, 4.5, str(value), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)


def export_pdf(data: dict[str, Any]) -> bytes:
    document = _Document()
    document.heading("Personal data", 16)
    document.pairs({"generated_at": data["generated_at"]})
    for section in ("contacts", "organisations"):
        document.heading(TITLES[section], 13)
        for item in data[section]:
            document.pairs(item)
    document.heading(TITLES["complaints"], 13)
    for card in data["complaints"]:
        document.heading(f"{card['number']} · {card['state_name']}", 12)
        document.pairs(card)
        for part in ("timeline", "measures", "attachments", "messages_sent", "messages_received"):
            if card[part]:
                document.heading(TITLES[part], 10)
                for item in card[part]:
                    document.pairs(item)
    return bytes(document.output())
