"""Throwaway servers and helpers for tests and benchmarks; never imported by the product."""
