"""Generators of synthetic training rows whose every answer is computed and verified (polish sets)."""
