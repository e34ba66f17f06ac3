"""Math web pages: a short exposition of a topic followed by worked examples."""

from __future__ import annotations

import random
from collections.abc import Callable

from curation.demo import mathgen, stemgen

# (title, exposition, the families its worked examples come from)
TOPICS: tuple[tuple[str, str, tuple[Callable[[random.Random], object], ...]], ...] = (
    ("Solving linear equations", "A linear equation in one unknown can always be solved by doing the same "
     "operation to both sides until the unknown stands alone. Collect the terms with $x$ on one side and "
     "the constants on the other, then divide by the coefficient of $x$. Checking the answer by "
     "substituting it back is quick and catches most slips.",
     (mathgen.linear, mathgen.system2)),
    ("Quadratic equations and Vieta's formulas", "For $x^2 + bx + c = 0$ with roots $r_1$ and $r_2$, "
     "expanding $(x - r_1)(x - r_2)$ shows that $r_1 + r_2 = -b$ and $r_1 r_2 = c$. These relations let us "
     "compute symmetric expressions of the roots, such as $r_1^2 + r_2^2$, without solving the equation.",
     (mathgen.quadratic,)),
    ("Arithmetic sequences", "An arithmetic sequence adds the same difference $d$ at every step, so the "
     "$n$-th term is $a + (n - 1)d$. Pairing the first and last terms, the second and second-to-last, and "
     "so on, gives the sum $\\frac{n}{2}(\\text{first} + \\text{last})$.",
     (mathgen.series,)),
    ("Greatest common divisors", "The Euclidean algorithm rests on one fact: $\\gcd(a, b) = \\gcd(b, a "
     "\\bmod b)$. Repeating the step shrinks the numbers quickly, and the last non-zero remainder is the "
     "greatest common divisor. The least common multiple then follows from $\\operatorname{lcm}(a, b) = ab "
     "/ \\gcd(a, b)$.",
     (mathgen.gcd_lcm,)),
    ("Modular arithmetic and powers", "To find a remainder of a large power, look for the cycle of the "
     "powers modulo $m$. Once $a^k \\equiv 1 \\pmod m$, exponents can be reduced modulo $k$. Euler's "
     "theorem guarantees such a $k$ exists when $a$ and $m$ are coprime.",
     (mathgen.modpow,)),
    ("Counting with combinations", "When order does not matter, the number of ways to choose $k$ items from "
     "$n$ is $\\binom{n}{k} = \\frac{n!}{k!(n-k)!}$. The symmetry $\\binom{n}{k} = \\binom{n}{n-k}$ often "
     "saves work.",
     (mathgen.choose,)),
    ("Probability with dice", "With two fair dice every ordered pair of faces is equally likely. A "
     "probability is then a count of favourable pairs divided by the number of all pairs, reduced to lowest "
     "terms.",
     (mathgen.dice,)),
    ("Derivatives and the power rule", "The derivative of $x^n$ is $nx^{n-1}$, and differentiation is "
     "linear, so a polynomial can be differentiated term by term. The derivative at a point is the slope of "
     "the tangent line there.",
     (stemgen.derivative_at, stemgen.chain_rule, stemgen.critical_points, stemgen.partials)),
    ("Definite integrals", "The fundamental theorem of calculus turns a definite integral into a difference "
     "of an antiderivative's values: $\\int_a^b f(x)\\,dx = F(b) - F(a)$. For polynomials, antiderivatives "
     "follow from the power rule in reverse.",
     (stemgen.definite_integral, stemgen.area_between, stemgen.improper, stemgen.revolution,
      stemgen.by_parts)),
    ("Series and convergence", "A geometric series $\\sum r^n$ converges exactly when $|r| < 1$, and then "
     "its sum is $\\frac{1}{1 - r}$. Many other series are compared with geometric ones to decide whether "
     "they converge.",
     (stemgen.geometric, stemgen.taylor_exp, stemgen.lhopital, stemgen.sine_limit)),
    ("Right triangles", "In a right triangle the square of the hypotenuse equals the sum of the squares of "
     "the legs. Integer solutions such as 3, 4, 5 and their multiples are called Pythagorean triples.",
     (mathgen.hypotenuse,)),
    ("Word problems with rates", "Rate problems all share one relation: amount equals rate times time. "
     "Identify which two of the three quantities are given and solve for the third, keeping the units "
     "consistent.",
     (mathgen.speed, mathgen.tank, mathgen.wages)),
    ("Functions and composition", "To evaluate $f(g(a))$, work from the inside out: compute $g(a)$ first, "
     "then feed the result to $f$. Composition is not commutative, so $f(g(x))$ and $g(f(x))$ usually "
     "differ.",
     (mathgen.compose,)),
    ("Number bases", "Writing a number in base $b$ means expressing it as a sum of powers of $b$. Repeated "
     "division by $b$ produces the digits from the last to the first, as the successive remainders.",
     (mathgen.base_convert,)),
    ("Counting divisors", "If $n = p_1^{e_1} p_2^{e_2} \\cdots p_k^{e_k}$, every divisor picks an exponent "
     "from 0 to $e_i$ for each prime, so $n$ has $(e_1 + 1)(e_2 + 1) \\cdots (e_k + 1)$ positive divisors.",
     (mathgen.divisors,)),
    ("Percentages in everyday problems", "A percentage is a fraction of one hundred. Taking $p\\%$ off a "
     "price leaves $(100 - p)\\%$ of it, and repeated savings or discounts are easiest to handle one step "
     "at a time.",
     (mathgen.discount, mathgen.savings, mathgen.shopping)),
    ("Ratios and proportion", "A ratio $a:b$ splits a total into $a + b$ equal parts. Scaling a recipe or a "
     "map works the same way: find the size of one part, then multiply.",
     (mathgen.ratio, mathgen.recipe, mathgen.bakery)),
    ("Averages", "The mean of a list is its total divided by the number of values. Working with totals "
     "rather than averages makes questions like 'what score do I need next?' straightforward.",
     (mathgen.average_needed, mathgen.ages, mathgen.fence)),
)
SITES = (
    "mathnotes.example.edu", "stepbystep-maths.net", "openproblems.org", "calcworkbook.com",
    "numbertheory-corner.net", "homeworkhelp.example.org",
)


