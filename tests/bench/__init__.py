"""Benchmarks, not tests: `python -m tests.bench` (or `make bench`) runs every bench_*.py here.

pytest skips this folder (the Makefile passes --ignore=tests/bench); see __main__.py for the
convention a benchmark module follows and common.py for the shared timing helpers.
"""
