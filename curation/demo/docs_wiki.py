"""Encyclopedia-style articles: countries, elements, planets, animals and (invented) villages.

The invented settlements get generated names so that the corpus has as many distinct
articles as a demo needs without inventing facts about real places.
"""

from __future__ import annotations

import random

from curation.demo import facts
from curation.demo.pools import cap

_SYL_A = (
    "Ash", "Bram", "Cal", "Dun", "El", "Fen", "Gar", "Hol", "Ing", "Kel", "Lor", "Mar", "Nor", "Os", "Pen",
    "Rad", "Sel", "Tor", "Ul", "Wy",
)
_SYL_B = (
    "by", "ford", "wick", "stead", "holm", "ton", "mere", "thorpe", "dale", "well", "combe", "hurst", "ley",
    "wood",
)
REGIONS = (
    "the Upper Fen district", "the Kessel valley", "the Marrow hills", "the northern lake district",
    "the Saltmarsh coast", "the Greywater basin", "the Oriel plateau", "the Tarn uplands",
)
INDUSTRIES = (
    "dairy farming", "a small woollen mill", "stone quarrying", "fruit orchards", "a ferry service",
    "timber", "tourism centred on its walking trails", "a pottery workshop", "fishing", "cider making",
)
FEATURES = (
    "a medieval stone bridge", "a restored watermill", "a parish church with a square tower",
    "a village green", "a Victorian railway station, now a museum", "an annual cheese fair",
    "a lime avenue planted in the 1880s", "the remains of a hill fort", "a lakeside bathing house",
)


def _place_name(rng: random.Random) -> str:
    return rng.choice(_SYL_A) + rng.choice(_SYL_B)


def settlement(rng: random.Random) -> tuple[str, str]:
    name = _place_name(rng)
    kind = rng.choice(["village", "small town", "hamlet", "market town"])
    pop = rng.randint(80, 9000) if kind != "hamlet" else rng.randint(20, 150)
    year = rng.randint(1086, 1890)
    region = rng.choice(REGIONS)
    sents = [
        f"{name} is a {kind} in {region}. At the most recent census it had a population of {pop}.",
        rng.choice([f"The settlement is first recorded in {year}.", f"Records of {name} go back to {year}.",
                    f"A chapel is mentioned at {name} in {year}, though settlement there is older."]),
        f"Its economy has historically depended on {rng.choice(INDUSTRIES)}"
        + (f" and {rng.choice(INDUSTRIES)}." if rng.random() < 0.5 else "."),
        f"Notable features include {rng.choice(FEATURES)} and {rng.choice(FEATURES)}.",
        rng.choice([f"The nearest railway station is {rng.randint(2, 25)} km away.",
                    f"The {kind} lies at an elevation of about {rng.randint(5, 900)} m.",
                    f"A primary school serves {name} and {rng.randint(2, 5)} neighbouring villages."]),
    ]
    if rng.random() < 0.5:
        sents.insert(2, "The name is thought to derive from the Old English for "
                        f"'{rng.choice(['ash tree', 'ford', 'farmstead', 'meadow', 'spring'])}'.")
    return name, " ".join(sents)


