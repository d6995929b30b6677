"""Full-text search over the cards, their messages and their customers, with Russian and English
stemming: SQLite FTS5 on the embedded database, PostgreSQL's full-text search in production, behind one
service (docs/search.md)."""
