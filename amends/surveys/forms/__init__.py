"""Each part's forms in a module of its own (questionnaires, campaigns, answering, follow-ups, reports)."""
