"""Embedded demo data: small corpora in real public schemas, with planted problems.

`curate demo` and the tests ingest these; see generate.py for the list of corpora.
"""

from curation.demo.generate import generate_demo, load_sources
from curation.demo.source import DemoSource

__all__ = ["DemoSource", "generate_demo", "load_sources"]
