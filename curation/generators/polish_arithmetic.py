"""Simple arithmetic word problems with short, exact answers (the Wind-Edge polish: "60 miles in
1.5 hours" -> 40 mph).

Every task draws its numbers so the answer is an exact, short decimal, computes it with
`Fraction`, and writes it through polish_format (which refuses anything inexact). An answer is
one or two sentences: the equation(s) that give the result, then the result in bold -- no
"Step 1:" scaffolds, the generic pattern the Wind-Edge report blames for its collapse.

Each task keeps its numbers in one fixed order in every phrasing of its question (distance
before time, count before price, ...), so polish_verify can read them back from the text and
recompute the answer on its own. A task's name is `arithmetic/<task>` in the row's meta.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from fractions import Fraction

from curation.generators.polish_format import decimal_text as num
from curation.generators.polish_format import money_text as money
from curation.generators.polish_format import percent_text as pct

# (noun, unit of distance, unit of speed, speed range): speeds are whole numbers in their unit.
MOVERS: tuple[tuple[str, str, str, tuple[int, int]], ...] = (
    ("A car", "miles", "mph", (25, 75)),
    ("A train", "miles", "mph", (40, 120)),
    ("A bus", "miles", "mph", (20, 60)),
    ("A truck", "miles", "mph", (30, 70)),
    ("A cyclist", "miles", "mph", (8, 20)),
    ("A runner", "kilometers", "km/h", (6, 15)),
    ("A car", "kilometers", "km/h", (40, 120)),
    ("A ferry", "kilometers", "km/h", (15, 40)),
    ("A delivery van", "kilometers", "km/h", (30, 90)),
    ("A horse", "kilometers", "km/h", (10, 30)),
)
# Trip times in hours: every one has a short exact decimal.
HOURS = ("0.5", "0.75", "1.25", "1.5", "2", "2.5", "3", "3.5", "4", "4.5", "5", "6")

# (singular, plural, unit price range in cents)
ITEMS: tuple[tuple[str, str, tuple[int, int]], ...] = (
    ("pen", "pens", (40, 300)),
    ("notebook", "notebooks", (120, 600)),
    ("apple", "apples", (25, 120)),
    ("ticket", "tickets", (500, 4500)),
    ("muffin", "muffins", (150, 450)),
    ("bottle of water", "bottles of water", (50, 250)),
    ("pencil", "pencils", (15, 150)),
    ("candle", "candles", (200, 1200)),
    ("T-shirt", "T-shirts", (600, 2500)),
    ("sandwich", "sandwiches", (350, 900)),
    ("light bulb", "light bulbs", (100, 800)),
    ("pack of gum", "packs of gum", (75, 300)),
    ("plant pot", "plant pots", (250, 1500)),
    ("cupcake", "cupcakes", (125, 400)),
    ("postcard", "postcards", (30, 200)),
)
GOODS = (
    "jacket",
    "pair of shoes",
    "backpack",
    "lamp",
    "watch",
    "board game",
    "coat",
    "headset",
    "chair",
    "blender",
)
PEOPLE = ("Maya", "Tom", "Priya", "Leo", "Amara", "Sam", "Yusuf", "Ines", "Kofi", "Hana", "Ben", "Lucia")
SCORED = ("test scores", "quiz scores", "exam marks", "game scores", "bowling scores")
PERCENTS = (5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 60, 70, 75, 80, 90)

Task = Callable[[random.Random], tuple[str, str]]


def _counted(x: Fraction, unit: str) -> str:
    """'1 hour', '1.5 hours': the unit is singular only for exactly one."""
    return f"{num(x)} {unit}" if x == 1 else f"{num(x)} {unit}s"


def _hours(h: Fraction) -> str:
    return _counted(h, "hour")


def _mover(rng: random.Random) -> tuple[str, str, str, Fraction, Fraction]:
    noun, dist, speed_unit, (lo, hi) = rng.choice(MOVERS)
    return noun, dist, speed_unit, Fraction(rng.randint(lo, hi)), Fraction(rng.choice(HOURS))


def speed(rng: random.Random) -> tuple[str, str]:
    noun, dist, unit, s, t = _mover(rng)
    d = s * t
    q = rng.choice(
        (
            "{noun} travels {d} {dist} in {t}. What is its average speed?",
            "{d} {dist} in {t}. How fast is that?",
            "If {noun_l} covers {d} {dist} in {t}, what is its average speed?",
            "{noun} goes {d} {dist} in {t}. What's the speed in {unit}?",
            "How fast is {noun_l} going if it travels {d} {dist} in {t}?",
        )
    )
    a = rng.choice(
        (
            "{d} ÷ {tn} = {s}, so the average speed is **{s} {unit}**.",
            "Speed = distance ÷ time = {d} ÷ {tn} = {s}. That is **{s} {unit}**.",
            "**{s} {unit}**, because {d} ÷ {tn} = {s}.",
        )
    )
    f = dict(noun=noun, noun_l=noun.lower(), d=num(d), dist=dist, t=_hours(t), tn=num(t), s=num(s), unit=unit)
    return q.format(**f), a.format(**f)


def travel_time(rng: random.Random) -> tuple[str, str]:
    noun, dist, unit, s, t = _mover(rng)
    d = s * t
    q = rng.choice(
        (
            "How long does it take to travel {d} {dist} at {s} {unit}?",
            "{noun} has to cover {d} {dist} at {s} {unit}. How many hours will it take?",
            "If {noun_l} travels {d} {dist} at a steady {s} {unit}, how long does the trip take?",
        )
    )
    a = rng.choice(
        (
            "{d} ÷ {s} = {tn}, so it takes **{t}**.",
            "Time = distance ÷ speed = {d} ÷ {s} = {tn}. It takes **{t}**.",
        )
    )
    f = dict(noun=noun, noun_l=noun.lower(), d=num(d), dist=dist, s=num(s), unit=unit, t=_hours(t), tn=num(t))
    return q.format(**f), a.format(**f)


def distance(rng: random.Random) -> tuple[str, str]:
    noun, dist, unit, s, t = _mover(rng)
    d = s * t
    q = rng.choice(
        (
            "{noun} moves at {s} {unit} for {t}. How far does it go?",
            "If you travel at {s} {unit} for {t}, how many {dist} do you cover?",
            "How far does {noun_l} get at {s} {unit} in {t}?",
        )
    )
    a = rng.choice(
        (
            "{s} × {tn} = {d}, so it covers **{d} {dist}**.",
            "Distance = speed × time = {s} × {tn} = {d}. That is **{d} {dist}**.",
        )
    )
    f = dict(noun=noun, noun_l=noun.lower(), d=num(d), dist=dist, s=num(s), unit=unit, t=_hours(t), tn=num(t))
    return q.format(**f), a.format(**f)


def _item(rng: random.Random) -> tuple[str, str, Fraction]:
    one, many, (lo, hi) = rng.choice(ITEMS)
    return one, many, Fraction(rng.randint(lo, hi), 100)


def unit_price(rng: random.Random) -> tuple[str, str]:
    one, many, u = _item(rng)
    n = rng.randint(2, 12)
    p = u * n
    q = rng.choice(
        (
            "{n} {many} cost {p}. How much does one {one} cost?",
            "If {n} {many} cost {p} in total, what is the price of one {one}?",
            "I bought {n} {many} for {p}. What did each {one} cost?",
        )
    )
    a = rng.choice(
        (
            "{p} ÷ {n} = {u}, so one {one} costs **{u}**.",
            "Each {one} costs **{u}** ({p} ÷ {n} = {u}).",
        )
    )
    f = dict(n=n, many=many, one=one, p=money(p), u=money(u))
    return q.format(**f), a.format(**f)


def scaled_price(rng: random.Random) -> tuple[str, str]:
    one, many, u = _item(rng)
    n, m = rng.sample(range(2, 13), 2)
    q = rng.choice(
        (
            "If {n} {many} cost {p}, how much do {m} {many} cost?",
            "{n} {many} cost {p}. What would {m} {many} cost?",
        )
    )
    a = rng.choice(
        (
            "One {one} costs {p} ÷ {n} = {u}, so {m} cost {u} × {m} = **{t}**.",
            "{p} ÷ {n} = {u} each, and {u} × {m} = {t}. {m} {many} cost **{t}**.",
        )
    )
    f = dict(n=n, m=m, many=many, one=one, p=money(u * n), u=money(u), t=money(u * m))
    return q.format(**f), a.format(**f)


def total_cost(rng: random.Random) -> tuple[str, str]:
    one, many, u = _item(rng)
    n = rng.randint(2, 15)
    q = rng.choice(
        (
            "You buy {n} {many} at {u} each. What is the total?",
            "How much do {n} {many} cost if one {one} costs {u}?",
            "{who} buys {n} {many} for {u} each. How much does {who} spend?",
        )
    )
    a = rng.choice(("{n} × {u} = **{t}**.", "The total is {n} × {u} = **{t}**."))
    f = dict(n=n, many=many, one=one, u=money(u), t=money(u * n), who=rng.choice(PEOPLE))
    return q.format(**f), a.format(**f)


def change(rng: random.Random) -> tuple[str, str]:
    bill = rng.choice((5, 10, 20, 50, 100))
    # From a fifth of the bill up to a cent under it.
    price = Fraction(rng.randint(bill * 20, bill * 100 - 1), 100)
    good = rng.choice(GOODS)
    q = rng.choice(
        (
            "A {good} costs {price}. If I pay with a {bill} bill, how much change do I get?",
            "You buy a {good} for {price} and hand over {bill}. What is your change?",
        )
    )
    a = rng.choice(("{bill} - {price} = **{c}** in change.", "Your change is {bill} - {price} = **{c}**."))
    f = dict(good=good, price=money(price), bill=f"${bill}", c=money(bill - price))
    return q.format(**f), a.format(**f)


def percent_of(rng: random.Random) -> tuple[str, str]:
    p = rng.choice(PERCENTS)
    x = rng.randint(2, 100) * rng.choice((1, 2, 4, 5, 10))
    r = Fraction(p * x, 100)
    q = rng.choice(
        ("What is {p}% of {x}?", "Find {p}% of {x}.", "Calculate {p} percent of {x}.", "what's {p}% of {x}")
    )
    a = rng.choice(
        (
            "{x} × {rate} = {r}, so {p}% of {x} is **{r}**.",
            "**{r}**, since {p}% is {rate} and {rate} × {x} = {r}.",
        )
    )
    f = dict(p=p, x=x, r=num(r), rate=num(Fraction(p, 100)))
    return q.format(**f), a.format(**f)


def discount(rng: random.Random) -> tuple[str, str]:
    p = rng.choice(PERCENTS[:-1])
    x = Fraction(rng.randint(4, 80) * 5)
    cut = x * p / 100
    q = rng.choice(
        (
            "A {good} costs {x}. It is {p}% off. What is the sale price?",
            "The price of a {good} is {x}, and there is a {p}% discount. How much do I pay?",
            "What does a {x} {good} cost after a {p}% discount?",
        )
    )
    a = rng.choice(
        (
            "The discount is {x} × {rate} = {cut}, so the sale price is {x} - {cut} = **{s}**.",
            "{p}% of {x} is {cut}. {x} - {cut} = **{s}**.",
        )
    )
    f = dict(
        good=rng.choice(GOODS), x=money(x), p=p, rate=num(Fraction(p, 100)), cut=money(cut), s=money(x - cut)
    )
    return q.format(**f), a.format(**f)


def percent_ratio(rng: random.Random) -> tuple[str, str]:
    b = rng.choice((8, 16, 20, 25, 40, 50, 80, 125, 200, 250, 400, 500))
    a_ = rng.randint(1, b - 1)
    ratio = Fraction(a_, b)
    q = rng.choice(
        (
            "{a} is what percent of {b}?",
            "{a} out of {b} students passed a test. What percentage passed?",
            "A team won {a} of its {b} games. What percent of its games did it win?",
        )
    )
    ans = rng.choice(
        (
            "{a} ÷ {b} = {ratio}, and {ratio} × 100 = {pn}, so it is **{p}**.",
            "**{p}**: {a} ÷ {b} = {ratio}, which is {p}.",
        )
    )
    f = dict(a=a_, b=b, ratio=num(ratio), pn=num(ratio * 100), p=pct(ratio * 100))
    return q.format(**f), ans.format(**f)


def percent_change(rng: random.Random) -> tuple[str, str]:
    old = Fraction(rng.randint(2, 60) * 5)
    p = rng.choice(PERCENTS[:-2])
    up = rng.random() < 0.6
    new = old * (100 + p) / 100 if up else old * (100 - p) / 100
    diff = abs(new - old)
    kind = "increase" if up else "decrease"
    q = rng.choice(
        (
            "A price went from {old} to {new}. What is the percent {kind}?",
            "The cost of a {good} changed from {old} to {new}. By what percent did it {verb}?",
        )
    )
    a = rng.choice(
        (
            "The change is {diff}, and {diff} ÷ {old} = {rate}, so the price {moved} by **{p}**.",
            "{diff} ÷ {old} = {rate}, which is a **{p}** {kind}.",
        )
    )
    f = dict(
        old=money(old),
        new=money(new),
        diff=money(diff),
        rate=num(diff / old),
        p=pct(p),
        kind=kind,
        verb="rise" if up else "fall",
        moved="rose" if up else "fell",
        good=rng.choice(GOODS),
    )
    return q.format(**f), a.format(**f)


def _plus(xs: list[int]) -> str:
    return " + ".join(str(x) for x in xs)


def _listed(xs: list[int]) -> str:
    return ", ".join(str(x) for x in xs[:-1]) + f" and {xs[-1]}"


def total(rng: random.Random) -> tuple[str, str]:
    xs = [rng.randint(3, 250) for _ in range(rng.randint(2, 5))]
    who = rng.choice(PEOPLE)
    q = rng.choice(
        (
            "What is {plus}?",
            "Add {listed}.",
            "What is the sum of {listed}?",
            "{who} read {listed} pages on different days. How many pages is that in total?",
        )
    )
    a = rng.choice(("{plus} = **{s}**.", "The total is {plus} = **{s}**."))
    f = dict(plus=_plus(xs), listed=_listed(xs), who=who, s=sum(xs))
    return q.format(**f), a.format(**f)


def average(rng: random.Random) -> tuple[str, str]:
    k = rng.randint(2, 6)
    xs = [rng.randint(40, 100) for _ in range(k)]
    if k in (3, 6):  # a mean over 3 or 6 numbers terminates only when 3 divides the sum
        xs[-1] -= sum(xs) % 3
    q = rng.choice(
        (
            "What is the average of {listed}?",
            "Find the mean of {listed}.",
            "My {scored} are {listed}. What is my average?",
        )
    )
    a = rng.choice(
        (
            "The sum is {plus} = {s}, and {s} ÷ {k} = {m}, so the average is **{m}**.",
            "{plus} = {s}, and {s} ÷ {k} = **{m}**.",
        )
    )
    f = dict(
        listed=_listed(xs),
        plus=_plus(xs),
        s=sum(xs),
        k=k,
        m=num(Fraction(sum(xs), k)),
        scored=rng.choice(SCORED),
    )
    return q.format(**f), a.format(**f)


def hours_to_minutes(rng: random.Random) -> tuple[str, str]:
    h = Fraction(rng.randint(1, 96), 4)
    q = rng.choice(
        (
            "How many minutes are in {h}?",
            "Convert {h} to minutes.",
            "{h} is how many minutes?",
            "{h} in minutes?",
        )
    )
    a = rng.choice(("{hn} × 60 = **{m} minutes**.", "**{m} minutes**, since {hn} × 60 = {m}."))
    f = dict(h=_hours(h), hn=num(h), m=num(h * 60))
    return q.format(**f), a.format(**f)


def minutes_to_hours(rng: random.Random) -> tuple[str, str]:
    m = rng.randint(1, 96) * 15
    q = rng.choice(
        (
            "How many hours is {m} minutes?",
            "Convert {m} minutes to hours.",
            "{m} minutes is how many hours?",
            "{m} minutes in hours?",
        )
    )
    a = rng.choice(("{m} ÷ 60 = **{h}**.", "**{h}**, since {m} ÷ 60 = {hn}."))
    f = dict(m=m, hn=num(Fraction(m, 60)), h=_hours(Fraction(m, 60)))
    return q.format(**f), a.format(**f)


def days_to_hours(rng: random.Random) -> tuple[str, str]:
    d = Fraction(rng.randint(1, 120), 2)
    q = rng.choice(("How many hours are in {d}?", "Convert {d} to hours.", "{d} is how many hours?"))
    a = rng.choice(("{dn} × 24 = **{h} hours**.", "**{h} hours**, since {dn} × 24 = {h}."))
    f = dict(d=_counted(d, "day"), dn=num(d), h=num(d * 24))
    return q.format(**f), a.format(**f)


def minutes_to_seconds(rng: random.Random) -> tuple[str, str]:
    m = Fraction(rng.randint(1, 120), 4)
    q = rng.choice(("How many seconds are in {m}?", "Convert {m} to seconds.", "{m} in seconds?"))
    a = rng.choice(("{mn} × 60 = **{s} seconds**.", "**{s} seconds**, since {mn} × 60 = {s}."))
    f = dict(m=_counted(m, "minute"), mn=num(m), s=num(m * 60))
    return q.format(**f), a.format(**f)


TASKS: dict[str, Task] = {
    "speed": speed,
    "travel_time": travel_time,
    "distance": distance,
    "unit_price": unit_price,
    "scaled_price": scaled_price,
    "total_cost": total_cost,
    "change": change,
    "percent_of": percent_of,
    "discount": discount,
    "percent_ratio": percent_ratio,
    "percent_change": percent_change,
    "total": total,
    "average": average,
    "hours_to_minutes": hours_to_minutes,
    "minutes_to_hours": minutes_to_hours,
    "days_to_hours": days_to_hours,
    "minutes_to_seconds": minutes_to_seconds,
}


def draw(rng: random.Random) -> tuple[list[dict], str]:
    """One arithmetic problem: ([user, assistant] messages, task name)."""
    task = rng.choice(sorted(TASKS))
    question, answer = TASKS[task](rng)
    return [
        {"role": "user", "content": question},
        {"role": "assistant", "content": answer},
    ], f"arithmetic/{task}"
