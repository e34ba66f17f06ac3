"""Math word problems with worked solutions and correct answers.

Each family draws its numbers so the answer is exact, writes the reasoning as steps, and
writes Python that prints the answer (the OpenMathInstruct-1 `<llm-code>` style). Grade
school families are tagged `gsm8k`, competition-style ones `math`, as OpenMathInstruct
tags the benchmark a problem resembles.
"""

from __future__ import annotations

import contextlib
import io
import math
import random
import re
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

from curation.demo.pools import ITEMS, POSSESSIVE, VEHICLES, cap, dollars, money, name, two_names

Number = int | float | Fraction | str


@dataclass(frozen=True)
class Problem:
    question: str
    steps: tuple[str, ...]  # the reasoning, one sentence or equation per step
    answer: Number
    code: str  # Python that prints the answer
    source: str  # "gsm8k" or "math": the benchmark the problem resembles
    topic: str


def answer_text(x: Number) -> str:
    """The answer as OpenMathInstruct writes expected_answer: '15', '12.5', '3/8'."""
    if isinstance(x, Fraction):
        return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"
    if isinstance(x, float):
        return f"{x:.2f}".rstrip("0").rstrip(".")
    return str(x)


def answer_latex(x: Number) -> str:
    if isinstance(x, Fraction) and x.denominator != 1:
        sign = "-" if x < 0 else ""
        return f"{sign}\\frac{{{abs(x.numerator)}}}{{{x.denominator}}}"
    return answer_text(x)


