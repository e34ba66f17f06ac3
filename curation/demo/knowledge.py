"""General instruction-following rows: facts, classification, rewriting, explanations.

Each generator returns a Task (instruction, optional input, answer). Templated families
put a slot every few words so rows from one template stay dissimilar; hand-written
answers (texts.py) come from one-use decks so no answer repeats across the demo.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from curation.demo import facts, texts
from curation.demo.pools import NAMES, POSSESSIVE, TOWNS, cap

Deal = Callable[[str, Sequence], object | None]


@dataclass(frozen=True)
class Task:
    instruction: str
    input: str
    output: str
    category: str  # a coarse kind, used for OpenHermes-style `category`


def capital(rng: random.Random, deal: Deal) -> Task | None:
    c = rng.choice(facts.COUNTRIES)
    q = rng.choice([f"What is the capital of {c.name}?", f"Which city is the capital of {c.name}?",
                    f"Name the capital city of {c.name}."])
    extra = rng.choice([f"{c.name[:1].upper() + c.name[1:]} is in {c.continent}, and its currency is "
                        f"{c.currency}.",
                        f"The main language there is {c.languages}." if " and " not in c.languages
                        else f"Its official languages include {c.languages}.",
                        f"It is located in {c.continent}."])
    return Task(q, "", f"The capital of {c.name} is {c.capital}. {extra}", "trivia")


def element(rng: random.Random, deal: Deal) -> Task | None:
    e = rng.choice(facts.ELEMENTS)
    way = rng.randrange(3)
    if way == 0:
        return Task(f"What is the chemical symbol for {e.name}?", "",
                    f"The chemical symbol for {e.name} is {e.symbol}. It has atomic number {e.number} and is "
                    f"{e.group}.", "trivia")
    if way == 1:
        return Task(f"Which element has the atomic number {e.number}?", "",
                    f"Atomic number {e.number} is {e.name} ({e.symbol}), {e.group} that is a {e.state} at "
                    "room temperature.", "trivia")
    return Task(f"Is {e.name} a solid, a liquid or a gas at room temperature?", "",
                f"{cap(e.name)} is a {e.state} at room temperature. It is {e.group} with the symbol "
                f"{e.symbol}.", "trivia")


def planet(rng: random.Random, deal: Deal) -> Task | None:
    name, pos, kind, fact = rng.choice(facts.PLANETS)
    art = "an" if kind[0] in "aeiou" else "a"
    if rng.random() < 0.5:
        return Task(f"Which planet is {facts.ORDINALS[pos - 1]} from the Sun?", "",
                    f"{name} is the {facts.ORDINALS[pos - 1]} planet from the Sun. It is {art} {kind}, and "
                    f"{fact}.", "trivia")
    return Task(f"Tell me one interesting fact about {name}.", "", f"{cap(fact)}. {name} is {art} {kind}, "
                f"{facts.ORDINALS[pos - 1]} in order from the Sun.", "trivia")


def animal(rng: random.Random, deal: Deal) -> Task | None:
    name, cls, fact = rng.choice(facts.ANIMALS)
    art = "an" if name[0] in "aeiou" else "a"
    if rng.random() < 0.5:
        return Task(f"Is {art} {name} a fish, a mammal, a bird or something else?", "",
                    f"{cap(art)} {name} is {'an' if cls[0] in 'aeiou' else 'a'} {cls}. A notable detail: "
                    f"{fact}.", "trivia")
    return Task(f"Share a surprising fact about the {name}.", "", f"{cap(fact)}. The {name} is "
                                                                  f"{'an' if cls[0] in 'aeiou' else 'a'} "
                                                                  f"{cls}.", "trivia")


_POS = (
    "sturdy", "comfortable", "great value", "quiet", "fast", "beautifully made", "easy to set up",
    "reliable", "lightweight", "well designed",
)
_NEG = (
    "flimsy", "noisy", "overpriced", "slow", "uncomfortable", "confusing to set up", "poorly made", "heavy",
    "unreliable", "disappointing",
)
_PRODUCTS = (
    "headphones", "blender", "hiking boots", "desk lamp", "backpack", "coffee grinder", "phone case",
    "electric kettle", "office chair", "yoga mat", "rice cooker", "bike light", "wireless mouse", "tent",
)


def sentiment(rng: random.Random, deal: Deal) -> Task | None:
    prod = rng.choice(_PRODUCTS)
    positive = rng.random() < 0.5
    a, b = rng.sample(_POS if positive else _NEG, 2)
    days = rng.choice(["two weeks", "a month", "three months", "a year", "a few days", "six weeks"])
    if positive:
        review = rng.choice([f"I've used this {prod} for {days} now. It's {a} and {b}. Would buy again.",
                             f"Honestly the best {prod} I've owned: {a}, {b}, and it arrived early."])
    else:
        review = rng.choice([f"Returned this {prod} after {days}. {cap(a)} and {b}. Not worth it.",
                             f"The {prod} looked nice in the photos, but it is {a} and {b}. Very "
                             "disappointed."])
    label = "positive" if positive else "negative"
    why = f"the reviewer calls the {prod} {a} and {b}"
    return Task(rng.choice(["Classify the sentiment of this product review as positive or negative.",
                            "Is the following review positive or negative?"]),
                review, f"The sentiment is {label}: {why}.", "classification")


def nli(rng: random.Random, deal: Deal) -> Task | None:
    (n, p) = rng.choice(NAMES)
    act, place = rng.choice(facts.ACTIVITIES_ING), rng.choice(facts.PLACES)
    premise = f"{n} is {act} in the {place}."
    kind = rng.randrange(3)
    if kind == 0:
        hyp, label, why = (rng.choice([f"{n} is in the {place}.", f"Someone is {act}."]), "entailment",
                           "the premise states this directly")
    elif kind == 1:
        other = rng.choice([pl for pl in facts.PLACES if pl != place])
        hyp, label = f"{n} is at the {other} right now.", "contradiction"
        why = f"{p} cannot be in the {place} and the {other} at once"
    else:
        hyp, label, why = (rng.choice([f"{n} is {act} with a friend.",
                                       f"{n} visits the {place} every week."]),
                           "neutral", "the premise says nothing about that")
    return Task("Does the premise entail the hypothesis? Answer entailment, contradiction or neutral.",
                f"Premise: {premise}\nHypothesis: {hyp}", f"{cap(label)}, because {why}.", "nli")


def sort_list(rng: random.Random, deal: Deal) -> Task | None:
    if rng.random() < 0.6:
        nums = rng.sample(range(-20, 100), rng.randint(4, 9))
        desc = rng.random() < 0.3
        q = rng.choice([f"sort this list{' in descending order' if desc else ''}: {nums}",
                        "Sort these numbers from "
                        f"{'largest to smallest' if desc else 'smallest to largest'}: "
                        + ", ".join(map(str, nums))])
        return Task(q, "", f"{sorted(nums, reverse=desc)}", "math")
    cat = rng.choice(list(facts.CATEGORIES))
    words = rng.sample(facts.CATEGORIES[cat], rng.randint(4, 7))
    return Task("Put these words in alphabetical order: " + ", ".join(words) + ".", "",
                ", ".join(sorted(words)) + ".", "wordgame")


def arithmetic(rng: random.Random, deal: Deal) -> Task | None:
    a, b = rng.randint(12, 99), rng.randint(12, 99)
    way = rng.randrange(3)
    if way == 0:
        tens, ones = b // 10 * 10, b % 10
        return Task(f"What is {a} x {b}?", "", f"{a} x {tens} = {a * tens} and {a} x {ones} = {a * ones}, so "
                    f"{a} x {b} = {a * tens} + {a * ones} = {a * b}.", "math")
    if way == 1:
        c = rng.randint(100, 999)
        return Task(f"Calculate {c} + {a} - {b}.", "",
                    f"{c} + {a} = {c + a}, and {c + a} - {b} = {c + a - b}.", "math")
    m = rng.randint(2, 12)
    return Task(f"What is {a * m} divided by {m}?", "", f"{a * m} / {m} = {a}, since {m} x {a} = {a * m}.",
                "math")


def convert(rng: random.Random, deal: Deal) -> Task | None:
    way = rng.randrange(4)
    if way == 0:
        km = rng.randint(3, 120)
        return Task(f"How many miles is {km} kilometers?", "", f"One kilometer is about 0.621 miles, so {km} "
                    f"km is about {km * 0.621371:.1f} miles.", "math")
    if way == 1:
        c = rng.randint(-15, 40)
        return Task(f"Convert {c} degrees Celsius to Fahrenheit.", "", f"F = C x 9/5 + 32 = {c} x 1.8 + 32 = "
                    f"{c * 1.8 + 32:g} degrees Fahrenheit.", "math")
    if way == 2:
        kg = rng.randint(2, 95)
        return Task(f"What is {kg} kg in pounds?", "", f"One kilogram is about 2.2046 pounds, so {kg} kg is "
                    f"about {kg * 2.20462:.1f} lb.", "math")
    mins = rng.randint(75, 600)
    return Task(f"How many hours and minutes are {mins} minutes?", "", f"{mins} minutes is {mins // 60} "
                f"hours and {mins % 60} minutes, because {mins // 60} x 60 = {mins // 60 * 60}.", "math")


def count_letters(rng: random.Random, deal: Deal) -> Task | None:
    cat = rng.choice(list(facts.CATEGORIES))
    word = rng.choice(facts.CATEGORIES[cat])
    letter = rng.choice(sorted(set(word.replace(" ", ""))))
    n = word.count(letter)
    return Task(f"How many times does the letter '{letter}' appear in the word '{word}'?", "",
                f"The letter '{letter}' appears {n} time{'s' if n != 1 else ''} in '{word}'.", "wordgame")


def entities(rng: random.Random, deal: Deal) -> Task | None:
    (n, _), town = rng.choice(NAMES), rng.choice(TOWNS)
    month = rng.choice(["January", "March", "April", "June", "August", "October", "November"])
    day = rng.randint(1, 28)
    org = rng.choice(["the Riverside Choir", "Harbor Robotics", "the Greenway Trust", "Northfield Library",
                      "Kestrel Cycling Club"])
    sent = rng.choice([f"On {month} {day}, {n} joined {org} in {town}.",
                       f"{n} will speak at {org} in {town} on {month} {day}."])
    return Task("Extract the people, organizations, places and dates from the sentence.", sent,
                f"Person: {n}\nOrganization: {org}\nPlace: {town}\nDate: {month} {day}", "extraction")


def passive(rng: random.Random, deal: Deal) -> Task | None:
    (n, _), (past, part, objs) = rng.choice(NAMES), rng.choice(facts.VERBS)
    obj = rng.choice(objs)
    when = rng.choice(["yesterday", "last week", "on Sunday", "this morning", "in May", "after lunch"])
    plural = obj.endswith("s") and not obj.endswith("ss")
    return Task("Rewrite the sentence in the passive voice.", f"{n} {past} the {obj} {when}.",
                f"The {obj} {'were' if plural else 'was'} {part} by {n} {when}.", "editor")


def grammar(rng: random.Random, deal: Deal) -> Task | None:
    (n, p) = rng.choice(NAMES)
    place = rng.choice(facts.PLACES)
    way = rng.randrange(3)
    if way == 0:
        poss = POSSESSIVE[p]
        wrong = f"{n} and {poss} friend goes to the {place} every day."
        right = f"{n} and {poss} friend go to the {place} every day."
        why = "a compound subject takes the plural verb 'go'"
    elif way == 1:
        wrong, right = f"Their going to the {place} after work.", f"They're going to the {place} after work."
        why = "'they're' is the contraction of 'they are'"
    else:
        wrong = f"{n} don't like the {place} when it's crowded."
        right = f"{n} doesn't like the {place} when it's crowded."
        why = "a singular subject takes 'doesn't'"
    return Task("Correct the grammar in this sentence.", wrong, f"{right}\n\nThe fix: {why}.", "editor")


def odd_one_out(rng: random.Random, deal: Deal) -> Task | None:
    cat, other = rng.sample(list(facts.CATEGORIES), 2)
    members = rng.sample(facts.CATEGORIES[cat], 3)
    odd = rng.choice(facts.CATEGORIES[other])
    shown = [*members]
    shown.insert(rng.randrange(4), odd)
    return Task(f"Which word does not belong: {', '.join(shown)}?", "",
                f"{cap(odd)} does not belong: it is a {other}, while {', '.join(members[:-1])} and "
                f"{members[-1]} are each a {cat}.",
                "wordgame")


def synonym(rng: random.Random, deal: Deal) -> Task | None:
    word, syn, ant = rng.choice(facts.WORDS)
    if rng.random() < 0.5:
        return Task(f"Give a synonym and an antonym for '{word}'.", "", f"Synonym: {syn}. Antonym: {ant}.",
                    "wordgame")
    return Task(f"What is the opposite of '{word}'?", "",
                f"The opposite of '{word}' is '{ant}'. A word with a similar meaning is '{syn}'.", "wordgame")


def explain(rng: random.Random, deal: Deal) -> Task | None:
    item = deal("explanations", texts.EXPLANATIONS)
    if item is None:
        return None
    topic, answer = item  # type: ignore[misc]
    q = rng.choice([f"Explain {topic} in simple terms.", f"Can you explain {topic}?",
                    f"Give me a short explanation of {topic}.", f"I never understood {topic}. Could you "
                                                                "explain it briefly?"])
    return Task(q, "", answer, "general")


def compare(rng: random.Random, deal: Deal) -> Task | None:
    item = deal("comparisons", texts.COMPARISONS)
    if item is None:
        return None
    a, b, answer = item  # type: ignore[misc]
    return Task(rng.choice([f"What is the difference between {a} and {b}?",
                            f"How does {a} differ from {b}?"]), "", answer, "general")


def tips(rng: random.Random, deal: Deal) -> Task | None:
    topic = rng.choice(list(texts.TIPS))
    k = rng.randint(3, 5)
    chosen = rng.sample(texts.TIPS[topic], k)
    q = rng.choice([f"Give me {k} tips for {topic}.", f"What are {k} practical tips for {topic}?",
                    f"List {k} pieces of advice for {topic}."])
    return Task(q, "", "\n".join(f"{i}. {t}" for i, t in enumerate(chosen, 1)), "general")


def define(rng: random.Random, deal: Deal) -> Task | None:
    item = deal("definitions", texts.DEFINITIONS)
    if item is None:
        return None
    word, meaning = item  # type: ignore[misc]
    return Task(rng.choice([f"What does '{word}' mean?", f"Define the word '{word}'."]), "",
                f"'{cap(word)}' means {meaning}.", "general")


def acronym(rng: random.Random, deal: Deal) -> Task | None:
    item = deal("acronyms", texts.ACRONYMS)
    if item is None:
        return None
    short, long, what = item  # type: ignore[misc]
    return Task(f"What does {short} stand for?", "", f"{short} stands for {long}: {what}.", "trivia")


def email(rng: random.Random, deal: Deal) -> Task | None:
    (to, _), (frm, _) = rng.sample(NAMES, 2)
    thing = rng.choice(["project review", "dentist appointment", "team lunch", "site visit", "piano lesson",
                        "budget meeting",
                        "book club", "client call"])
    d1, d2 = rng.sample(["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"], 2)
    reason = rng.choice(["a scheduling conflict", "a family matter", "a delayed flight", "an urgent deadline",
                         "a doctor's visit"])
    body = (f"Subject: Moving our {thing} to {d2}\n\nHi {to},\n\n"
            f"Because of {reason}, I can't make our {thing} on {d1}. Would {d2} at the same time work for "
            f"you? If not, let me know a time that suits you.\n\nThanks,\n{frm}")
    return Task(f"Write a short email to {to} asking to move the {thing} from {d1} to {d2}. Sign it "
                f"{frm}.", "", body, "writing")


def weekday(rng: random.Random, deal: Deal) -> Task | None:
    d = dt.date(rng.randint(1990, 2030), rng.randint(1, 12), rng.randint(1, 28))
    if rng.random() < 0.5:
        return Task(f"What day of the week is {d.strftime('%B')} {d.day}, {d.year}?", "",
                    f"{d.strftime('%B')} {d.day}, {d.year} is a {d.strftime('%A')}.", "trivia")
    e = d + dt.timedelta(days=rng.randint(3, 400))
    return Task(f"How many days are there from {d.isoformat()} to {e.isoformat()}?", "",
                f"There are {(e - d).days} days from {d.isoformat()} to {e.isoformat()}.", "math")


def yes_no(rng: random.Random, deal: Deal) -> Task | None:
    c, other = rng.sample(facts.COUNTRIES, 2)
    if rng.random() < 0.5:
        return Task(f"Is {c.capital} the capital of {c.name}? Answer yes or "
                    "no.", "", f"Yes. {c.capital} is the capital of {c.name}.", "trivia")
    return Task(f"Is {other.capital} the capital of {c.name}? Answer yes or no.", "",
                f"No. The capital of {c.name} is {c.capital}; {other.capital} is the capital of "
                f"{other.name}.", "trivia")


def multiple_choice(rng: random.Random, deal: Deal) -> Task | None:
    e = rng.choice(facts.ELEMENTS)
    wrong = rng.sample([x.symbol for x in facts.ELEMENTS if x.symbol != e.symbol], 3)
    opts = [e.symbol, *wrong]
    rng.shuffle(opts)
    letters = "ABCD"
    right = letters[opts.index(e.symbol)]
    shown = "\n".join(f"{letters[i]}. {o}" for i, o in enumerate(opts))
    return Task(f"Which is the chemical symbol of {e.name}?\n{shown}", "",
                f"{right}. {e.symbol} is the symbol of {e.name}.", "multiple_choice")


def summarize(rng: random.Random, deal: Deal) -> Task | None:
    town = rng.choice(TOWNS)
    (n, p) = rng.choice(NAMES)
    what = rng.choice(["a new cycle path", "the renovated library", "a weekend farmers' market",
                       "a community solar project",
                       "extended bus hours", "a repaired footbridge"])
    when = rng.choice(["next month", "in the spring", "on Saturday", "after the summer", "in two weeks"])
    cost = rng.randint(2, 90) * 10
    para = (f"The council of {town} announced {what} on Tuesday. Councillor {n} said the plan, costing about "
            f"{cost} thousand, responds to requests from residents over the past year. Work will start "
            f"{when}, and {p} expects only minor disruption to nearby streets. Residents can comment at the "
            "town hall until the end of the month.")
    return Task("Summarize the paragraph in one sentence.", para,
                f"{town} will start work on {what} {when}, a plan of about {cost} thousand that Councillor "
                f"{n} says answers residents' requests.",
                "summarization")


GENERAL: tuple[Callable[[random.Random, Deal], Task | None], ...] = (
    capital, element, planet, animal, sentiment, nli, sort_list, arithmetic, convert, count_letters,
    entities, passive, grammar, odd_one_out, synonym, explain, compare, tips, define, acronym, email,
    weekday, yes_no, multiple_choice, summarize, explain, tips, email, summarize, sentiment,
)


def general_task(rng: random.Random, deal: Deal) -> Task | None:
    return rng.choice(GENERAL)(rng, deal)
