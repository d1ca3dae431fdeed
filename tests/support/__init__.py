"""Helpers the tests share (and the benchmarks and harnesses under bench/ may use)."""