def run_code(code: str) -> str:
    """What the solution's code prints (its last line), as the <llm-code-output> block shows."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(code, {"__name__": "__demo__"})  # noqa: S102 - our own generated code
    return out.getvalue().strip()


# --- grade-school families ------------------------------------------------------------


def shopping(rng: random.Random) -> Problem:
    (n, p) = name(rng)
    (s1, p1, c1s), (s2, p2, c2s) = rng.sample(ITEMS, 2)
    a, b = rng.randint(2, 9), rng.randint(2, 7)
    c1, c2 = rng.choice(c1s), rng.choice(c2s)
    t1, t2 = a * c1, b * c2
    total = t1 + t2
    steps = [
        f"The {p1} cost {a} x {money(c1)} = {money(t1)}.",
        f"The {p2} cost {b} x {money(c2)} = {money(t2)}.",
        f"Together that is {money(t1)} + {money(t2)} = {money(total)}.",
    ]
    code = (f"{_ident(p1)} = {a} * {dollars(c1)}\n{_ident(p2)} = {b} * {dollars(c2)}\n"
            f"total = {_ident(p1)} + {_ident(p2)}\n")
    if rng.random() < 0.4:
        bill = next(x for x in (2000, 5000, 10000, 20000, 50000) if x > total)
        q = (f"{n} buys {a} {p1} for {money(c1)} each and {b} {p2} for {money(c2)} each. "
             f"{cap(p)} pays with a {money(bill)} bill. How much change does {p} get, in dollars?")
        steps.append(f"The change is {money(bill)} - {money(total)} = {money(bill - total)}.")
        code += f"change = {dollars(bill)} - total\nprint(round(change, 2))"
        ans = dollars(bill - total)
    else:
        q = rng.choice([
            f"{n} buys {a} {p1} at {money(c1)} each and {b} {p2} at {money(c2)} each. "
            f"How much does {p} spend in total, in dollars?",
            f"At a shop, one {s1} costs {money(c1)} and one {s2} costs {money(c2)}. "
            f"If {n} gets {a} {p1} and {b} {p2}, what is the total cost in dollars?",
        ])
        code += "print(round(total, 2))"
        ans = dollars(total)
    return Problem(q, tuple(steps), ans, code, "gsm8k", "shopping")


def speed(rng: random.Random) -> Problem:
    v = rng.choice(VEHICLES)
    mph = rng.randrange(*_SPEEDS.get(v, (30, 91, 5)))
    hours = rng.choice([1.5, 2, 2.5, 3, 4, 5, 0.5])
    dist = mph * hours
    if dist != int(dist):
        hours = 2
        dist = mph * 2
    dist = int(dist)
    unit = rng.choice(["miles", "kilometers"])
    per = "miles per hour" if unit == "miles" else "kilometers per hour"
    way = rng.randrange(3)
    if way == 0:
        q = f"A {v} covers {dist} {unit} in {_num(hours)} hours. What is its average speed in {per}?"
        steps = ["Average speed is distance divided by time.", f"{dist} / {_num(hours)} = {mph} {per}."]
        code = f"distance = {dist}\ntime = {_num(hours)}\nspeed = distance / time\nprint(speed)"
        ans: Number = mph
    elif way == 1:
        q = f"A {v} moves at a steady {mph} {per}. How far does it go in {_num(hours)} hours, in {unit}?"
        steps = ["Distance is speed multiplied by time.", f"{mph} x {_num(hours)} = {dist} {unit}."]
        code = f"speed = {mph}\ntime = {_num(hours)}\nprint(speed * time)"
        ans = dist
    else:
        q = (f"How many hours does it take a {v} travelling at {mph} {per} to cover {dist} {unit}?")
        steps = ["Time is distance divided by speed.", f"{dist} / {mph} = {_num(hours)} hours."]
        code = f"distance = {dist}\nspeed = {mph}\nprint(distance / speed)"
        ans = hours if isinstance(hours, float) else int(hours)
    return Problem(q, tuple(steps), ans, code, "gsm8k", "rate")


def discount(rng: random.Random) -> Problem:
    (n, p) = name(rng)
    thing = rng.choice(["jacket", "bicycle", "desk chair", "pair of boots", "tent", "guitar", "lamp",
                        "backpack", "blender", "rug", "printer", "camera bag"])
    price = rng.choice([40, 60, 80, 120, 150, 200, 240, 250, 300, 360])
    pct = rng.choice([10, 15, 20, 25, 30, 40, 50])
    off = price * pct / 100
    final = price - off
    steps = [f"The discount is {pct}% of ${price} = ${_num(off)}.", f"The sale price is ${price} - "
                                                                    f"${_num(off)} = ${_num(final)}."]
    code = f"price = {price}\ndiscount = price * {pct} / 100\nsale_price = price - discount\n"
    if rng.random() < 0.4:
        coupon = rng.choice([5, 10, 15])
        q = (f"A {thing} costs ${price}. It is on sale for {pct}% off, and {n} also has a ${coupon} coupon "
             f"applied after the discount. How much does {p} pay in dollars?")
        steps.append(f"After the coupon {p} pays ${_num(final)} - ${coupon} = ${_num(final - coupon)}.")
        code += f"print(sale_price - {coupon})"
        final -= coupon
    else:
        q = rng.choice([
            f"A {thing} normally costs ${price}. During a sale it is {pct}% off. What is the sale price in "
            "dollars?",
            f"{n} wants a {thing} priced at ${price}. The store takes {pct}% off. How much will {p} pay?",
        ])
        code += "print(sale_price)"
    return Problem(q, tuple(steps), _tidy(final), code, "gsm8k", "percent")


def savings(rng: random.Random) -> Problem:
    (n, p) = name(rng)
    weekly = rng.choice([5, 8, 10, 12, 15, 20, 25])
    goal_item = rng.choice(["bike", "tablet", "concert ticket", "skateboard", "telescope", "keyboard",
                            "pair of headphones", "school trip", "tent", "sewing machine"])
    if rng.random() < 0.5:
        start = rng.choice([0, 10, 20, 30, 40])
        cost = start + weekly * rng.randint(4, 20) - rng.randint(0, weekly - 1)
        weeks = math.ceil((cost - start) / weekly)
        q = (f"{n} has ${start} saved and puts away ${weekly} every week. A {goal_item} costs ${cost}. "
             f"How many weeks will it take {n} to have enough money?")
        steps = [f"{n} still needs ${cost} - ${start} = ${cost - start}.",
                 f"{cost - start} / {weekly} = {_num((cost - start) / weekly)}, so {p} needs {weeks} full "
                 "weeks."]
        code = f"import math\nneeded = {cost} - {start}\nprint(math.ceil(needed / {weekly}))"
        ans: Number = weeks
    else:
        w = rng.randint(4, 16)
        spent = rng.randrange(10, weekly * w // 2 + 11, 5)
        q = (f"{n} saves ${weekly} each week for {w} weeks, then spends ${spent} on a {goal_item}. "
             f"How much money does {p} have left?")
        steps = [f"{n} saves {weekly} x {w} = ${weekly * w}.",
                 f"After buying the {goal_item}, {p} has ${weekly * w} - ${spent} = ${weekly * w - spent}."]
        code = f"saved = {weekly} * {w}\nleft = saved - {spent}\nprint(left)"
        ans = weekly * w - spent
    return Problem(q, tuple(steps), ans, code, "gsm8k", "savings")


def ratio(rng: random.Random) -> Problem:
    things = rng.choice([("red marbles", "blue marbles", "marbles in a jar"),
                         ("fiction books", "nonfiction books", "books on a shelf"),
                         ("boys", "girls", "students in a class"), ("cats", "dogs", "animals at the shelter"),
                         ("oak trees", "maple trees", "trees in the park"),
                         ("vanilla cupcakes", "chocolate cupcakes", "cupcakes on a tray"),
                         ("adult tickets", "child tickets", "tickets sold for a play")])
    a, b = rng.sample(range(1, 10), 2)
    g = math.gcd(a, b)
    a, b = a // g, b // g
    k = rng.randint(3, 15)
    total = (a + b) * k
    x, y, what = things
    q = rng.choice([
        f"In a group of {total} {what}, the ratio of {x} to {y} is {a}:{b}. How many {y} are there?",
        f"There are {total} {what}. If {x} and {y} are in the ratio {a} to {b}, how many {y} are there?",
    ])
    steps = [f"The ratio has {a} + {b} = {a + b} parts.", f"Each part is {total} / {a + b} = {k}.",
             f"The {y} make up {b} parts: {b} x {k} = {b * k}."]
    code = f"total = {total}\nparts = {a} + {b}\nprint(total // parts * {b})"
    return Problem(q, tuple(steps), b * k, code, "gsm8k", "ratio")


def fence(rng: random.Random) -> Problem:
    (n, _) = name(rng)
    length, width = rng.randint(6, 40), rng.randint(3, 25)
    if length == width:
        length += 1
    place = rng.choice(["vegetable garden", "dog run", "playground", "chicken pen", "patio", "flower bed",
                        "paddock"])
    if rng.random() < 0.5:
        cost = rng.choice([3, 4, 5, 6, 8, 12])
        per = 2 * (length + width)
        q = (f"{n} is fencing a rectangular {place} that is {length} meters long and {width} meters wide. "
             f"Fencing costs ${cost} per meter. How much will the fence cost?")
        steps = [f"The perimeter is 2 x ({length} + {width}) = {per} "
                 "meters.", f"The cost is {per} x ${cost} = ${per * cost}."]
        code = f"perimeter = 2 * ({length} + {width})\nprint(perimeter * {cost})"
        ans = per * cost
    else:
        tile = rng.choice([2, 4])
        area = length * width
        while area % tile:
            width += 1
            area = length * width
        q = (f"A rectangular {place} measures {length} m by {width} m. Each paving slab covers {tile} square "
             f"meters. How many slabs does {n} need to cover it?")
        steps = [f"The area is {length} x {width} = {area} square meters.",
                 f"{area} / {tile} = {area // tile} slabs."]
        code = f"area = {length} * {width}\nprint(area // {tile})"
        ans = area // tile
    return Problem(q, tuple(steps), ans, code, "gsm8k", "geometry")


def average_needed(rng: random.Random) -> Problem:
    (n, p) = name(rng)
    k = rng.randint(3, 5)
    for _ in range(50):
        scores = [rng.randint(62, 98) for _ in range(k)]
        target = rng.randint(75, 92)
        need = target * (k + 1) - sum(scores)
        if 50 <= need <= 100:
            break
    else:
        scores, target = [80] * k, 80
        need = 80
    subj = rng.choice(["math", "history", "biology", "spelling", "chemistry", "music theory", "geography"])
    shown = ", ".join(map(str, scores[:-1])) + f" and {scores[-1]}"
    q = (f"{n} scored {shown} on {POSSESSIVE[p]} first {k} {subj} quizzes. What score does {p} need on the "
         f"next quiz to average exactly {target}?")
    steps = [f"An average of {target} over {k + 1} quizzes needs {target} x {k + 1} = {target * (k + 1)} "
             "points.",
             f"So far {p} has {' + '.join(map(str, scores))} = {sum(scores)}.",
             f"{cap(p)} needs {target * (k + 1)} - {sum(scores)} = {need}."]
    code = f"scores = {scores}\ntarget = {target}\nprint(target * (len(scores) + 1) - sum(scores))"
    return Problem(q, tuple(steps), need, code, "gsm8k", "average")


def ages(rng: random.Random) -> Problem:
    (a, _), (b, _) = two_names(rng)
    young = rng.randint(3, 20)
    k = rng.randint(2, 4)
    n = rng.randint(2, 12)
    total = (k + 1) * young + 2 * n
    q = (f"{a} is {k} times as old as {b}. {n} years from today, their two ages will add up to {total}. "
         f"What is {a}'s age today?")
    steps = [f"Let {b}'s age be x, so {a} is {k}x.", f"In {n} years: (x + {n}) + ({k}x + {n}) = {total}.",
             f"{k + 1}x + {2 * n} = {total}, so {k + 1}x = {total - 2 * n} and x = {young}.",
             f"{a} is {k} x {young} = {k * young}."]
    code = f"total = {total}\nyears = {n}\nyoung = (total - 2 * years) // {k + 1}\nprint({k} * young)"
    return Problem(q, tuple(steps), k * young, code, "gsm8k", "ages")


def recipe(rng: random.Random) -> Problem:
    food = rng.choice([("cookies", "cups of flour"), ("pancakes", "eggs"),
                       ("muffins", "tablespoons of sugar"), ("bread rolls", "grams of yeast"),
                       ("dumplings", "cups of cabbage"), ("crepes", "cups of milk")])
    base = rng.choice([6, 8, 10, 12, 16, 20, 24])
    amt = rng.randint(1, 6)
    mult = rng.choice([2, 3, 4, 5, Fraction(3, 2), Fraction(5, 2)])
    want = base * mult
    if want != int(want):
        want = base * 2
        mult = 2
    need = amt * mult
    q = (f"A recipe makes {base} {food[0]} using {amt} {food[1]}. How many {food[1]} are needed for "
         f"{int(want)} {food[0]}?")
    batches = answer_text(float(Fraction(int(want), base)))
    steps = [f"{int(want)} {food[0]} is {int(want)} / {base} = {batches} batches.",
             f"{amt} x {batches} = {answer_text(float(need))} {food[1]}."]
    code = f"per_batch = {amt}\nbatches = {int(want)} / {base}\nprint(per_batch * batches)"
    return Problem(q, tuple(steps), _tidy(float(need)), code, "gsm8k", "proportion")


def bakery(rng: random.Random) -> Problem:
    (n, p) = name(rng)
    thing = rng.choice(["cookies", "muffins", "bagels", "cupcakes", "rolls", "scones", "brownies"])
    batches, per = rng.randint(2, 8), rng.choice([12, 18, 20, 24, 30, 36])
    made = batches * per
    sold = rng.randint(made // 5, made // 2)
    box = rng.choice([4, 6, 8, 10, 12])
    left = made - sold
    q = (f"{n} bakes {batches} batches of {per} {thing}. {cap(p)} sells {sold} of them at the market and "
         f"packs the rest into boxes of {box}. How many full boxes can {p} fill?")
    steps = [f"{n} bakes {batches} x {per} = {made} {thing}.",
             f"After selling, {made} - {sold} = {left} are left.",
             f"{left} / {box} = {left // box} full boxes (with {left % box} left over)."]
    code = f"made = {batches} * {per}\nleft = made - {sold}\nprint(left // {box})"
    return Problem(q, tuple(steps), left // box, code, "gsm8k", "division")


def tank(rng: random.Random) -> Problem:
    fill, leak = rng.randint(6, 30), rng.randint(1, 5)
    net = fill - leak
    minutes = rng.randint(5, 40)
    cap_l = net * minutes
    vessel = rng.choice(["water tank", "rain barrel", "swimming pool", "fish pond", "cistern", "trough"])
    q = (f"A {vessel} holds {cap_l} liters. A hose fills it at {fill} liters per minute, but it leaks {leak} "
         "liters per minute. Starting empty, how many minutes does it take to fill?")
    steps = [f"The net rate is {fill} - {leak} = {net} liters per "
             "minute.", f"{cap_l} / {net} = {minutes} minutes."]
    code = f"capacity = {cap_l}\nnet_rate = {fill} - {leak}\nprint(capacity / net_rate)"
    return Problem(q, tuple(steps), minutes, code, "gsm8k", "rate")


def wages(rng: random.Random) -> Problem:
    (n, p) = name(rng)
    rate = rng.choice([12, 14, 15, 16, 18, 20, 22, 25])
    days, hours = rng.randint(2, 6), rng.randint(3, 9)
    extra = rng.randint(2, 6)
    job = rng.choice(["at a bookstore", "as a lifeguard", "at a café", "tutoring", "at the library",
                      "in a warehouse",
                      "walking dogs", "at a garden center"])
    ot = rate * 3 // 2 if rate % 2 == 0 else rate * 1.5
    base = rate * days * hours
    total = base + extra * ot
    q = (f"{n} works {job} for ${rate} an hour, {hours} hours a day for {days} days. {cap(p)} also works "
         f"{extra} overtime hours paid at time and a half. How much does {p} earn?")
    steps = [f"Regular pay: {days} x {hours} x ${rate} = ${base}.",
             f"Overtime rate: 1.5 x ${rate} = ${_num(ot)}.",
             f"Overtime pay: {extra} x ${_num(ot)} = "
             f"${_num(extra * ot)}.", f"Total: ${base} + ${_num(extra * ot)} = ${_num(total)}."]
    code = (f"regular = {days} * {hours} * {rate}\novertime = {extra} * {rate} * 1.5\n"
            "print(regular + overtime)")
    return Problem(q, tuple(steps), _tidy(total), code, "gsm8k", "wages")


# --- competition-style families -------------------------------------------------------


def linear(rng: random.Random) -> Problem:
    x = rng.randint(-12, 15)
    a, c = rng.sample([2, 3, 4, 5, 6, 7, 8, 9, 11], 2)
    b = rng.randint(-20, 20)
    d = a * x + b - c * x
    q = f"Solve for $x$: ${a}x {_signed(b)} = {c}x {_signed(d)}$."
    steps = [f"Subtract ${c}x$ from both sides: ${a - c}x {_signed(b)} = {d}$.",
             f"Then ${a - c}x = {d - b}$, so $x = {d - b} / {a - c} = {x}$."]
    code = f"from fractions import Fraction\nx = Fraction({d} - ({b}), {a} - {c})\nprint(x)"
    return Problem(q, tuple(steps), x, code, "math", "algebra")


def quadratic(rng: random.Random) -> Problem:
    r1, r2 = rng.sample(range(-9, 12), 2)
    s, pr = r1 + r2, r1 * r2
    poly = _poly(-s, pr)
    if rng.random() < 0.5:
        q = f"What is the sum of the squares of the roots of ${poly} = 0$?"
        ans = s * s - 2 * pr
        steps = [f"By Vieta's formulas the roots have sum $r_1 + r_2 = {s}$ and product $r_1 r_2 = {pr}$.",
                 f"$r_1^2 + r_2^2 = (r_1 + r_2)^2 - 2r_1 r_2 = {s}^2 - 2({pr}) = {ans}$."]
        code = f"s, p = {s}, {pr}\nprint(s**2 - 2*p)"
    else:
        q = f"Find the positive difference between the roots of ${poly} = 0$."
        ans = abs(r1 - r2)
        steps = [f"The polynomial factors as $(x {_signed(-r1)})(x {_signed(-r2)})$.",
                 f"The roots are ${r1}$ and ${r2}$, which differ by ${ans}$."]
        code = f"import math\nb, c = {-s}, {pr}\nd = math.isqrt(b*b - 4*c)\nprint(d)"
    return Problem(q, tuple(steps), ans, code, "math", "algebra")


def series(rng: random.Random) -> Problem:
    a, d, n = rng.randint(-5, 20), rng.randint(2, 9), rng.randint(8, 40)
    last = a + (n - 1) * d
    total = n * (a + last) // 2
    q = rng.choice([
        f"What is the sum of the first {n} terms of the arithmetic sequence {a}, {a + d}, {a + 2 * d}, ...?",
        f"An arithmetic sequence starts at {a} and each term is {d} more than the one before. Find the sum "
        f"of its first {n} terms.",
    ])
    steps = [f"The last of the {n} terms is ${a} + ({n} - 1) \\cdot {d} = {last}$.",
             f"The sum is $\\frac{{{n}({a} + {last})}}{{2}} = {total}$."]
    code = f"a, d, n = {a}, {d}, {n}\nprint(sum(a + i * d for i in range(n)))"
    return Problem(q, tuple(steps), total, code, "math", "sequences")


def gcd_lcm(rng: random.Random) -> Problem:
    g = rng.choice([2, 3, 4, 5, 6, 7, 8, 9, 12, 14, 15])
    m, k = rng.sample([2, 3, 5, 7, 11, 13], 2)
    x, y = sorted((g * m * rng.choice([1, 2]), g * k), reverse=True)
    if rng.random() < 0.5:
        ans = math.gcd(x, y)
        q = f"What is the greatest common divisor of {x} and {y}?"
        steps = [f"Using the Euclidean algorithm on {x} and {y}:", *_euclid(x, y),
                 f"So $\\gcd({x}, {y}) = {ans}$."]
        code = f"import math\nprint(math.gcd({x}, {y}))"
    else:
        ans = x * y // math.gcd(x, y)
        q = f"Find the least common multiple of {x} and {y}."
        steps = [f"$\\gcd({x}, {y}) = {math.gcd(x, y)}$.",
                 f"$\\operatorname{{lcm}}({x}, {y}) = \\frac{{{x} \\cdot {y}}}{{{math.gcd(x, y)}}} = {ans}$."]
        code = f"import math\nprint({x} * {y} // math.gcd({x}, {y}))"
    return Problem(q, tuple(steps), ans, code, "math", "number_theory")


def modpow(rng: random.Random) -> Problem:
    a, n, m = rng.randint(2, 13), rng.randint(20, 200), rng.choice([5, 7, 9, 10, 11, 13])
    while math.gcd(a, m) != 1 or a % m == 1:  # coprime, and not trivially 1 mod m
        a += 1
    order = next(k for k in range(1, m + 1) if pow(a, k, m) == 1)
    ans = pow(a, n, m)
    q = f"What is the remainder when ${a}^{{{n}}}$ is divided by {m}?"
    steps = [f"The powers of {a} modulo {m} repeat with period {order}, since ${a}^{{{order}}} \\equiv 1 "
             f"\\pmod{{{m}}}$.",
             f"${n} = {order} \\cdot {n // order} + {n % order}$, so ${a}^{{{n}}} \\equiv "
             f"{a}^{{{n % order}}} \\equiv {ans} \\pmod{{{m}}}$."]
    code = f"print(pow({a}, {n}, {m}))"
    return Problem(q, tuple(steps), ans, code, "math", "number_theory")


def choose(rng: random.Random) -> Problem:
    n, k = rng.randint(6, 14), rng.randint(2, 5)
    group = rng.choice(["club members", "volunteers", "students", "players", "chess players", "engineers",
                        "singers"])
    what = rng.choice(["committee", "team", "delegation", "panel", "study group"])
    ans = math.comb(n, k)
    q = f"In how many ways can a {what} of {k} be chosen from {n} {group}?"
    steps = [f"Order does not matter, so the count is $\\binom{{{n}}}{{{k}}}$.",
             f"$\\binom{{{n}}}{{{k}}} = \\frac{{{n}!}}{{{k}!\\,{n - k}!}} = {ans}$."]
    code = f"import math\nprint(math.comb({n}, {k}))"
    return Problem(q, tuple(steps), ans, code, "math", "counting")


def dice(rng: random.Random) -> Problem:
    faces = rng.choice([6, 6, 4, 8])
    target = rng.randint(3, 2 * faces - 1)
    ways = sum(1 for i in range(1, faces + 1) for j in range(1, faces + 1) if i + j == target)
    ans = Fraction(ways, faces * faces)
    q = (f"Two fair {faces}-sided dice are rolled. What is the probability that the sum is {target}? "
         "Express your answer as a common fraction.")
    steps = [f"There are ${faces}^2 = {faces * faces}$ equally likely outcomes.",
             f"The pairs summing to {target} number {ways}.",
             f"The probability is $\\frac{{{ways}}}{{{faces * faces}}}"
             + ("$." if ans.denominator == faces * faces else f" = {answer_latex(ans)}$.")]
    code = (f"from fractions import Fraction\nfaces = {faces}\n"
            f"ways = sum(1 for i in range(1, faces + 1) for j in range(1, faces + 1) if i + j == {target})\n"
            f"print(Fraction(ways, faces**2))")
    return Problem(q, tuple(steps), ans, code, "math", "probability")


def compose(rng: random.Random) -> Problem:
    a, b = rng.randint(2, 7), rng.randint(-9, 9)
    c, k = rng.randint(1, 9), rng.randint(-4, 5)
    g = k * k - c
    ans = a * g + b
    q = f"Let $f(x) = {a}x {_signed(b)}$ and $g(x) = x^2 - {c}$. What is $f(g({k}))$?"
    kk = f"({k})" if k < 0 else str(k)
    steps = [f"$g({k}) = {kk}^2 - {c} = {g}$.", f"$f({g}) = {a}({g}) {_signed(b)} = {ans}$."]
    code = f"def f(x):\n    return {a}*x + ({b})\n\ndef g(x):\n    return x**2 - {c}\n\nprint(f(g({k})))"
    return Problem(q, tuple(steps), ans, code, "math", "algebra")


def divisors(rng: random.Random) -> Problem:
    small = rng.choice([2, 3, 5, 7]) ** rng.randint(1, 3)
    large = rng.choice([3, 5, 11, 13]) ** rng.randint(1, 2)
    n = small * large * rng.choice([1, 2, 4])
    fac = _factor(n)
    ans = math.prod(e + 1 for e in fac.values())
    dot = " \\cdot "
    shown = dot.join(f"{p}^{{{e}}}" if e > 1 else str(p) for p, e in fac.items())
    factors = dot.join(str(e + 1) for e in fac.values())
    q = f"How many positive divisors does {n} have?"
    steps = [f"${n} = {shown}$.",
             f"The number of divisors is the product of (exponent + 1): ${factors} = {ans}$."]
    code = f"n = {n}\nprint(sum(1 for d in range(1, n + 1) if n % d == 0))"
    return Problem(q, tuple(steps), ans, code, "math", "number_theory")


def base_convert(rng: random.Random) -> Problem:
    n, b = rng.randint(20, 500), rng.choice([2, 3, 4, 5, 6, 7, 8])
    digits = []
    m = n
    while m:
        digits.append(m % b)
        m //= b
    rep = "".join(map(str, reversed(digits)))
    q = f"Express the decimal number {n} in base {b}."
    steps = [f"Divide repeatedly by {b} and read the remainders from last to first: "
             f"{', '.join(map(str, digits))}.",
             f"So ${n}_{{10}} = {rep}_{{{b}}}$."]
    code = (f"n, b = {n}, {b}\ndigits = ''\nwhile n:\n    digits = str(n % b) + digits\n"
            "    n //= b\nprint(digits)")
    return Problem(q, tuple(steps), rep, code, "math", "number_theory")


def hypotenuse(rng: random.Random) -> Problem:
    a, b, c = rng.choice([(3, 4, 5), (5, 12, 13), (8, 15, 17), (7, 24, 25), (20, 21, 29), (9, 40, 41)])
    k = rng.randint(1, 6)
    a, b, c = a * k, b * k, c * k
    ladder = c <= 30 and rng.random() < 0.6
    if ladder:
        q = (f"A ladder reaches {b} feet up a wall when its foot is {a} feet from the wall. How long is the "
             "ladder, in feet?")
    else:
        q = f"A right triangle has legs of length {a} and {b}. What is the length of its hypotenuse?"
    steps = [f"By the Pythagorean theorem, $c^2 = {a}^2 + {b}^2 = {a * a} + {b * b} = "
             f"{c * c}$.", f"So $c = \\sqrt{{{c * c}}} = {c}$."]
    code = f"import math\nprint(math.hypot({a}, {b}))"
    return Problem(q, tuple(steps), c, code, "math", "geometry")


def system2(rng: random.Random) -> Problem:
    x, y = rng.randint(-8, 15), rng.randint(-8, 15)
    a, b = rng.randint(1, 5), rng.randint(1, 5)
    s, d = a * x + y, x - b * y
    q = f"If ${a if a > 1 else ''}x + y = {s}$ and $x - {b if b > 1 else ''}y = {d}$, what is $x \\cdot y$?"
    steps = [f"From the second equation, $x = {d} + {b}y$.",
             f"Substituting: ${'' if a == 1 else a}({d} + {b}y) + y = {s}$, so ${a * b + 1}y = {s - a * d}$ "
             f"and $y = {y}$.",
             f"Then $x = {d} + {b}({y}) = {x}$, and $xy = {x * y}$."]
    code = (f"from fractions import Fraction\ny = Fraction({s} - {a} * {d}, {a} * {b} + 1)\n"
            f"x = {d} + {b} * y\nprint(x * y)")
    return Problem(q, tuple(steps), x * y, code, "math", "algebra")


GSM_FAMILIES: tuple[Callable[[random.Random], Problem], ...] = (
    shopping, speed, discount, savings, ratio, fence, average_needed, ages, recipe, bakery, tank, wages,
)
MATH_FAMILIES: tuple[Callable[[random.Random], Problem], ...] = (
    linear, quadratic, series, gcd_lcm, modpow, choose, dice, compose, divisors, base_convert, hypotenuse,
    system2,
)


def any_problem(rng: random.Random, source: str | None = None) -> Problem:
    families = {"gsm8k": GSM_FAMILIES, "math": MATH_FAMILIES}.get(source or "", GSM_FAMILIES + MATH_FAMILIES)
    return rng.choice(families)(rng)


# --- helpers ----------------------------------------------------------------------------


_SPEEDS = {"cyclist": (8, 25, 1), "runner": (5, 13, 1), "hiker": (2, 6, 1), "boat": (10, 41, 2)}


def _poly(b: int, c: int) -> str:
    """'x^2 - 3x + 2' for x^2 + bx + c, dropping zero terms and unit coefficients."""
    out = "x^2"
    if b:
        out += f" {'+' if b > 0 else '-'} {'' if abs(b) == 1 else abs(b)}x"
    if c:
        out += f" {'+' if c > 0 else '-'} {abs(c)}"
    return out


def _num(x: float | int) -> str:
    return answer_text(float(x)) if isinstance(x, float) else str(x)


def _tidy(x: float | int) -> float | int:
    return int(x) if float(x).is_integer() else float(x)


def _signed(v: int, suffix: str = "") -> str:
    return f"+ {v}{suffix}" if v >= 0 else f"- {-v}{suffix}"


def _ident(plural: str) -> str:
    return re.sub(r"\W+", "_", plural.lower()).strip("_") + "_cost"


def _euclid(x: int, y: int) -> list[str]:
    out = []
    while y:
        out.append(f"${x} = {x // y} \\cdot {y} + {x % y}$")
        x, y = y, x % y
    return out


def _factor(n: int) -> dict[int, int]:
    fac: dict[int, int] = {}
    d = 2
    while d * d <= n:
        while n % d == 0:
            fac[d] = fac.get(d, 0) + 1
            n //= d
        d += 1
    if n > 1:
        fac[n] = fac.get(n, 0) + 1
    return fac


# --- how a solution is written ---------------------------------------------------------

_ENDINGS = (
    "The answer is {a}.", "So the final answer is {a}.", "Therefore, the answer is {a}.",
    "The result is {a}.",
)


def cot_solution(p: Problem, rng: random.Random) -> str:
    """Plain step-by-step reasoning and a final answer line (GSM8K / FLAN CoT style)."""
    return "\n".join(p.steps) + "\n" + rng.choice(_ENDINGS).format(a=answer_text(p.answer))


def boxed_solution(p: Problem, rng: random.Random, answer: Number | None = None) -> str:
    """Steps ending in \\boxed{} (the MATH / OpenMathInstruct-2 style)."""
    shown = answer_latex(p.answer if answer is None else answer)
    close = rng.choice(["Therefore, the answer is $\\boxed{%s}$.", "So, the answer is \\boxed{%s}.",
                        "Thus the answer is $\\boxed{%s}$."]) % shown
    return " ".join(p.steps) + "\n\n" + close if rng.random() < 0.5 else "\n".join(p.steps) + "\n" + close


def code_solution(p: Problem, rng: random.Random, wrong: bool = False) -> tuple[str, str]:
    """(solution, predicted answer) in the <llm-code> style of OpenMathInstruct-1.

    A wrong solution changes one number in the code, as a sampled solution with a slip
    does; its predicted answer is what that code prints.
    """
    code = p.code
    if wrong:
        code = _slip(code, p)
    out = run_code(code)
    predicted = _as_answer(out)
    lead = rng.choice(["Let's solve this problem using Python code.",
                       "Let's use Python to compute the answer.",
                       "We can compute this with a short program.", "Let's write the computation in Python."])
    close = rng.choice(["Thus the answer is \\boxed{%s}.", "So the answer is \\boxed{%s}.",
                        "Therefore, the result is \\boxed{%s}."]) % predicted
    text = f"{lead}\n<llm-code>\n{code}\n</llm-code>\n<llm-code-output>\n{out}\n</llm-code-output>\n{close}"
    return text, predicted


def _as_answer(out: str) -> str:
    """The code's output as an answer: '12.0' -> '12'."""
    try:
        return answer_text(_tidy(float(out)))
    except ValueError:
        return out


def _slip(code: str, p: Problem) -> str:
    """Bump one integer literal so the printed result changes."""
    literals = list(re.finditer(r"(?<![\w.])\d+(?![\w.])", code))
    right = answer_text(p.answer)
    for delta in (1, 2, 5, 10, 25):
        for m in literals:
            bumped = code[: m.start()] + str(int(m.group(0)) + delta) + code[m.end():]
            try:
                if _as_answer(run_code(bumped)) != right:
                    return bumped
            except Exception:  # noqa: BLE001, S112 - a slip that crashes is not the slip we want
                continue
    # No single literal matters (e.g. every power of a number is 1 mod m): slip at the end.
    head, _, last = code.rstrip().rpartition("\n")
    inner = last.removeprefix("print(").removesuffix(")")
    slipped = f"print(str({inner}) + '1')" if isinstance(p.answer, str) else f"print(({inner}) + 1)"
    return f"{head}\n{slipped}" if head else slipped