def math_page(rng: random.Random) -> tuple[str, str]:
    """(text, url) of one page: a topic exposition and two or three worked examples."""
    title, intro, families = rng.choice(TOPICS)
    parts = [title, intro]
    for i in range(rng.randint(2, 3)):
        ex = rng.choice(families)(rng)
        if isinstance(ex, mathgen.Problem):
            parts.append(f"Example {i + 1}. {ex.question}\n\nSolution. " + " ".join(ex.steps)
                         + f" The answer is ${mathgen.answer_latex(ex.answer)}$.")
        else:
            assert isinstance(ex, stemgen.Derivation)
            parts.append(f"Example {i + 1}. {ex.question}\n\n"
                         f"Solution. {ex.cot.replace(chr(10), ' ')} {ex.response}")
    parts.append(rng.choice(["Try the exercises at the end of the section before moving on.",
                             "Next lesson: more practice problems with full solutions.",
                             "Questions about these examples are welcome in the forum.", ""]))
    text = "\n\n".join(p for p in parts if p)
    path = title.lower().replace(" ", "-").replace("'", "")
    return text, f"https://{rng.choice(SITES)}/{path}/{rng.randint(1, 999)}"


def site_url(rng: random.Random, path: str) -> str:
    return f"https://{rng.choice(SITES)}/{path}"


def script_notice(rng: random.Random) -> str:
    """What a page rendered by a script leaves to a text extractor (quality:boilerplate)."""
    return ("Please enable JavaScript to view this page.\n"
            "The equations on this site are rendered with a script.\n"
            f"Home | Courses | Forum | Log in\nPage {rng.randint(2, 40)} of {rng.randint(41, 90)}")
