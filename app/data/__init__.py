"""Datasets: generators, CSV parsing and validation, preparation for training, the store."""
