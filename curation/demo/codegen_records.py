"""Record-processing exercises over small business-like domains (orders, songs, sensors ...).

The domain's nouns name the function, its parameter, the loop variable and the fields,
so two exercises of the same shape over different domains read (and shingle) differently,
as real instruction data does.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class Domain:
    single: str  # "order"
    plural: str  # "orders"
    key: str  # the grouping field
    value: str  # the numeric field
    key_values: tuple[str, ...]
    low: int
    high: int


DOMAINS: tuple[Domain, ...] = (
    Domain("order", "orders", "customer", "amount", ("ana", "ben", "chloe", "dev"), 5, 250),
    Domain("employee", "employees", "department", "salary", ("sales", "support", "research", "legal"),
           30, 140),
    Domain("song", "songs", "artist", "duration", ("nova", "the lanterns", "kid orbit", "maple and moss"),
           120, 420),
    Domain("expense", "expenses", "category", "cost", ("food", "travel", "rent", "books"), 3, 400),
    Domain("reading", "readings", "sensor", "temperature", ("s1", "s2", "attic", "kitchen"), -5, 35),
    Domain("book", "books", "author", "pages", ("okafor", "lindqvist", "moreau", "tanaka"), 80, 900),
    Domain("trip", "trips", "driver", "distance", ("ivan", "lucia", "sam", "yara"), 2, 300),
    Domain("sale", "sales", "region", "revenue", ("north", "south", "east", "west"), 100, 9000),
    Domain("match", "matches", "team", "points", ("falcons", "otters", "comets", "rovers"), 0, 5),
    Domain("parcel", "parcels", "destination", "weight", ("lyon", "oslo", "porto", "quito"), 1, 40),
    Domain("ticket", "tickets", "assignee", "hours", ("kim", "raj", "ola", "tess"), 1, 16),
    Domain("workout", "workouts", "activity", "minutes", ("run", "swim", "cycle", "yoga"), 10, 90),
    Domain("invoice", "invoices", "client", "total", ("acme", "globex", "initech", "umbra"), 50, 5000),
    Domain("shipment", "shipments", "carrier", "days", ("dhl", "ups", "fedex", "postal"), 1, 14),
    Domain("review", "reviews", "product", "stars", ("kettle", "lamp", "router", "chair"), 1, 5),
)


@dataclass(frozen=True)
class RecordTask:
    family: str
    fn: str
    ask: str
    code: str
    inputs: tuple[tuple, ...]
    explain: str


def sample_records(d: Domain, rng: random.Random, n: int) -> list[dict]:
    ids = rng.sample(range(1, 100), n)
    return [{"id": f"{d.single[0]}{i}", d.key: rng.choice(d.key_values), d.value: rng.randint(d.low, d.high)}
            for i in ids]


def _example(d: Domain, rng: random.Random) -> str:
    return json.dumps(sample_records(d, rng, 2))


def group_agg(d: Domain, rng: random.Random) -> RecordTask:
    agg = rng.choice(["sum", "count", "max", "min", "mean"])
    s, pl, k, v = d.single, d.plural, d.key, d.value
    what = {"sum": f"total {v}", "count": f"number of {pl}", "max": f"largest {v}", "min": f"smallest {v}",
            "mean": f"average {v} (rounded to 2 decimals)"}[agg]
    fn = rng.choice({
        "sum": [f"total_{v}_by_{k}", f"sum_{v}_per_{k}"],
        "count": [f"count_{pl}_by_{k}", f"{pl}_per_{k}"],
        "max": [f"max_{v}_by_{k}", f"largest_{v}_per_{k}"],
        "min": [f"min_{v}_by_{k}", f"smallest_{v}_per_{k}"],
        "mean": [f"average_{v}_by_{k}", f"mean_{v}_per_{k}"],
    }[agg])
    body = {
        "sum": f"    totals = {{}}\n    for {s} in {pl}:\n"
               f"        totals[{s}[\"{k}\"]] = totals.get({s}[\"{k}\"], 0) + {s}[\"{v}\"]\n"
               "    return totals\n",
        "count": f"    counts = {{}}\n    for {s} in {pl}:\n"
                 f"        counts[{s}[\"{k}\"]] = counts.get({s}[\"{k}\"], 0) + 1\n    return counts\n",
        "max": f"    best = {{}}\n    for {s} in {pl}:\n        key = {s}[\"{k}\"]\n"
               f"        if key not in best or {s}[\"{v}\"] > best[key]:\n"
               f"            best[key] = {s}[\"{v}\"]\n    return best\n",
        "min": f"    lowest = {{}}\n    for {s} in {pl}:\n        key = {s}[\"{k}\"]\n"
               f"        if key not in lowest or {s}[\"{v}\"] < lowest[key]:\n"
               f"            lowest[key] = {s}[\"{v}\"]\n    return lowest\n",
        "mean": f"    sums, counts = {{}}, {{}}\n    for {s} in {pl}:\n        key = {s}[\"{k}\"]\n"
                f"        sums[key] = sums.get(key, 0) + {s}[\"{v}\"]\n"
                "        counts[key] = counts.get(key, 0) + 1\n"
                f"    return {{key: round(sums[key] / counts[key], 2) for key in sums}}\n",
    }[agg]
    if agg == "sum" and rng.random() < 0.5:
        body = (f"    totals = defaultdict(int)\n    for {s} in {pl}:\n"
                f"        totals[{s}[\"{k}\"]] += {s}[\"{v}\"]\n    return dict(totals)\n")
        head = "from collections import defaultdict\n\n\n"
    else:
        head = ""
    code = f"{head}def {fn}({pl}):\n{body}"
    ask = rng.choice([
        f"Write a Python function `{fn}({pl})` that takes a list of {s} dictionaries, each with a \"{k}\" "
        f"and a \"{v}\" field, and returns a dictionary mapping every {k} to the {what} of its {pl}.",
        f"I have a list of {pl} like `{_example(d, rng)}`. How do I get the {what} for each {k} in Python? "
        f"Please wrap it in a function called `{fn}`.",
        f"Implement `{fn}`: given {pl} as dicts with keys \"{k}\" and \"{v}\", compute the {what} per {k} "
        "and return it as a dict. An empty list gives an empty dict.",
    ])
    explain = (f"One pass over the {pl} keeps a running {agg if agg != 'mean' else 'sum and count'} per {k} "
               f"in a dictionary, so the function is O(n) in the number of {pl}.")
    inputs = ((sample_records(d, rng, 6),), ([],), (sample_records(d, rng, 1),))
    return RecordTask(f"records_{agg}", fn, ask, code, inputs, explain)


def filter_ids(d: Domain, rng: random.Random) -> RecordTask:
    s, pl, v = d.single, d.plural, d.value
    op, word = rng.choice([(">", "greater than"), (">=", "at least"), ("<", "less than")])
    limit = rng.randint(d.low, d.high)
    fn = rng.choice([f"{pl}_{'over' if '>' in op else 'under'}_limit", f"select_{pl}", f"filter_{pl}_by_{v}"])
    code = (f"def {fn}({pl}, limit={limit}):\n    return [{s}[\"id\"] for {s} in {pl} if {s}[\"{v}\"] {op} "
            "limit]\n")
    if rng.random() < 0.5:
        code = (f"def {fn}({pl}, limit={limit}):\n    selected = []\n    for {s} in {pl}:\n"
                f"        if {s}[\"{v}\"] {op} limit:\n            selected.append({s}[\"id\"])\n"
                "    return selected\n")
    ask = rng.choice([
        f"Write `{fn}({pl}, limit={limit})` in Python. Each {s} is a dict with \"id\" and \"{v}\"; return "
        f"the ids of the {pl} whose {v} is {word} `limit`, in their original order.",
        f"From a list of {s} records, keep only those with {v} {word} a threshold (default {limit}) and "
        f"return their ids. Name the function `{fn}`.",
    ])
    explain = f"A single comparison per {s} decides whether its id is kept; the input order is preserved."
    recs = sample_records(d, rng, 7)
    return RecordTask("records_filter", fn, ask, code, ((recs,), (recs, d.low), ([],)), explain)


def top_k(d: Domain, rng: random.Random) -> RecordTask:
    s, pl, v = d.single, d.plural, d.value
    fn = rng.choice([f"top_{pl}", f"highest_{v}_{pl}", f"best_{pl}_by_{v}"])
    code = (f"def {fn}({pl}, k):\n    ranked = sorted({pl}, key=lambda {s}: (-{s}[\"{v}\"], {s}[\"id\"]))\n"
            f"    return [{s}[\"id\"] for {s} in ranked[:k]]\n")
    if rng.random() < 0.5:
        code = (f"import heapq\n\n\ndef {fn}({pl}, k):\n"
                f"    best = heapq.nsmallest(k, {pl}, key=lambda {s}: (-{s}[\"{v}\"], {s}[\"id\"]))\n"
                f"    return [{s}[\"id\"] for {s} in best]\n")
    ask = rng.choice([
        f"Write a Python function `{fn}({pl}, k)` that returns the ids of the k {pl} with the highest {v}. "
        "Break ties by id in ascending order.",
        f"Given {pl} as a list of dicts with \"id\" and \"{v}\", how can I get the ids of the top k by {v} "
        f"(ties sorted by id)? Call it `{fn}`.",
    ])
    explain = (f"Ranking by negative {v} and then id gives a deterministic order; the first k ids are "
               "returned.")
    recs = sample_records(d, rng, 7)
    return RecordTask("records_top_k", fn, ask, code, ((recs, 3), (recs, 0), ([], 2)), explain)


def group_ids(d: Domain, rng: random.Random) -> RecordTask:
    s, pl, k = d.single, d.plural, d.key
    fn = rng.choice([f"group_{pl}_by_{k}", f"{pl}_by_{k}", f"index_{pl}"])
    code = (f"def {fn}({pl}):\n    groups = {{}}\n    for {s} in {pl}:\n"
            f"        groups.setdefault({s}[\"{k}\"], []).append({s}[\"id\"])\n    return groups\n")
    ask = rng.choice([
        f"Write `{fn}({pl})`: return a dict mapping each {k} to the list of ids of its {pl}, in input order.",
        f"In Python, group a list of {s} dicts by their \"{k}\" field, collecting the \"id\" values. "
        f"Function name: `{fn}`.",
    ])
    explain = (f"dict.setdefault creates the list for a new {k} and appends to it afterwards, keeping input "
               "order.")
    return RecordTask("records_group", fn, ask, code, ((sample_records(d, rng, 6),), ([],)), explain)


def share(d: Domain, rng: random.Random) -> RecordTask:
    s, pl, k, v = d.single, d.plural, d.key, d.value
    fn = rng.choice([f"{v}_share_by_{k}", f"percent_{v}_per_{k}"])
    code = (f"def {fn}({pl}):\n    total = sum({s}[\"{v}\"] for {s} in {pl})\n    if total == 0:\n"
            f"        return {{}}\n    shares = {{}}\n    for {s} in {pl}:\n"
            f"        shares[{s}[\"{k}\"]] = shares.get({s}[\"{k}\"], 0) + {s}[\"{v}\"]\n"
            f"    return {{key: round(100 * amount / total, 1) for key, amount in shares.items()}}\n")
    ask = (f"Write a Python function `{fn}({pl})` that returns, for each {k}, its percentage of the total "
           f"{v} across all {pl}, rounded to one decimal. Return an empty dict when the total is zero.")
    explain = f"The total is computed once; each {k}'s sum divided by it gives the share."
    recs = [r | {v: abs(r[v])} for r in sample_records(d, rng, 6)]
    return RecordTask("records_share", fn, ask, code, ((recs,), ([],)), explain)


def stats(d: Domain, rng: random.Random) -> RecordTask:
    s, pl, v = d.single, d.plural, d.value
    fn = rng.choice([f"{v}_stats", f"summarize_{pl}", f"describe_{v}"])
    code = (f"def {fn}({pl}):\n    values = [{s}[\"{v}\"] for {s} in {pl} if {s}.get(\"{v}\") is not None]\n"
            "    if not values:\n        return None\n"
            f"    return {{\"min\": min(values), \"max\": max(values), \"mean\": round(sum(values) / "
            f"len(values), 2)}}\n")
    ask = rng.choice([
        f"Write `{fn}({pl})` that returns a dict with the min, max and mean (2 decimals) of the \"{v}\" "
        f"field, skipping {pl} where it is missing or None. Return None if no value remains.",
        f"Summarise the {v} of a list of {s} dicts in Python: min, max and mean, ignoring missing values. "
        f"Name it `{fn}`.",
    ])
    explain = f"Missing {v} values are filtered out first so they cannot distort the statistics."
    recs = sample_records(d, rng, 5)
    holes = [*recs, {"id": "x1", d.key: d.key_values[0], d.value: None}]
    return RecordTask("records_stats", fn, ask, code, ((recs,), (holes,), ([],)), explain)


RECORD_FAMILIES = (group_agg, group_agg, filter_ids, top_k, group_ids, share, stats)


def record_task(rng: random.Random) -> RecordTask:
    return rng.choice(RECORD_FAMILIES)(rng.choice(DOMAINS), rng)
