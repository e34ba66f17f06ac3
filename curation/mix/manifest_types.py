"""Value types shared by the mix manifest models: slugs, token counts, weights.

Every name in a manifest that can become part of a file or directory name (the mix, its
sources, stages and phases) is a slug: lowercase letters, digits, ``.``, ``_``, ``-``,
starting with a letter or digit, at most 64 characters. So no manifest text can carry a
path separator or ``..`` into an output path.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, StringConstraints, WithJsonSchema

SLUG_PATTERN = r"^[a-z0-9][a-z0-9._-]{0,63}$"

Slug = Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]

# Token-count suffixes are decimal: "12M" tokens = 12,000,000 (as budgets are quoted).
_SUFFIX = {"": 1, "k": 10**3, "m": 10**6, "b": 10**9, "g": 10**9, "t": 10**12}
_COUNT_RE = re.compile(r"^\s*(\d[\d_,]*(?:\.\d+)?(?:e[-+]?\d+)?)\s*([kmbgt]?)\s*$", re.IGNORECASE)
TOKEN_COUNT_PATTERN = r"^\s*\d[\d_,]*(\.\d+)?([eE][-+]?\d+)?\s*[kKmMbBgGtT]?\s*$"


def parse_token_count(value: Any) -> Any:
    """An int, an integral float (YAML's 1.0e+12) or text like "12M", "1.2T", "150B", "500k",
    "12_000_000", "1e12" (PyYAML reads 1e12 as text) -> int tokens. Anything else is handed on for pydantic to reject."""
    if isinstance(value, bool):
        return value  # strict int rejects it, naming the field
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        match = _COUNT_RE.match(value)
        if match is None:
            raise ValueError(
                f"expected a whole number of tokens such as 12000000, '12M' or '1.2T', got {value!r}"
            )
        try:
            number = (
                Decimal(match.group(1).replace("_", "").replace(",", "")) * _SUFFIX[match.group(2).lower()]
            )
        except InvalidOperation:
            raise ValueError(f"not a number of tokens: {value!r}") from None
        if number != number.to_integral_value():
            raise ValueError(f"{value!r} is not a whole number of tokens ({number})")
        return int(number)
    return value


TokenCount = Annotated[
    int,
    BeforeValidator(parse_token_count),
    Field(gt=0),
    WithJsonSchema(
        {
            "anyOf": [
                {"type": "integer", "exclusiveMinimum": 0},
                {"type": "string", "pattern": TOKEN_COUNT_PATTERN},
            ]
        }
    ),
]
"""Tokens, > 0: an integer, or text with a decimal suffix k / M / B (or G) / T."""

Weight = Annotated[float, Field(ge=0, allow_inf_nan=False)]
"""A relative share (normalised over the sources); >= 0, finite."""
