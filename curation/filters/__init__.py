"""Row filters: each a small module that returns, for a batch of canonical rows, a reason per
row it drops (and, for filters that edit rows, the rewritten batch). See base.py."""