GROUP_NOTES = {
    "the lightest element": (
        "It is the most abundant element in the universe and forms water when it burns in oxygen."
    ),
    "a noble gas": (
        "Noble gases are colourless, odourless and very unreactive because their outer electron shells are "
        "full."
    ),
    "an alkali metal": "Alkali metals are soft enough to cut with a knife and react vigorously with water.",
    "a nonmetal": "Nonmetals are generally poor conductors of heat and electricity.",
    "a halogen": "Halogens are reactive nonmetals that combine with metals to form salts.",
    "an alkaline earth metal": (
        "Alkaline earth metals are shiny, fairly reactive metals found in many minerals."
    ),
    "a post-transition metal": (
        "Post-transition metals are relatively soft and have lower melting points than transition metals."
    ),
    "a metalloid": (
        "Metalloids have properties between those of metals and nonmetals, which makes several of them "
        "semiconductors."
    ),
    "a transition metal": (
        "Transition metals are typically hard, conduct electricity well and form coloured compounds."
    ),
    "an actinide": "All actinides are radioactive.",
}
KIND_NOTES = {
    "rocky planet": "Rocky planets have solid surfaces made mostly of silicate rock and metal.",
    "gas giant": "Gas giants are composed mainly of hydrogen and helium and have no solid surface.",
    "ice giant": "Ice giants contain large amounts of water, ammonia and methane beneath their atmospheres.",
}
CLASS_NOTES = {
    "mammal": "Mammals are warm-blooded vertebrates that feed their young on milk.",
    "bird": "Birds are warm-blooded vertebrates with feathers and beaks, and they lay hard-shelled eggs.",
    "fish": "Fish are aquatic vertebrates that breathe through gills.",
    "amphibian": "Amphibians typically begin life in water and later live partly on land.",
    "reptile": "Reptiles are cold-blooded vertebrates with skin covered in scales.",
    "insect": "Insects have six legs and a body divided into head, thorax and abdomen.",
    "mollusc": "Molluscs are soft-bodied invertebrates, and many of them have shells.",
    "marsupial": "Marsupials carry and nurse their young in a pouch.",
    "arachnid": "Arachnids have eight legs and two main body segments.",
    "echinoderm": "Echinoderms are marine animals with radial symmetry, such as sea urchins and sea stars.",
}


def country_article(c: facts.Country, rng: random.Random) -> tuple[str, str]:
    title = c.name.removeprefix("the ")
    several = " and " in c.languages or "," in c.languages
    lang = (f"Official languages include {c.languages}." if several
            else f"The official language is {c.languages}.")
    text = (f"{cap(c.name)} is a country in {c.continent}. Its capital and seat of government is "
            f"{c.capital}. {lang} The currency is {c.currency}.\n\n"
            f"{c.capital} is among the country's main cultural and economic centres, and it is the usual "
            f"starting point for visitors to {c.name}.")
    return title, text


def element_article(e: facts.Element, rng: random.Random) -> tuple[str, str]:
    text = (f"{cap(e.name)}, symbol {e.symbol}, is element number {e.number} of the periodic table: each of "
            f"its atoms carries {e.number} protons in the nucleus. It is {e.group}, and at room temperature "
            f"it is a {e.state}.\n\n{GROUP_NOTES[e.group]}")
    return cap(e.name), text


def planet_article(p: tuple[str, int, str, str], rng: random.Random) -> tuple[str, str]:
    name, pos, kind, fact = p
    order = [x[0] for x in facts.PLANETS]
    near = [order[i] for i in (pos - 2, pos) if 0 <= i < len(order)]
    neighbours = " and ".join(near)
    return name, (f"{name} is the {facts.ORDINALS[pos - 1]} planet from the Sun and is classified as "
                  f"{'an' if kind[0] in 'aeiou' else 'a'} {kind}. "
                  f"{cap(fact)}.\n\n{KIND_NOTES[kind]} In order from the Sun, its neighbouring "
                  f"planet{'s are' if len(near) > 1 else ' is'} {neighbours}.")


def animal_article(a: tuple[str, str, str], rng: random.Random) -> tuple[str, str]:
    name, cls, fact = a
    art = "an" if cls[0] in "aeiou" else "a"
    return cap(name), f"The {name} is {art} {cls}. {cap(fact)}.\n\n{CLASS_NOTES[cls]}"


def wiki_articles(rng: random.Random) -> list[tuple[str, str]]:
    """The fact-table articles (one per country, element, planet, animal), in a seeded order."""
    out = [country_article(c, rng) for c in facts.COUNTRIES]
    out += [element_article(e, rng) for e in facts.ELEMENTS]
    out += [planet_article(p, rng) for p in facts.PLANETS]
    out += [animal_article(a, rng) for a in facts.ANIMALS]
    rng.shuffle(out)
    return out


def disambiguation(rng: random.Random) -> tuple[str, str]:
    """A stub: almost no content (quality:too_short)."""
    name = _place_name(rng)
    return name, f"{name} may refer to:\n\n{name}, a village in {rng.choice(REGIONS)}\n{name} (surname)"
