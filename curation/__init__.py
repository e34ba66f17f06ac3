"""curation: data curation and token-budget mixture building for small language models.

The library is engine-agnostic and imports no Prefect: the `curate` CLI and the Prefect
flows in `flows/` call the same functions.
"""

__version__ = "0.1.0"
