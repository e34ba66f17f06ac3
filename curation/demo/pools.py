"""Small word pools shared by the demo's content generators (written for this project)."""

from __future__ import annotations

import random

# (first name, subject pronoun): the pronoun keeps word problems grammatical.
NAMES: tuple[tuple[str, str], ...] = (
    ("Maria", "she"),
    ("James", "he"),
    ("Aisha", "she"),
    ("Kenji", "he"),
    ("Sofia", "she"),
    ("Liam", "he"),
    ("Priya", "she"),
    ("Mateo", "he"),
    ("Olivia", "she"),
    ("Noah", "he"),
    ("Fatima", "she"),
    ("Lucas", "he"),
    ("Chloe", "she"),
    ("Omar", "he"),
    ("Hannah", "she"),
    ("Diego", "he"),
    ("Mei", "she"),
    ("Ethan", "he"),
    ("Zara", "she"),
    ("Samuel", "he"),
    ("Ingrid", "she"),
    ("Tomas", "he"),
    ("Leila", "she"),
    ("Arjun", "he"),
    ("Grace", "she"),
    ("Felix", "he"),
    ("Yuki", "she"),
    ("Daniel", "he"),
    ("Amara", "she"),
    ("Hugo", "he"),
    ("Nadia", "she"),
    ("Ravi", "he"),
    ("Elena", "she"),
    ("Jonah", "he"),
    ("Rosa", "she"),
    ("Kwame", "he"),
    ("Lena", "she"),
    ("Marcus", "he"),
    ("Ana", "she"),
    ("Victor", "he"),
    ("Isla", "she"),
    ("Caleb", "he"),
    ("Freya", "she"),
    ("Andre", "he"),
    ("Nora", "she"),
    ("Malik", "he"),
    ("Tara", "she"),
    ("Oscar", "he"),
    ("Beatriz", "she"),
    ("Emeka", "he"),
)

POSSESSIVE = {"she": "her", "he": "his"}

# (singular, plural, prices in cents)
ITEMS: tuple[tuple[str, str, tuple[int, ...]], ...] = (
    ("notebook", "notebooks", (200, 300, 350, 450)),
    ("pencil", "pencils", (50, 75, 120)),
    ("apple", "apples", (40, 60, 80)),
    ("movie ticket", "movie tickets", (800, 950, 1200)),
    ("candle", "candles", (300, 425, 600)),
    ("plant pot", "plant pots", (550, 700, 900)),
    ("sandwich", "sandwiches", (450, 525, 650)),
    ("comic book", "comic books", (300, 450, 599)),
    ("bag of rice", "bags of rice", (250, 375)),
    ("T-shirt", "T-shirts", (800, 1000, 1250)),
    ("jar of honey", "jars of honey", (600, 750)),
    ("bus pass", "bus passes", (2000, 2500)),
    ("sketchbook", "sketchbooks", (650, 725)),
    ("water bottle", "water bottles", (150, 225)),
    ("pack of batteries", "packs of batteries", (399, 550)),
    ("loaf of bread", "loaves of bread", (275, 320)),
    ("pair of socks", "pairs of socks", (350, 499)),
    ("box of tea", "boxes of tea", (425, 580)),
    ("puzzle", "puzzles", (1100, 1450)),
    ("flower bulb", "flower bulbs", (90, 135)),
)

VEHICLES = ("train", "bus", "cyclist", "truck", "ferry", "delivery van", "car", "runner", "hiker", "boat")

TOWNS = (
    "Millbrook", "Ashford Vale", "Corran Bay", "Elmstead", "Harlow Cross", "Kestrel Point", "Lindenfield",
    "Marrowgate", "Northwick", "Oakhurst", "Pellham", "Quarry Hill", "Redmere", "Stonebridge", "Thornbury",
    "Upton Reach", "Wexley", "Briar Glen", "Fallowmere", "Greyhaven", "Juniper Falls", "Larkspur",
)

COLORS = ("red", "blue", "green", "yellow", "purple", "orange", "white", "black")


def name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(NAMES)


def two_names(rng: random.Random) -> tuple[tuple[str, str], tuple[str, str]]:
    a, b = rng.sample(NAMES, 2)
    return a, b


def money(cents: int) -> str:
    """'$12', '$12.50'."""
    if cents % 100 == 0:
        return f"${cents // 100}"
    return f"${cents // 100}.{cents % 100:02d}"


def dollars(cents: int) -> float | int:
    return cents // 100 if cents % 100 == 0 else cents / 100


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]
