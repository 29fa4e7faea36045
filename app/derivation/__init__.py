"""Derivation: the one place that turns "facts changed" into derived state (flows.py)."""
