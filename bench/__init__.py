"""Benchmarks run by hand, and the evaluation tools the tests share with them."""
