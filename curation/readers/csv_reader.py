"""CSV with a header row, streamed by pyarrow's CSV reader.

Cells are read as bytes and converted to the schema per column, so one bad cell (invalid
UTF-8, `abc` in an int column) drops its row, not the block. Unquoted empty cells are
null, quoted ones (`""`) are empty strings. A row with the wrong number of fields is a
`malformed:csv` drop. Positions are 1-based record numbers counting the header as 1:
the line number whenever no value spans lines and there are no blank lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv
import pyarrow.types as pat

from curation.readers import blocks
from curation.readers.base import RawBatch, SourceError
from curation.readers.compression import open_stream
from curation.readers.context import FileContext
from curation.readers.discover import SourceFile


def read_csv(sf: SourceFile, ctx: FileContext) -> Iterator[RawBatch]:
    """Batches of a CSV file (plain or compressed)."""
    nested = [f.name for f in ctx.schema if pat.is_nested(f.type)]
    if nested:
        raise SourceError(
            f"{sf.path}: CSV cannot hold the nested field(s) {', '.join(nested)} this adapter reads; "
            "use JSON Lines, Parquet or Arrow"
        )
    invalid: list[pcsv.InvalidRow] = []

    def on_invalid(row: pcsv.InvalidRow) -> str:
        invalid.append(row)
        return "skip"

    names = ctx.schema.names
    with open_stream(sf.path, sf.codec) as stream:
        try:
            reader = pcsv.open_csv(
                stream,
                read_options=pcsv.ReadOptions(use_threads=False, block_size=blocks.BLOCK_BYTES),
                parse_options=pcsv.ParseOptions(newlines_in_values=True, invalid_row_handler=on_invalid),
                convert_options=pcsv.ConvertOptions(
                    column_types={name: pa.binary() for name in names},
                    include_columns=names,
                    include_missing_columns=True,
                    strings_can_be_null=True,
                    quoted_strings_can_be_null=False,
                ),
            )
        except pa.ArrowInvalid as exc:
            if "Empty CSV file" in str(exc):
                return
            raise SourceError(f"{sf.path}: not a readable CSV file ({str(exc).splitlines()[0]})") from None
        numbers = _RecordNumbers()
        for batch in reader:
            skipped, invalid[:] = list(invalid), []
            drops = [_invalid_drop(row, ctx) for row in skipped]
            positions = numbers.take(batch.num_rows, [row.number for row in skipped])
            table, keep = _convert(pa.Table.from_batches([batch]), positions, ctx, drops)
            yield from ctx.batches(table, positions[keep], drops)
        if invalid:  # rows skipped after the last batch
            drops = [_invalid_drop(row, ctx) for row in invalid]
            yield from ctx.batches(ctx.empty_table(), np.empty(0, np.int64), drops)


class _RecordNumbers:
    """Hands out record numbers to good rows, skipping those of rows pyarrow rejected."""

    def __init__(self) -> None:
        self.next = 2  # the header is record 1
        self.pending: list[int] = []

    def take(self, n: int, skipped: list[int | None]) -> np.ndarray:
        self.pending.extend(s for s in skipped if s is not None)
        numbers = np.arange(self.next, self.next + n, dtype=np.int64)
        while self.pending and n and self.pending[0] <= numbers[-1]:
            numbers[numbers >= self.pending.pop(0)] += 1
        if n:
            self.next = int(numbers[-1]) + 1
        return numbers


def _invalid_drop(row: pcsv.InvalidRow, ctx: FileContext) -> dict:
    detail = f"record {row.number}: expected {row.expected_columns} fields, got {row.actual_columns}"
    return ctx.drop("malformed:csv", detail, row.number, row.text)


def _convert(
    table: pa.Table, positions: np.ndarray, ctx: FileContext, drops: list[dict]
) -> tuple[pa.Table, np.ndarray]:
    """Byte columns -> the schema's types; rows with a bad cell become drops.

    Returns the good rows and a boolean mask of them over the input rows.
    """
    problems: dict[int, str] = {}
    reasons: dict[int, str] = {}
    columns = []
    for field in ctx.schema:
        column, bad = _convert_column(table[field.name], field)
        for row, (reason, detail) in bad.items():
            if row not in problems:
                problems[row], reasons[row] = detail, reason
        columns.append(column)
    converted = pa.Table.from_arrays(columns, schema=ctx.schema)
    keep = np.ones(table.num_rows, dtype=bool)
    for row in sorted(problems):
        keep[row] = False
        number = int(positions[row])
        detail = f"record {number}: {problems[row]}"
        drops.append(ctx.drop(reasons[row], detail, number, _raw_row(table, row)))
    if problems:
        converted = converted.filter(pa.array(keep))
    return converted, keep


def _convert_column(
    column: pa.ChunkedArray, field: pa.Field
) -> tuple[pa.ChunkedArray | pa.Array, dict[int, tuple[str, str]]]:
    """Cast one byte column; on failure find the bad cells one by one (this batch only)."""
    try:
        return _cast(column, field.type), {}
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    values: list[Any] = []
    bad: dict[int, tuple[str, str]] = {}
    for i, cell in enumerate(column.to_pylist()):
        if cell is None:
            values.append(None)
            continue
        try:
            text = cell.decode("utf-8")
        except UnicodeDecodeError as exc:
            bad[i] = ("malformed:utf8", f"column '{field.name}': invalid UTF-8 at byte {exc.start + 1}")
            values.append(None)
            continue
        try:
            values.append(pa.scalar(text).cast(field.type).as_py())
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            bad[i] = ("malformed:type", f"column '{field.name}': expected {field.type}, got {text[:40]!r}")
            values.append(None)
    return pa.array(values, field.type), bad


def _cast(column: pa.ChunkedArray, type_: pa.DataType) -> pa.ChunkedArray:
    if pat.is_null(column.type):
        return column.cast(type_)
    text = column.cast(pa.string())  # validates UTF-8
    return text if text.type == type_ else pc.cast(text, type_)


def _raw_row(table: pa.Table, row: int) -> str:
    cells = {name: (v.decode("utf-8", errors="replace") if v is not None else None)
             for name, v in table.slice(row, 1).to_pylist()[0].items()}
    return orjson.dumps(cells).decode()
