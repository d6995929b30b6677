"""Tests that span apps, and the harnesses tests and benchmarks share."""
