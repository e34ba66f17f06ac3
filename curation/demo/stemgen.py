"""STEM derivations (calculus, physics) in the 0xZee CoT shape: question, CoT, response.

The CoT is a multi-step derivation and the response the final answer stated on its own,
as the Proof: / Final Answer: training format of the seeds expects.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from fractions import Fraction

G = 9.8  # m/s^2


@dataclass(frozen=True)
class Derivation:
    question: str
    cot: str
    response: str


def _frac(x: Fraction | int) -> str:
    x = Fraction(x)
    if x.denominator == 1:
        return str(x.numerator)
    sign = "-" if x < 0 else ""
    return f"{sign}\\frac{{{abs(x.numerator)}}}{{{x.denominator}}}"


def _r(x: float, nd: int = 2) -> str:
    """x rounded to nd decimals, without trailing zeros: 2.50 -> '2.5', 376740 -> '376740'."""
    text = f"{x:.{nd}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _term(coef: int, power: int) -> str:
    c = "" if coef == 1 else "-" if coef == -1 else str(coef)
    if power == 0:
        return str(coef)
    if power == 1:
        return f"{c}x"
    return f"{c}x^{{{power}}}"


def _poly(terms: list[tuple[int, int]]) -> str:
    out = ""
    for coef, power in terms:
        if coef == 0:
            continue
        t = _term(abs(coef), power)
        out += (t if not out else f" + {t}") if coef > 0 else (f"-{t}" if not out else f" - {t}")
    return out or "0"


# --- calculus -------------------------------------------------------------------------------


def derivative_at(rng: random.Random) -> Derivation:
    a, b, c = rng.randint(1, 9), rng.choice([-7, -5, -3, -2, 2, 3, 4, 6]), rng.randint(-9, 9)
    n, m = rng.randint(3, 6), rng.randint(1, 2)
    k = rng.randint(-3, 3)
    f = _poly([(a, n), (b, m), (c, 0)])
    df = _poly([(a * n, n - 1), (b * m, m - 1)])
    val = a * n * k ** (n - 1) + b * m * k ** (m - 1)
    cot = (f"Differentiate term by term with the power rule $\\frac{{d}}{{dx}} x^p = p x^{{p-1}}$.\n"
           f"$f'(x) = {df}$.\nEvaluate at $x = {k}$: $f'({k}) = {a * n}({k})^{{{n - 1}}} "
           f"{'+' if b * m > 0 else '-'} {abs(b * m)}({k})^{{{m - 1}}} = {val}$.")
    return Derivation(f"Let $f(x) = {f}$. Compute $f'({k})$.", cot, f"$f'({k}) = {val}$.")


def definite_integral(rng: random.Random) -> Derivation:
    a, b, c, k = rng.randint(1, 6), rng.randint(-5, 8), rng.randint(-4, 9), rng.randint(1, 5)
    poly = _poly([(a, 2), (b, 1), (c, 0)])
    parts = [(Fraction(a, 3), "x^3"), (Fraction(b, 2), "x^2"), (Fraction(c), "x")]
    anti = _signed_sum([(coef, f"{_frac(abs(coef)) if abs(coef) != 1 else ''}{var}") for coef, var in parts])
    vals = [Fraction(a * k**3, 3), Fraction(b * k**2, 2), Fraction(c * k)]
    val = sum(vals)
    cot = (f"An antiderivative of ${poly}$ is $F(x) = {anti}$.\n"
           f"By the fundamental theorem of calculus, $\\int_0^{{{k}}} ({poly})\\,dx = F({k}) - F(0)$.\n"
           f"$F({k}) = {_signed_sum([(v, _frac(abs(v))) for v in vals])} = {_frac(val)}$ and $F(0) = 0$.")
    return Derivation(f"Evaluate $\\int_0^{{{k}}} ({poly})\\,dx$.", cot,
                      f"The integral equals ${_frac(val)}$.")


def _signed_sum(terms: list[tuple[Fraction, str]]) -> str:
    """'a - b + c' from (value, shown magnitude) pairs, skipping zeros."""
    out = ""
    for value, shown in terms:
        if value == 0:
            continue
        if not out:
            out = shown if value > 0 else f"-{shown}"
        else:
            out += f" + {shown}" if value > 0 else f" - {shown}"
    return out or "0"


def sine_limit(rng: random.Random) -> Derivation:
    a, b = rng.sample(range(2, 13), 2)
    val = Fraction(a, b)
    cot = (f"Rewrite $\\frac{{\\sin({a}x)}}{{{b}x}} = \\frac{{{a}}}{{{b}}} \\cdot "
           f"\\frac{{\\sin({a}x)}}{{{a}x}}$.\nAs $x \\to 0$, $u = {a}x \\to 0$ and $\\frac{{\\sin u}}{{u}} "
           "\\to 1$.\nHence the limit is "
           f"$\\frac{{{a}}}{{{b}}}" + ("$." if val.denominator == b else f" = {_frac(val)}$."))
    return Derivation(f"Find $\\lim_{{x \\to 0}} \\frac{{\\sin({a}x)}}{{{b}x}}$.", cot,
                      f"The limit is ${_frac(val)}$.")


def taylor_exp(rng: random.Random) -> Derivation:
    a = rng.choice([-3, -2, 2, 3, 4, 5])
    c2, c3 = Fraction(a * a, 2), Fraction(a**3, 6)
    sign1, sign3 = "+" if a > 0 else "-", "+" if c3 > 0 else "-"
    series = f"1 {sign1} {abs(a)}x + {_frac(c2)}x^2 {sign3} {_frac(abs(c3))}x^3"
    cot = (f"Use $e^u = \\sum_{{n \\ge 0}} \\frac{{u^n}}{{n!}}$ with $u = {a}x$.\n"
           f"The terms up to $x^3$ are $1$, ${a}x$, $\\frac{{({a}x)^2}}{{2}} = {_frac(c2)}x^2$ and "
           f"$\\frac{{({a}x)^3}}{{6}} = {_frac(c3)}x^3$.")
    return Derivation(f"Write the Maclaurin series of $e^{{{a}x}}$ up to the $x^3$ "
                      "term.", cot, f"$e^{{{a}x}} \\approx {series}$.")


def critical_points(rng: random.Random) -> Derivation:
    k, c = rng.randint(1, 5), rng.randint(-10, 10)
    f = _poly([(1, 3), (-3 * k * k, 1), (c, 0)])
    cot = (f"$f'(x) = 3x^2 - {3 * k * k} = 3(x^2 - {k * k})$, which vanishes at $x = \\pm {k}$.\n"
           f"$f''(x) = 6x$: $f''({k}) = {6 * k} > 0$ gives a local minimum, $f''(-{k}) = -{6 * k} < 0$ a "
           f"local maximum.\n$f({k}) = {k**3} - {3 * k**3} {'+' if c >= 0 else '-'} {abs(c)} = "
           f"{-2 * k**3 + c}$ and $f(-{k}) = {-(k**3)} + {3 * k**3} {'+' if c >= 0 else '-'} {abs(c)} = "
           f"{2 * k**3 + c}$.")
    return Derivation(f"Find and classify the critical points of $f(x) = {f}$.", cot,
                      f"Local maximum at $x = -{k}$ with value ${2 * k**3 + c}$; local minimum at $x = {k}$ "
                      f"with value ${-2 * k**3 + c}$.")


def by_parts(rng: random.Random) -> Derivation:
    a = rng.choice([2, 3, 4, 5, -2, -3])
    cot = (f"Integrate by parts with $u = x$, $dv = e^{{{a}x}}dx$, so $du = dx$ and $v = "
           f"\\frac{{1}}{{{a}}}e^{{{a}x}}$.\n$\\int x e^{{{a}x}}dx = \\frac{{x}}{{{a}}}e^{{{a}x}} - \\int "
           f"\\frac{{1}}{{{a}}}e^{{{a}x}}dx = \\frac{{x}}{{{a}}}e^{{{a}x}} - "
           f"\\frac{{1}}{{{a * a}}}e^{{{a}x}} + C$.")
    return Derivation(f"Compute $\\int x e^{{{a}x}}\\,dx$.", cot,
                      f"$\\int x e^{{{a}x}}dx = e^{{{a}x}}\\left(\\frac{{x}}{{{a}}} - "
                      f"\\frac{{1}}{{{a * a}}}\\right) + C$.")


def area_between(rng: random.Random) -> Derivation:
    k = rng.randint(2, 9)
    val = Fraction(k**3, 6)
    cot = (f"The curves $y = x^2$ and $y = {k}x$ meet where $x^2 = {k}x$, i.e. at $x = 0$ and $x = {k}$.\n"
           f"On $[0, {k}]$ the line lies above the parabola, so the area is $\\int_0^{{{k}}} ({k}x - "
           f"x^2)\\,dx$.\n$= \\left[\\frac{{{k}x^2}}{{2}} - \\frac{{x^3}}{{3}}\\right]_0^{{{k}}} = "
           f"{_frac(Fraction(k**3, 2))} - {_frac(Fraction(k**3, 3))} = {_frac(val)}$.")
    return Derivation(f"Find the area enclosed by $y = x^2$ and $y = {k}x$.", cot,
                      f"The area is ${_frac(val)}$.")


def improper(rng: random.Random) -> Derivation:
    a = rng.randint(2, 12)
    cot = (f"$\\int_0^{{\\infty}} e^{{-{a}x}}dx = \\lim_{{b \\to \\infty}} "
           f"\\left[-\\frac{{1}}{{{a}}}e^{{-{a}x}}\\right]_0^b$.\n"
           f"$= \\lim_{{b \\to \\infty}} \\left(\\frac{{1}}{{{a}}} - \\frac{{1}}{{{a}}}e^{{-{a}b}}\\right) = "
           f"\\frac{{1}}{{{a}}}$, since $e^{{-{a}b}} \\to 0$.")
    return Derivation(f"Does $\\int_0^{{\\infty}} e^{{-{a}x}}\\,dx$ converge? If so, find its value.", cot,
                      f"It converges to $\\frac{{1}}{{{a}}}$.")


def partials(rng: random.Random) -> Derivation:
    a, b, p, q = rng.randint(1, 6), rng.randint(1, 5), rng.randint(-3, 3), rng.randint(-3, 3)
    fx, fy = 2 * a * p * q, a * p * p + 3 * b * q * q
    f = f"{a if a > 1 else ''}x^2y + {b if b > 1 else ''}y^3"
    cot = (f"Treat $y$ as constant: $f_x = {2 * a}xy$. Treat $x$ as constant: $f_y = {a if a > 1 else ''}x^2 "
           f"+ {3 * b}y^2$.\nAt $({p}, {q})$: $f_x = {2 * a}({p})({q}) = {fx}$ and $f_y = {a}({p})^2 + "
           f"{3 * b}({q})^2 = {fy}$.")
    return Derivation(f"For $f(x, y) = {f}$, compute the gradient at $({p}, "
                      f"{q})$.", cot, f"$\\nabla f({p}, {q}) = ({fx}, {fy})$.")


def geometric(rng: random.Random) -> Derivation:
    p, q = rng.choice([(1, 2), (1, 3), (2, 3), (1, 4), (3, 4), (2, 5), (3, 5), (1, 5), (4, 5), (1, 6)])
    r = Fraction(p, q)
    c = rng.randint(1, 9)
    val = c / (1 - r)
    cot = (f"This is a geometric series with first term ${c}$ and ratio $r = {_frac(r)}$, and $|r| < 1$, so "
           f"it converges.\nIts sum is $\\frac{{{c}}}{{1 - r}} = \\frac{{{c}}}{{{_frac(1 - r)}}} = "
           f"{_frac(val)}$.")
    return Derivation(f"Evaluate $\\sum_{{n=0}}^{{\\infty}} "
                      f"{c if c > 1 else ''}\\left({_frac(r)}\\right)^n$.", cot,
                      f"The series sums to ${_frac(val)}$.")


def chain_rule(rng: random.Random) -> Derivation:
    a, b = rng.randint(2, 7), rng.randint(1, 9)
    fn, dfn = rng.choice([("\\sin", "\\cos"), ("\\cos", "-\\sin"), ("e^", "e^")])
    if fn == "e^":
        q = f"Differentiate $y = e^{{{a}x^2 + {b}}}$."
        cot = (f"Let $u = {a}x^2 + {b}$, so $y = e^u$ and $\\frac{{du}}{{dx}} = {2 * a}x$.\n"
               f"By the chain rule $\\frac{{dy}}{{dx}} = e^u \\cdot {2 * a}x$.")
        return Derivation(q, cot, f"$\\frac{{dy}}{{dx}} = {2 * a}x\\,e^{{{a}x^2 + {b}}}$.")
    q = f"Differentiate $y = {fn}({a}x^2 + {b})$."
    cot = (f"Let $u = {a}x^2 + {b}$, so $y = {fn} u$ and $\\frac{{du}}{{dx}} = {2 * a}x$.\n"
           f"By the chain rule $\\frac{{dy}}{{dx}} = {dfn}(u) \\cdot {2 * a}x$.")
    sign = "-" if dfn.startswith("-") else ""
    return Derivation(q, cot, f"$\\frac{{dy}}{{dx}} = {sign}{2 * a}x{dfn.lstrip('-')}({a}x^2 + {b})$.")


def lhopital(rng: random.Random) -> Derivation:
    a = rng.randint(2, 11)
    cot = (f"At $x = 0$ both numerator and denominator vanish, a $\\frac{{0}}{{0}}$ form.\n"
           f"By L'Hopital's rule, differentiate both: $\\frac{{{a}e^{{{a}x}}}}{{1}}$, which tends to ${a}$ "
           "as $x \\to 0$.")
    return Derivation(f"Compute $\\lim_{{x \\to 0}} \\frac{{e^{{{a}x}} - "
                      f"1}}{{x}}$.", cot, f"The limit is ${a}$.")


def revolution(rng: random.Random) -> Derivation:
    k = rng.randint(1, 9)
    cot = (f"By the disc method, $V = \\pi \\int_0^{{{k}}} (\\sqrt{{x}})^2\\,dx = \\pi \\int_0^{{{k}}} "
           f"x\\,dx$.\n$= \\pi \\left[\\frac{{x^2}}{{2}}\\right]_0^{{{k}}} = "
           f"{_frac(Fraction(k * k, 2))}\\pi$.")
    return Derivation(f"Find the volume of the solid formed by rotating $y = \\sqrt{{x}}$, $0 \\le x \\le "
                      f"{k}$, about the $x$-axis.", cot, f"$V = {_frac(Fraction(k * k, 2))}\\pi$.")


CALCULUS: tuple[Callable[[random.Random], Derivation], ...] = (
    derivative_at, definite_integral, sine_limit, taylor_exp, critical_points, by_parts, area_between,
    improper, partials, geometric, chain_rule, lhopital, revolution,
)


# --- physics --------------------------------------------------------------------------------


def kinematics(rng: random.Random) -> Derivation:
    u, a, t = rng.randint(0, 15), rng.choice([0.5, 1.5, 2, 2.5, 3, 4]), rng.randint(3, 12)
    v, s = u + a * t, u * t + 0.5 * a * t * t
    obj = rng.choice(["A car", "A cyclist", "A train", "A sled", "A drone"])
    cot = (f"Constant acceleration: $v = u + at$ and $s = ut + \\tfrac{{1}}{{2}}at^2$.\n"
           f"$v = {u} + {_r(a)} \\times {t} = {_r(v)}$ m/s.\n"
           f"$s = {u} \\times {t} + \\tfrac{{1}}{{2}} \\times {_r(a)} \\times {t}^2 = {_r(s)}$ m.")
    return Derivation(f"{obj} moving at {u} m/s accelerates uniformly at {_r(a)} m/s^2 for {t} s. Find its "
                      "final speed and the distance "
                      "covered.", cot, f"Final speed {_r(v)} m/s; distance {_r(s)} m.")


def free_fall(rng: random.Random) -> Derivation:
    h = rng.choice([5, 10, 12, 20, 25, 45, 60, 80, 125])
    t = math.sqrt(2 * h / G)
    v = G * t
    cot = (f"Starting from rest, $h = \\tfrac{{1}}{{2}}gt^2$, so $t = \\sqrt{{2h/g}} = \\sqrt{{2 \\times {h} "
           f"/ 9.8}} = {_r(t)}$ s.\nThe impact speed is $v = gt = 9.8 \\times {_r(t, 3)} \\approx "
           f"{_r(v, 1)}$ m/s (ignoring air resistance).")
    return Derivation(f"A stone is dropped from a height of {h} m. How long does it take to reach the ground "
                      "and how fast is it moving on impact? Use g = 9.8 "
                      "m/s^2.", cot, f"About {_r(t)} s; about {_r(v, 1)} m/s.")


def projectile(rng: random.Random) -> Derivation:
    v0, ang = rng.randint(8, 40), rng.choice([15, 30, 45, 60, 75])
    rng_m = v0 * v0 * math.sin(math.radians(2 * ang)) / G
    cot = (f"On level ground the range is $R = \\frac{{v_0^2 \\sin 2\\theta}}{{g}}$.\n"
           f"$R = \\frac{{{v0}^2 \\sin {2 * ang}^\\circ}}{{9.8}} = \\frac{{{v0 * v0} \\times "
           f"{_r(math.sin(math.radians(2 * ang)), 4)}}}{{9.8}} \\approx {_r(rng_m, 1)}$ m.")
    return Derivation(f"A ball is launched at {v0} m/s at {ang} degrees above level ground. Neglecting air "
                      "resistance, how far does it travel "
                      "horizontally?", cot, f"The range is about {_r(rng_m, 1)} m.")


def ohm(rng: random.Random) -> Derivation:
    volts = rng.choice([3, 5, 9, 12, 24, 48, 120, 230])
    ohms = rng.choice([2, 4, 6, 8, 10, 12, 15, 20, 30, 60, 100])
    i, p = volts / ohms, volts * volts / ohms
    cot = (f"Ohm's law: $I = V/R = {volts}/{ohms} = {_r(i, 3)}$ A.\n"
           f"Power: $P = V^2/R = {volts}^2/{ohms} = {_r(p)}$ W.")
    return Derivation(f"A {ohms} ohm resistor is connected across a {volts} V supply. Find the current and "
                      "the power dissipated.",
                      cot, f"I = {_r(i, 3)} A; P = {_r(p)} W.")


def resistors(rng: random.Random) -> Derivation:
    r1, r2 = rng.sample([2, 3, 4, 6, 8, 10, 12, 15, 20, 30, 40, 60], 2)
    par = Fraction(r1 * r2, r1 + r2)
    cot = (f"In series resistances add: $R_s = {r1} + {r2} = {r1 + r2}$ ohm.\n"
           f"In parallel $\\frac{{1}}{{R_p}} = \\frac{{1}}{{{r1}}} + \\frac{{1}}{{{r2}}}$, so $R_p = "
           f"\\frac{{{r1} \\times {r2}}}{{{r1} + {r2}}} = {_r(float(par), 3)}$ ohm.")
    return Derivation(f"What is the equivalent resistance of a {r1} ohm and a {r2} ohm resistor in series, "
                      "and in parallel?",
                      cot, f"Series: {r1 + r2} ohm; parallel: {_r(float(par), 3)} ohm.")


def kinetic(rng: random.Random) -> Derivation:
    m, v = rng.choice([0.5, 2, 5, 10, 70, 80, 1200, 1500]), rng.randint(2, 30)
    e = 0.5 * m * v * v
    cot = f"$E_k = \\tfrac{{1}}{{2}}mv^2 = \\tfrac{{1}}{{2}} \\times {_r(m)} \\times {v}^2 = {_r(e)}$ J."
    return Derivation(f"What is the kinetic energy of a {_r(m)} kg object moving at {v} "
                      "m/s?", cot, f"{_r(e)} J.")


def collision(rng: random.Random) -> Derivation:
    m1, v1, m2 = rng.randint(1, 9) * 100, rng.randint(4, 25), rng.randint(1, 9) * 100
    v = m1 * v1 / (m1 + m2)
    cot = ("Momentum is conserved in the collision: $m_1 v_1 + m_2 \\cdot 0 = (m_1 + m_2) v$.\n"
           f"$v = \\frac{{{m1} \\times {v1}}}{{{m1} + {m2}}} = \\frac{{{m1 * v1}}}{{{m1 + m2}}} \\approx "
           f"{_r(v)}$ m/s.")
    return Derivation(f"A {m1} kg cart moving at {v1} m/s collides with a stationary {m2} kg cart and they "
                      "stick together. What is their common speed afterwards?", cot, f"About {_r(v)} m/s.")


def pendulum(rng: random.Random) -> Derivation:
    length = rng.choice([0.25, 0.5, 0.8, 1, 1.5, 2, 2.5, 4])
    t = 2 * math.pi * math.sqrt(length / G)
    cot = (f"For small swings the period is $T = 2\\pi\\sqrt{{L/g}}$.\n"
           f"$T = 2\\pi\\sqrt{{{_r(length)}/9.8}} \\approx {_r(t)}$ s.")
    return Derivation(f"What is the period of a simple pendulum {_r(length)} m long (small oscillations, g = "
                      "9.8 m/s^2)?",
                      cot, f"About {_r(t)} s.")


def ideal_gas(rng: random.Random) -> Derivation:
    n, temp = rng.choice([0.5, 1, 2, 3]), rng.choice([273, 293, 300, 350, 400])
    vol = rng.choice([0.01, 0.02, 0.025, 0.05])
    p = n * 8.314 * temp / vol
    cot = (f"From $PV = nRT$: $P = \\frac{{nRT}}{{V}} = \\frac{{{_r(n)} \\times 8.314 \\times "
           f"{temp}}}{{{_r(vol, 3)}}}$.\n$P \\approx {_r(p, 0)}$ Pa $\\approx {_r(p / 1000, 1)}$ kPa.")
    return Derivation(f"{_r(n)} mol of an ideal gas occupies {_r(vol, 3)} m^3 at {temp} K. What is its "
                      "pressure?", cot,
                      f"About {_r(p / 1000, 1)} kPa.")


def wave(rng: random.Random) -> Derivation:
    f = rng.choice([110, 220, 256, 440, 512, 880, 1000, 2000])
    lam = 343 / f
    cot = f"For any wave $v = f\\lambda$, so $\\lambda = v/f = 343/{f} \\approx {_r(lam, 3)}$ m."
    return Derivation(f"What is the wavelength in air of a {f} Hz sound wave, if sound travels at 343 "
                      "m/s?", cot,
                      f"About {_r(lam, 3)} m.")


def spring(rng: random.Random) -> Derivation:
    k, x = rng.choice([50, 100, 200, 250, 400, 800]), rng.choice([0.02, 0.05, 0.1, 0.15, 0.2, 0.3])
    cot = (f"Hooke's law: $F = kx = {k} \\times {_r(x)} = {_r(k * x)}$ N.\n"
           f"Stored energy: $E = \\tfrac{{1}}{{2}}kx^2 = \\tfrac{{1}}{{2}} \\times {k} \\times {_r(x)}^2 = "
           f"{_r(0.5 * k * x * x, 3)}$ J.")
    return Derivation(f"A spring with constant {k} N/m is stretched by {_r(x)} m. Find the force needed and "
                      "the energy stored.",
                      cot, f"F = {_r(k * x)} N; E = {_r(0.5 * k * x * x, 3)} J.")


def centripetal(rng: random.Random) -> Derivation:
    m, v, r = rng.choice([0.2, 1, 2, 60, 900]), rng.randint(2, 25), rng.choice([0.5, 1, 2, 5, 10, 25, 50])
    f = m * v * v / r
    cot = (f"$F = \\frac{{mv^2}}{{r}} = \\frac{{{_r(m)} \\times {v}^2}}{{{_r(r)}}} = {_r(f)}$ N, directed "
           "towards the centre.")
    return Derivation(f"What centripetal force keeps a {_r(m)} kg mass moving at {v} m/s in a circle of "
                      f"radius {_r(r)} m?",
                      cot, f"{_r(f)} N towards the centre.")


def buoyancy(rng: random.Random) -> Derivation:
    vol = rng.choice([0.001, 0.002, 0.005, 0.01, 0.02, 0.05])
    fb = 1000 * G * vol
    cot = (f"Archimedes' principle: the buoyant force equals the weight of displaced water.\n"
           f"$F_b = \\rho g V = 1000 \\times 9.8 \\times {_r(vol, 3)} = {_r(fb)}$ N.")
    return Derivation(f"A block of volume {_r(vol, 3)} m^3 is fully submerged in fresh water (density 1000 "
                      "kg/m^3). What is the buoyant force on it?", cot, f"{_r(fb)} N.")


def lift_power(rng: random.Random) -> Derivation:
    m, h = rng.choice([20, 50, 75, 100, 250, 500]), rng.choice([2, 3, 5, 8, 10, 15])
    t = rng.choice([2, 4, 5, 10, 20, 30])
    w = m * G * h
    cot = (f"Work done against gravity: $W = mgh = {m} \\times 9.8 \\times {h} = {_r(w)}$ J.\n"
           f"Power: $P = W/t = {_r(w)}/{t} = {_r(w / t)}$ W.")
    return Derivation(f"A motor lifts a {m} kg load through {h} m in {t} s at constant speed. What average "
                      "power does it deliver?", cot, f"About {_r(w / t)} W.")


def heating(rng: random.Random) -> Derivation:
    m, dt = rng.choice([0.2, 0.5, 1, 1.5, 2, 5]), rng.choice([10, 20, 25, 40, 60, 75])
    q = m * 4186 * dt
    cot = (f"$Q = mc\\Delta T = {_r(m)} \\times 4186 \\times {dt} = {_r(q, 0)}$ J "
           f"$\\approx {_r(q / 1000, 1)}$ kJ.")
    return Derivation(f"How much heat is needed to warm {_r(m)} kg of water by {dt} degrees Celsius? (c = "
                      "4186 J/(kg K))", cot,
                      f"About {_r(q / 1000, 1)} kJ.")


PHYSICS: tuple[Callable[[random.Random], Derivation], ...] = (
    kinematics, free_fall, projectile, ohm, resistors, kinetic, collision, pendulum, ideal_gas, wave, spring,
    centripetal, buoyancy, lift_power, heating,
)
