"""Governance tests reuse the phases fixtures: a trainee in training, and a small world whose
criteria a test can meet in full."""

from ..phases.conftest import small_world, trainee_world  # noqa: F401  (fixtures)
