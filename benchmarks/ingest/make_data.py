"""Write a deterministic JSONL of alpaca-shaped rows {instruction, input, output} for the ingest benchmark.

    .venv/bin/python benchmarks/ingest/make_data.py --mb 1024      # -> benchmarks/data/alpaca_1024mb.jsonl

Shaped like alpaca-cleaned: instruction 10-40 words, input empty for ~60% of rows (else
5-80 words), output 20-400 words (log-normal, median ~130 words), a Zipf-like word
frequency over a fixed vocabulary, some punctuation, paragraph breaks (`\\n` in the JSON),
escaped quotes and a little non-ASCII text so the parsers do real work. Every row is
different (no duplicate ids). The same --mb and --seed give the same bytes.

It is vectorised: rows are laid out as a sequence of "pieces" (a word, the same word with a
leading space, or the JSON punctuation between fields) and the bytes are gathered with numpy
in chunks, so 1 GB takes well under a minute.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

import numpy as np

DATA_DIR = Path(__file__).resolve().parents[1] / "data"
ROWS_PER_CHUNK = 20_000

# Base vocabulary: common English words (instruction-tuning flavoured). Pseudo-words built
# from syllables below widen it to a realistic vocabulary size (Parquet compression and
# string lengths depend on it).
WORDS = ["the", "of", "and", "to", "a", "in", "is", "that", "for", "it", "as", "with", "was", "on", "be", "by", "this", "are", "or", "from", "at", "an", "which", "not", "have", "has", "but", "can", "will", "if", "their", "they", "one", "all", "more", "also", "its", "been", "other", "when", "these", "into", "some", "would", "there", "than", "only", "such", "so", "what", "about", "each", "them", "how", "use", "may", "most", "many", "like", "make", "then", "any", "two", "time", "first", "very", "over", "new", "after", "used", "way", "year", "work", "could", "people", "should", "between", "each", "through", "where", "because", "while", "well", "being", "those", "both", "three", "under", "same", "different", "example", "number", "data", "system", "information", "model", "process", "value", "result", "function", "code", "list", "write", "explain", "describe", "give", "generate", "create", "summarize", "translate", "classify", "identify", "find", "answer", "question", "following", "sentence", "paragraph", "text", "word", "words", "story", "poem", "essay", "article", "letter", "email", "list", "items", "steps", "reasons", "benefits", "advantages", "disadvantages", "ways", "tips", "ideas", "compare", "contrast", "analyze", "evaluate", "suggest", "recommend", "provide", "rewrite", "edit", "improve", "correct", "calculate", "compute", "solve", "equation", "problem", "answer", "formula", "variable", "python", "program", "function", "class", "method", "string", "array", "loop", "input", "output", "return", "print", "file", "database", "table", "query", "customer", "product", "service", "company", "business", "market", "price", "cost", "money", "budget", "plan", "strategy", "health", "food", "water", "energy", "climate", "environment", "science", "history", "art", "music", "language", "culture", "student", "teacher", "school", "learning", "education", "research", "study", "experiment", "theory", "evidence", "computer", "software", "hardware", "network", "internet", "website", "application", "user", "design", "interface", "important", "significant", "common", "popular", "simple", "complex", "effective", "efficient", "useful", "possible", "good", "better", "best", "great", "small", "large", "high", "low", "long", "short", "old", "young", "early", "late", "important", "human", "natural", "social", "economic", "political", "personal", "public", "private", "global", "local", "modern", "therefore", "however", "moreover", "furthermore", "although", "whereas", "instance", "consider", "including", "because", "since", "unless", "until", "whether", "either", "neither", "although", "though", "thus", "hence", "indeed", "help", "keep", "start", "show", "hear", "play", "run", "move", "live", "believe", "bring", "happen", "provide", "sit", "stand", "lose", "pay", "meet", "include", "continue", "set", "learn", "change", "lead", "understand", "watch", "follow", "stop", "speak", "read", "allow", "add", "spend", "grow", "open", "walk", "win", "offer", "remember", "love", "appear", "buy", "wait", "serve", "die", "send", "expect", "build", "stay", "fall", "cut", "reach", "kill", "remain", "suggest", "raise", "pass", "sell", "require", "report", "decide", "city", "country", "world", "state", "family", "group", "children", "life", "day", "week", "month", "hour", "minute", "second", "government", "power", "company", "member", "problem", "fact", "hand", "part", "place", "case", "point", "home", "room", "area"]

SPECIAL = [
    "\\\"quoted\\\"",  # JSON-escaped quotes
    "café", "naïve", "résumé", "über", "日本語", "中文", "Ελληνικά", "emoji🙂", "→",
    "(e.g.", "i.e.,", "3.14", "42", "100%", "$20", "2023", "x^2", "f(x)", "`code`",
]


def vocabulary(rng: np.random.Generator, size: int = 6000) -> list[str]:
    onsets = ["", "b", "c", "d", "f", "g", "h", "j", "k", "l", "m", "n", "p", "r", "s", "t", "v", "w",
              "br", "cl", "dr", "fl", "gr", "pl", "pr", "sh", "st", "str", "th", "tr"]
    nuclei = ["a", "e", "i", "o", "u", "ai", "ea", "ee", "io", "ou", "oo"]
    codas = ["", "n", "r", "s", "t", "l", "m", "nd", "nt", "st", "ng", "ck", "rt", "ss"]
    words = list(dict.fromkeys(WORDS))
    seen = set(words)
    while len(words) < size - len(SPECIAL):
        n = int(rng.integers(1, 4))
        w = "".join(
            onsets[rng.integers(len(onsets))] + nuclei[rng.integers(len(nuclei))] + codas[rng.integers(len(codas))]
            for _ in range(n)
        )
        if len(w) > 1 and w not in seen:
            seen.add(w)
            words.append(w)
    return words + SPECIAL


class Pieces:
    """The piece table: each word bare and with a leading space, plus the JSON glue."""

    def __init__(self, words: list[str]) -> None:
        # Word variants: plain, "word," , "word." and a paragraph break "word.\n\n" (JSON-escaped).
        variants = [w for w in words] + [w + "," for w in words] + [w + "." for w in words] + [
            w + ".\\n\\n" for w in words
        ]
        self.n_variants = len(variants)
        glue = ['{"instruction": "', '", "input": "', '", "output": "', '"}\n']
        pieces = variants + [" " + v for v in variants] + glue
        encoded = [p.encode("utf-8") for p in pieces]
        self.lengths = np.array([len(b) for b in encoded], dtype=np.int64)
        self.starts = np.concatenate([[0], np.cumsum(self.lengths)[:-1]]).astype(np.int64)
        self.blob = np.frombuffer(b"".join(encoded), dtype=np.uint8)
        self.glue = 2 * self.n_variants + np.arange(4)  # PRE, MID_INPUT, MID_OUTPUT, END

        n = len(words)
        # Zipf-like word frequencies (rank^-1.0), then split each word's mass over its
        # punctuation variants: 88% plain, 6% comma, 5% period, 1% paragraph break.
        freq = 1.0 / np.arange(1, n + 1) ** 1.0
        freq /= freq.sum()
        self.p = np.concatenate([freq * 0.88, freq * 0.06, freq * 0.05, freq * 0.01])
        self.p /= self.p.sum()
        # Sampling by lookup in a 2^20-entry table (every variant at least once) is ~5x
        # faster than searchsorted over the CDF.
        counts = np.maximum(1, np.round(self.p * (1 << 20))).astype(np.int64)
        self.table = np.repeat(np.arange(self.n_variants, dtype=np.int64), counts)


def chunk_bytes(rng: np.random.Generator, pieces: Pieces, rows: int) -> tuple[bytes, np.ndarray]:
    """`rows` JSONL rows as bytes, and the byte offset where each row ends."""
    n_instr = rng.integers(10, 41, rows)
    n_input = np.where(rng.random(rows) < 0.6, 0, rng.integers(5, 81, rows))
    n_output = np.clip(np.round(rng.lognormal(np.log(130), 0.7, rows)), 20, 400).astype(np.int64)
    slots = 4 + n_instr + n_input + n_output  # 4 glue pieces per row
    row_start = np.concatenate([[0], np.cumsum(slots)[:-1]])
    total = int(slots.sum())

    # Every slot a random word with a leading space; then the glue and first words of fields.
    seq = pieces.table[rng.integers(0, len(pieces.table), total)] + pieces.n_variants
    first_instr = row_start + 1
    mid_input = first_instr + n_instr
    first_input = mid_input + 1
    mid_output = first_input + n_input
    first_output = mid_output + 1
    end = row_start + slots - 1
    seq[first_instr] -= pieces.n_variants
    has_input = n_input > 0
    seq[first_input[has_input]] -= pieces.n_variants
    seq[first_output] -= pieces.n_variants
    seq[row_start] = pieces.glue[0]
    seq[mid_input] = pieces.glue[1]
    seq[mid_output] = pieces.glue[2]
    seq[end] = pieces.glue[3]

    # Gather: byte i of the output comes from blob[start[piece] + (i - offset of piece)].
    lens = pieces.lengths[seq]
    ends = np.cumsum(lens)
    nbytes = int(ends[-1])
    idx = np.arange(nbytes, dtype=np.int64)
    idx += np.repeat(pieces.starts[seq] - (ends - lens), lens)
    out = pieces.blob[idx].tobytes()
    row_end = ends[end]
    return out, row_end


def make(mb: float, seed: int, out: Path) -> tuple[int, int]:
    """Write rows until the file reaches `mb` MiB (cut at a row boundary); return (rows, bytes)."""
    target = int(mb * 1024 * 1024)
    rng = np.random.default_rng(seed)
    pieces = Pieces(vocabulary(rng))
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(out.suffix + ".tmp")
    written = rows = 0
    with open(tmp, "wb") as f:
        while written < target:
            data, row_end = chunk_bytes(rng, pieces, ROWS_PER_CHUNK)
            if written + len(data) > target:
                keep = int(np.searchsorted(row_end, target - written, side="left")) + 1
                keep = min(keep, len(row_end))
                data = data[: int(row_end[keep - 1])]
                rows += keep
            else:
                rows += len(row_end)
            f.write(data)
            written += len(data)
    tmp.replace(out)
    return rows, written


def default_path(mb: float, seed: int) -> Path:
    tag = f"{mb:g}".replace(".", "_")
    return DATA_DIR / f"alpaca_{tag}mb_seed{seed}.jsonl"


def ensure(mb: float, seed: int = 0) -> Path:
    """The benchmark file for (mb, seed), generated if it is not there yet."""
    path = default_path(mb, seed)
    if not path.exists():
        make(mb, seed, path)
    return path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mb", type=float, default=1024, help="target size in MiB (default 1024)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=None, help="default: benchmarks/data/alpaca_<mb>mb_seed<seed>.jsonl")
    ap.add_argument("--sha256", action="store_true", help="print the file's sha256 (determinism check)")
    args = ap.parse_args(argv)
    out = args.out or default_path(args.mb, args.seed)
    t0 = time.perf_counter()
    rows, nbytes = make(args.mb, args.seed, out)
    dt = time.perf_counter() - t0
    print(f"{out}: {rows:,} rows, {nbytes / 2**20:.1f} MiB in {dt:.1f} s")
    if args.sha256:
        h = hashlib.sha256()
        with open(out, "rb") as f:
            for block in iter(lambda: f.read(1 << 24), b""):
                h.update(block)
        print(h.hexdigest())
    return 0


if __name__ == "__main__":
    sys.exit(main())
