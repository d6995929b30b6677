"""Satisfaction and loyalty measured the seeds' way (DOMAIN.md §8): questionnaires, campaigns, the
satisfaction coefficient K, the recommendation norms, and the follow-ups they open. docs/surveys.md."""
