"""Where a source's reports live: sources/<name>/reports/NNNNNNNN-dropped.parquet (and
NNNNNNNN-rewritten.parquet), DROP_SCHEMA files in stage order, read together by
curation.report (load_drops / load_rewrites) and `curate report`.

A run hard-links the report files of the run it reads (copies where the file system cannot
link) and renames its partitions' pieces in after them, so no stage ever decodes and re-encodes
a report row, its own or an earlier stage's, and a run directory holds every row dropped since
ingest even when the earlier runs are deleted.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyarrow.parquet as pq

REPORTS_DIR = "reports"
REPORTS = ("dropped", "rewritten")


def report_files(source: Path, report: str) -> list[Path]:
    """Every `report` ("dropped" or "rewritten") file of a source directory, in stage order."""
    return sorted((source / REPORTS_DIR).glob(f"*-{report}.parquet"))


def link_reports(src_in: Path, tmp: Path) -> dict[str, int]:
    """The input source's non-empty report files, linked into the new source's reports; returns
    the next file number per report."""
    (tmp / REPORTS_DIR).mkdir(exist_ok=True)
    numbers = {}
    for report in REPORTS:
        files = [f for f in report_files(src_in, report) if pq.read_metadata(f).num_rows]
        for k, f in enumerate(files):
            dest = tmp / REPORTS_DIR / f"{k:08d}-{report}.parquet"
            try:
                os.link(f.resolve(), dest)
            except OSError:  # another device, or no hard links here
                shutil.copyfile(f, dest)
        numbers[report] = len(files)
    return numbers


def add_reports(tmp: Path, numbers: dict[str, int], pieces: Path) -> None:
    """Rename the partitions' report pieces (PIECES/<report>-<partition>.parquet) into the new
    source's reports after the files numbered so far, in partition order."""
    (tmp / REPORTS_DIR).mkdir(exist_ok=True)
    for report in REPORTS:
        for k, piece in enumerate(sorted(pieces.glob(f"{report}-*.parquet")), start=numbers.get(report, 0)):
            piece.rename(tmp / REPORTS_DIR / f"{k:08d}-{report}.parquet")
