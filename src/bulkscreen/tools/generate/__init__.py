"""Generators of realistic shipments and persons with ground truth."""
