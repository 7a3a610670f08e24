"""Benchmarks of the pipeline (`make bench`, never part of `make test`); see the README's Performance section."""
