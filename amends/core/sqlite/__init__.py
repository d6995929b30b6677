"""Amends' SQLite database backend (ENGINE "amends.core.sqlite"): Django's, with case folding for
every alphabet in LIKE and a queue for writers."""
