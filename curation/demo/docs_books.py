"""Book-like narrative passages (a story grammar of characters, places and events).

Passages are a few paragraphs long, each paragraph built from sentence templates with
the passage's characters and setting in the slots, so passages read as prose from one
story and differ from each other.
"""

from __future__ import annotations

import random

from curation.demo.pools import NAMES, POSSESSIVE, TOWNS, cap

ADJ = (
    "Silent", "Copper", "Hidden", "Winter", "Last", "Painted", "Lantern", "Salt", "Hollow", "Northern",
    "Glass", "Amber",
)
NOUN = (
    "Harbour", "Orchard", "Lighthouse", "Letter", "Garden", "River", "Clockmaker", "Island", "Bridge",
    "Archive", "Compass", "Meadow",
)
WEATHER = (
    "a thin rain drifted in from the sea", "the first frost silvered the fields",
    "the wind rattled every shutter", "a low fog sat in the valley", "the afternoon was heavy with heat",
    "snow had fallen quietly overnight", "the sky cleared after a week of storms",
    "the evening light turned the stone walls gold",
)
OBJECTS = (
    "a brass key", "a folded map", "an unsigned letter", "a chipped teacup", "a ledger with missing pages",
    "a photograph of the old mill", "a music box", "a wooden compass", "a bundle of seed packets",
    "a lantern",
)
PLACES = (
    "the bakery on the square", "the boathouse", "the attic above the shop", "the station waiting room",
    "the walled garden", "the ferry landing", "the reading room of the library", "the orchard gate",
    "the empty chapel",
)

OPENING = (
    "{a} had not been back to {town} for {years} years, and {weather} as the bus pulled in.",
    "On the morning {weather}, {a} found {object} in {place}.",
    "Nobody in {town} spoke about the winter {a}'s family left, but everyone remembered it.",
    "It was {b} who first noticed that {object} had gone missing from {place}.",
    "{a} counted the steps down to {place} twice, as {pa2} always did when {pa2} was nervous.",
)
MIDDLE = (
    "\"You kept it all this time?\" {b} asked, turning {object} over in {pb} hands.",
    "{a} said nothing for a long moment, then laughed, a short surprised sound.",
    "The clock in {place} had stopped at twenty past four, and nobody had thought to wind it.",
    "Outside, {weather}, and the street lamps came on one by one.",
    "{b} had a way of asking questions that made silence feel like an answer.",
    "They walked as far as {place} before either of them mentioned the letter.",
    "{a} remembered {pa} grandmother's voice reading aloud, patient and unhurried.",
    "\"We could ask at the harbour office,\" {b} said. \"Someone there will know.\"",
    "The path narrowed between the hedges, and {a} had to stoop beneath the branches.",
    "It occurred to {a} that {pa2} had been waiting for this conversation for {years} years.",
    "A dog barked somewhere across the water, and then the evening was still again.",
    "{b} unfolded the map on the table and smoothed the creases flat with {pb} palm.",
    "There were {count} names in the ledger, and only one of them had been crossed out.",
    "\"Tomorrow,\" {a} said at last. \"We'll go tomorrow, when it's light.\"",
    "The kettle whistled, and for a while they were busy with cups and the small rituals of tea.",
    "{a} thought of the house at the end of the lane, its windows dark for so long.",
    "Somewhere below, a door banged in the wind, and {b} flinched before catching {pb} breath.",
    "\"You always did leave the hard part for last,\" {a} said, not unkindly.",
    "The handwriting was cramped and hurried, as if whoever wrote it had been afraid of being interrupted.",
    "{b} set {object} down between them as carefully as if it might break.",
    "They had to wait for the ferry, so they sat on the wall and watched the gulls argue over scraps.",
    "In {town} everyone knew everyone, which was exactly why nobody had asked.",
    "{a} traced the outline of the old mill in the photograph with one finger.",
    "Rain began again, softly at first, then hard enough to drum on the roof of {place}.",
    "\"I don't know what I expected,\" {b} admitted. \"Not this.\"",
    "For {years} years the shop had sold thread and buttons; now its shelves held only dust.",
)
CLOSING = (
    "By the time they reached {place}, {weather}, and the question no longer seemed so urgent.",
    "{a} slept badly that night, {object} on the table beside the bed.",
    "Later, {b} would say that was the moment everything in {town} began to change.",
    "When the bells rang {count} times, {a} finally understood what {pa} mother had meant.",
    "They left {place} in silence, but it was a different kind of silence now.",
)


def book_passage(rng: random.Random) -> tuple[str, str]:
    """(title, text) of one passage."""
    (a, pa), (b, pb) = rng.sample(NAMES, 2)
    slots = {
        "a": a, "b": b, "pa": POSSESSIVE[pa], "pa2": pa, "pb": POSSESSIVE[pb], "town": rng.choice(TOWNS),
        "years": rng.choice(["three", "seven", "ten", "twelve", "twenty"]), "weather": rng.choice(WEATHER),
        "object": rng.choice(OBJECTS), "place": rng.choice(PLACES),
        "count": rng.choice(["four", "six", "nine", "eleven"]),
    }
    paras = [rng.choice(OPENING).format(**slots)]
    middle = rng.sample(MIDDLE, rng.randint(7, 11))
    i = 0
    while i < len(middle):
        k = rng.randint(2, 3)
        paras.append(" ".join(m.format(**slots) for m in middle[i:i + k]))
        i += k
    paras.append(rng.choice(CLOSING).format(**slots))
    heading = title(rng)
    chapter = rng.randint(1, 30)
    text = f"Chapter {chapter}\n\n" + "\n\n".join(cap(p) for p in paras)
    return heading, text


def title(rng: random.Random) -> str:
    return f"The {rng.choice(ADJ)} {rng.choice(NOUN)}"


def front_matter(rng: random.Random) -> str:
    """An edition notice and a bare table of contents (quality:boilerplate)."""
    chapters = "\n".join(f"Chapter {i}" for i in range(1, rng.randint(4, 9)))
    return ("This digital edition is provided free of charge for personal reading. It may not be sold or "
            "redistributed for profit. Transcribed by volunteers; errors are ours.\n\nContents\n\n"
            f"{chapters}\n\nEdition {rng.randint(2, 9)}, scanned {rng.randint(2001, 2020)}.")
