"""Bringing a company's complaint history in: CSV and XLSX journals and the CFPB export, mapped,
checked, resumable and idempotent by source row (docs/imports.md)."""
