"""The indexes the project keeps; each is filled by the app whose documents it holds
(`complaints/search_index.py` for the cards, `customers/search_index.py` for the contacts)."""

from .engine import Index

# A card: its number, customer and contacts (A); its wording and demands (B); the messages in and
# out on its timeline (C).
COMPLAINTS = Index("search_complaint", ("ident", "body", "messages"), (10.0, 2.0, 1.0))

# A contact: the person's name and organisation (A); e-mail (B); phone (C).
CONTACTS = Index("search_contact", ("name", "email", "phone"), (10.0, 3.0, 1.0))

INDEXES = (COMPLAINTS, CONTACTS)
