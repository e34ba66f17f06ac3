"""Mixes: a YAML manifest -> weighted sampling by token budget -> sharded Arrow + lock + card."""
