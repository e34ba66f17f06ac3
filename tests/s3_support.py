"""Helpers for the object-store tests (the moto S3 server and its fixtures are in conftest.py)."""

from __future__ import annotations


def cut_uploads_short(fs, monkeypatch, after: int = 2):
    """Make the s3fs instance `fs` fail every upload after the first `after` files ("connection
    reset by peer", an OSError as a dropped connection gives); returns the function that mends it.
    s3fs caches its instance, so the code under test gets this one."""
    real_put, sent = fs.put_file, []

    def failing_put(lpath, rpath, *args, **kwargs):
        if len(sent) == after:
            raise OSError("connection reset by peer")
        sent.append(rpath)
        return real_put(lpath, rpath, *args, **kwargs)

    monkeypatch.setattr(fs, "put_file", failing_put)
    return lambda: monkeypatch.setattr(fs, "put_file", real_put)
