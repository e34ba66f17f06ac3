"""Web-page-like English articles (recipes, gardening, how-tos, reviews, local news ...).

Articles are assembled from topic sentence pools with numbers, names and places in the
slots; a page is a title and a few paragraphs, as extracted web text looks.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable

from curation.demo.facts import COUNTRIES
from curation.demo.pools import NAMES, TOWNS, cap

Page = tuple[str, str, str]  # (title, text, url path)

SITES = (
    "kitchenledger", "greenthumbjournal", "thehowtodesk", "gearnotes", "townwire", "moneysense-daily",
    "fitwithin", "pawsandwhiskers", "wanderpages", "fixitweekend", "brightbytes", "slowtravelnotes",
    "homesteadhub", "dailyquill",
)
TLDS = ("com", "net", "org", "co.uk", "blog", "io")


def slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


def url(rng: random.Random, site: str, path: str) -> str:
    return f"https://www.{site}.{rng.choice(TLDS)}/{path}"


def _pick(rng: random.Random, pool: tuple[str, ...], lo: int, hi: int) -> list[str]:
    return rng.sample(pool, rng.randint(lo, min(hi, len(pool))))


# --- recipes -------------------------------------------------------------------------------

DISHES = (
    "lentil soup", "banana bread", "vegetable curry", "lemon risotto", "oat cookies", "tomato pasta",
    "chickpea salad", "mushroom omelette", "apple crumble", "fried rice", "pumpkin soup", "garlic flatbread",
    "spinach pie", "corn fritters", "baked salmon", "bean chilli", "carrot cake", "potato gratin",
    "shakshuka", "noodle stir-fry",
)
INGREDIENTS = (
    "onion", "garlic clove", "olive oil", "butter", "plain flour", "egg", "milk", "vegetable stock",
    "tin of tomatoes", "carrot", "celery stick", "red lentils", "rice", "lemon", "fresh parsley",
    "ground cumin", "smoked paprika", "brown sugar", "baking powder", "grated cheese", "spinach",
    "chickpeas", "soy sauce", "ginger", "chilli flakes",
)
RECIPE_LINES = (
    "Heat {oil} tablespoons of oil in a large pan over a medium heat.",
    "Add the onion and cook for {m1} minutes until soft but not brown.",
    "Stir in the spices and cook for another minute, until fragrant.",
    "Pour in {ml} ml of stock and bring to a gentle simmer.",
    "Preheat the oven to {temp} degrees C and line a tin with baking paper.",
    "Whisk the eggs with a pinch of salt, then fold in the flour in two batches.",
    "Simmer, partly covered, for {m2} minutes, stirring now and then.",
    "Bake for {m3} minutes, until golden and a skewer comes out clean.",
    "Season to taste and finish with a squeeze of lemon.",
    "Leave to cool for {m1} minutes before slicing.",
    "Blend half of the mixture for a creamier texture, or leave it chunky.",
    "Scatter over the chopped herbs just before serving.",
)
RECIPE_INTROS = (
    "This {dish} is what I make when the week has been long and the fridge is nearly empty.",
    "My {dish} recipe has been tweaked over {years} years of family dinners, and this is the version "
    "everyone asks for.",
    "If you have never made {dish} at home, start here: it takes about {total} minutes and very little "
    "washing up.",
    "A reader from {town} asked for an easier {dish}, so here is my weeknight take.",
)
RECIPE_TIPS = (
    "It keeps in the fridge for {days} days and freezes well.",
    "You can swap the butter for oil to make it dairy-free.",
    "Doubling the recipe works fine; just use a wider pan.", "Leftovers make a good lunch the next day.",
    "If it looks too thick, loosen it with a splash of water.", "Serves {serves}.",
)


def recipe(rng: random.Random) -> Page:
    dish = rng.choice(DISHES)
    slots = {
        "oil": rng.randint(1, 3), "m1": rng.choice([5, 8, 10, 12]),
        "ml": rng.choice([250, 400, 500, 750, 1000]),
        "temp": rng.choice([160, 170, 180, 190, 200, 220]), "m2": rng.choice([15, 20, 25, 30, 40]),
        "m3": rng.choice([20, 25, 35, 45, 50, 60]), "dish": dish, "years": rng.randint(2, 20),
        "total": rng.choice([30, 40, 45, 60, 75]), "town": rng.choice(TOWNS), "days": rng.randint(2, 5),
        "serves": rng.randint(2, 8),
    }
    ings = [f"{rng.randint(1, 4) if rng.random() < 0.6 else rng.choice([50, 100, 150, 200, 300])}"
            f"{'' if rng.random() < 0.6 else ' g'} {i}" for i in _pick(rng, INGREDIENTS, 5, 9)]
    steps = _pick(rng, RECIPE_LINES, 4, 7)
    title = rng.choice([f"Easy {dish}", f"The best {dish} for busy evenings", f"{cap(dish)}, my way",
                        f"One-pot {dish}"])
    text = "\n\n".join([
        rng.choice(RECIPE_INTROS).format(**slots),
        "Ingredients:\n" + "\n".join(f"- {i}" for i in ings),
        "Method:\n" + "\n".join(f"{n}. {s.format(**slots)}" for n, s in enumerate(steps, 1)),
        " ".join(t.format(**slots) for t in _pick(rng, RECIPE_TIPS, 1, 3)),
    ])
    return title, text, f"recipes/{slug(title)}"


# --- gardening --------------------------------------------------------------------------------

PLANTS = (
    "tomatoes", "basil", "lavender", "courgettes", "strawberries", "sweet peas", "garlic", "runner beans",
    "chillies", "rosemary", "lettuce", "dahlias", "potatoes", "raspberries", "sunflowers", "mint",
)
GARDEN_LINES = (
    "{plant} like a sunny, sheltered spot with at least {sun} hours of direct light.",
    "Sow or plant them in {month}, once the soil has warmed up.",
    "Space the plants about {cm} cm apart so air can move between them.",
    "Water deeply {times} times a week rather than a little every day.",
    "A thick mulch of compost keeps the roots cool and cuts down on weeding.",
    "Feed every {weeks} weeks with a liquid fertiliser once flowers appear.",
    "Watch for slugs after rain; a torch-lit patrol in the evening works wonders.",
    "Pinch out the tips when they reach {cm2} cm to encourage bushier growth.",
    "In containers, use a pot at least {pot} litres in size and check it daily in hot weather.",
    "Harvest little and often: picking regularly keeps the plants producing.",
)


def gardening(rng: random.Random) -> Page:
    plant = rng.choice(PLANTS)
    s = {
        "plant": cap(plant), "sun": rng.randint(4, 8),
        "month": rng.choice(["March", "April", "May", "June", "September"]),
        "cm": rng.choice([15, 20, 30, 45, 60]), "times": rng.randint(2, 4), "weeks": rng.choice([1, 2, 3]),
        "cm2": rng.choice([15, 20, 25, 30]), "pot": rng.choice([5, 10, 15, 20, 30]),
    }
    title = rng.choice([f"How to grow {plant}", f"Growing {plant}: a beginner's guide",
                        f"{cap(plant)} in small gardens"])
    lines = [x.format(**s) for x in _pick(rng, GARDEN_LINES, 5, 8)]
    intro = rng.choice([f"{cap(plant)} are one of the most rewarding things to grow, even in a small space.",
                        f"After {rng.randint(2, 15)} seasons on my allotment, here is what works for "
                        f"{plant}.",
                        f"Readers in {rng.choice(TOWNS)} often ask why their {plant} struggle, so here are "
                        "the basics."])
    return title, f"{intro}\n\n" + " ".join(lines[:3]) + "\n\n" + " ".join(lines[3:]), f"garden/{slug(title)}"


# --- tech how-to ---------------------------------------------------------------------------------

HOWTOS: dict[str, tuple[str, ...]] = {
    "back up your photos": (
        "Decide where the backup will live: an external drive, a second computer or a cloud service.",
        "Copy the whole photo folder first, then set up an automatic sync.",
        "Keep at least one copy in a different building.",
        "Test a restore of a few files every few months.",
        "Label the drive with the date of the last full backup.",
    ),
    "speed up a slow laptop": (
        "Check which programs start automatically and disable the ones you do not need.",
        "Free up disk space; a nearly full drive slows everything down.",
        "Install pending system updates and restart.",
        "Close browser tabs you are not using.",
        "If it is still slow, consider replacing the hard drive with an SSD.",
    ),
    "create strong passwords": (
        "Use a password manager to generate and store long random passwords.",
        "Prefer passphrases of four or more unrelated words.",
        "Never reuse a password between sites.",
        "Turn on two-factor authentication where it is offered.",
        "Change a password straight away if a service reports a breach.",
    ),
    "set up a home Wi-Fi network": (
        "Place the router high and near the middle of the home.",
        "Change the default admin password before anything else.",
        "Use WPA3, or WPA2 if older devices need it.", "Give the network a name that does not identify you.",
        "Update the router's firmware regularly.",
    ),
    "clean up your email inbox": (
        "Unsubscribe from newsletters you never read.",
        "Create a few folders and filters for recurring mail.",
        "Archive instead of deleting when you are unsure.",
        "Deal with anything that takes two minutes immediately.",
        "Set aside a fixed time each day for email.",
    ),
    "learn keyboard shortcuts": (
        "Pick three shortcuts for actions you do dozens of times a day.",
        "Write them on a sticky note next to the screen.",
        "Force yourself to use them for a week.",
        "Add two new ones every week.",
        "Most menus show the shortcut next to each command.",
    ),
}


def howto(rng: random.Random) -> Page:
    task = rng.choice(list(HOWTOS))
    steps = rng.sample(HOWTOS[task], rng.randint(3, 5))
    (n, _) = rng.choice(NAMES)
    minutes = rng.choice([10, 15, 20, 30, 45])
    title = rng.choice([f"How to {task}", f"A {minutes}-minute guide to help you {task}",
                        f"{n}'s checklist: {task}"])
    intro = rng.choice([f"You do not need to be an expert to {task}. It takes about {minutes} minutes.",
                        f"Last month {rng.randint(3, 40)} readers wrote in asking how to {task}. Here is the "
                        "short version.",
                        f"{n} from our help desk walks through the steps to {task}."])
    outro = rng.choice(["That's it. Bookmark this page for next time.", "Questions? Leave a comment below.",
                        f"Updated {rng.choice(['January', 'March', 'July', 'October'])} "
                        f"{rng.randint(2019, 2025)}."])
    numbered = "\n".join(f"Step {i}: {s}" for i, s in enumerate(steps, 1))
    return title, f"{intro}\n\n{numbered}\n\n{outro}", f"guides/{slug(title)}"


# --- product reviews ------------------------------------------------------------------------------

PRODUCTS = (
    "robot vacuum", "standing desk", "e-reader", "trail running shoes", "espresso machine", "air purifier",
    "mechanical keyboard", "camping stove", "smart thermostat", "bike helmet", "portable speaker",
    "rice cooker",
)
PROS = (
    "battery life is excellent", "setup took under ten minutes", "it feels solid and well built",
    "it is quiet in use", "the price is fair for what you get", "the app is simple and does not nag",
    "it is easy to clean", "it fits in a small flat without fuss",
)
CONS = (
    "the manual is vague", "the cable is too short", "it is heavier than it looks", "the buttons feel cheap",
    "replacement parts are hard to find", "it gets warm after long use", "the colour options are limited",
)


def review(rng: random.Random) -> Page:
    prod = rng.choice(PRODUCTS)
    price, stars, weeks = rng.randint(25, 600), rng.randint(2, 5), rng.randint(2, 30)
    pros, cons = _pick(rng, PROS, 2, 3), _pick(rng, CONS, 1, 2)
    title = rng.choice([f"{cap(prod)} review: {weeks} weeks later", f"Is this {prod} worth ${price}?",
                        f"Long-term test: {prod}"])
    text = (f"I bought this {prod} for ${price} and have used it for {weeks} weeks.\n\n"
            f"What I like: {'; '.join(pros)}.\n\nWhat could be better: {'; '.join(cons)}.\n\n"
            f"Verdict: {stars} out of "
            "5. " + rng.choice(["I'd buy it again.", "Good, but shop around for a discount.",
                                                       "Fine for light use.",
                                                       "Hard to recommend at full price."]))
    return title, text, f"reviews/{slug(title)}-{rng.randint(100, 999)}"


# --- local news ------------------------------------------------------------------------------------

EVENTS = (
    "the spring fair", "a charity fun run", "the library's book sale", "an open day at the fire station",
    "a repair café", "the annual duck race", "a jazz evening in the park", "a tree-planting morning",
    "the harvest market",
)


_GOOD_CAUSES = (
    "the village hall roof", "the food bank", "new playground equipment", "the youth football club",
)


def news(rng: random.Random) -> Page:
    town, event = rng.choice(TOWNS), rng.choice(EVENTS)
    (n, _), (m, _) = rng.sample(NAMES, 2)
    people, money = rng.randint(80, 3000), rng.randint(2, 60) * 50
    day = rng.choice(["Saturday", "Sunday", "last weekend", "on Friday evening"])
    title = rng.choice([f"{town} turns out for {event}", f"{cap(event)} raises {money} for local causes",
                        f"Record crowd at {event} in {town}"])
    text = (f"About {people} people attended {event} in {town} {day}, organisers said.\n\n"
            f"\"We were amazed by the turnout,\" said {n}, who has helped run the event for "
            f"{rng.randint(2, 20)} years. Volunteers raised {money} pounds, which will go to "
            f"{rng.choice(_GOOD_CAUSES)}.\n"
            f"\n{m}, a first-time visitor, said the "
            f"{rng.choice(['cake stall', 'live music', 'dog show', 'plant sale'])} was the highlight. The "
            f"next event is planned for {rng.choice(['June', 'September', 'December', 'the spring'])}.")
    return title, text, f"news/{slug(town)}/{slug(title)}"


# --- personal finance -----------------------------------------------------------------------------


def finance(rng: random.Random) -> Page:
    income = rng.randrange(1800, 6500, 50)
    rent_pct, save_pct = rng.choice([25, 30, 35, 40]), rng.choice([5, 10, 15, 20])
    rent, save = income * rent_pct // 100, income * save_pct // 100
    months = rng.choice([3, 6])
    title = rng.choice([f"A budget on {income} a month", f"Saving {save_pct}% when rent takes {rent_pct}%",
                        f"Building a {months}-month emergency fund"])
    text = (f"Take a take-home income of {income} a month. If rent is {rent_pct}% of that, it costs {rent}. "
            f"Putting {save_pct}% aside means saving {save} each month, or {save * 12} over a year.\n\n"
            f"An emergency fund of {months} months of essential spending is a common target. With essentials "
            f"of about {rent + income // 5}, that is {(rent + income // 5) * months}. At {save} a month it "
            f"takes {-(-((rent + income // 5) * months) // save)} months to build.\n\n"
            + rng.choice(["Automate the transfer on payday so you never see the money.",
                          "Review subscriptions once a quarter; they add up quietly.",
                          "Keep the fund in an easy-access account, separate from daily spending."]))
    return title, text, f"money/{slug(title)}"


# --- fitness ---------------------------------------------------------------------------------------

EXERCISES = (
    "squats", "push-ups", "lunges", "plank holds", "glute bridges", "step-ups", "bent-over rows",
    "mountain climbers", "dead bugs", "calf raises", "shoulder presses", "burpees",
)


def fitness(rng: random.Random) -> Page:
    days, mins = rng.randint(2, 5), rng.choice([20, 25, 30, 40, 45])
    moves = _pick(rng, EXERCISES, 4, 6)
    title = rng.choice([f"A {mins}-minute home workout", f"{days} days a week: a simple strength plan",
                        "No-equipment circuit for beginners"])
    plan = "\n".join(f"- {m}: {rng.randint(2, 4)} sets of {rng.choice([8, 10, 12, 15, 20])}"
                     + (" seconds" if m == "plank holds" else "") for m in moves)
    text = (f"This plan takes about {mins} minutes and works best {days} times a week.\n\n"
            f"Warm up for {rng.randint(3, 8)} minutes with brisk walking or marching on the spot.\n\n{plan}\n"
            f"\nRest {rng.choice([30, 45, 60, 90])} seconds between sets. Add a set every "
            f"{rng.randint(1, 3)} weeks as it gets easier.")
    return title, text, f"training/{slug(title)}-{rng.randint(10, 99)}"


# --- travel ------------------------------------------------------------------------------------------

SIGHTS = (
    "the old market hall", "the riverside promenade", "the botanical garden", "a hilltop viewpoint",
    "the main cathedral", "the modern art museum", "a street of second-hand bookshops",
    "the covered food market", "the harbour", "the university quarter", "a city-centre park",
    "the railway museum",
)


def travel(rng: random.Random) -> Page:
    c = rng.choice(COUNTRIES)
    days = rng.randint(2, 5)
    sights = _pick(rng, SIGHTS, 3, 5)
    title = rng.choice([f"{days} days in {c.capital}", f"{c.capital} on a budget",
                        f"First time in {c.capital}? Start here"])
    text = (f"{c.capital} is the capital of {c.name}, and {days} days is enough to get a feel for it.\n\n"
            f"Day one: start at {sights[0]}, then walk to "
            f"{sights[1]}. " + f"Save {sights[2]} for the late afternoon light.\n\n"
            + (f"If you have more time, {' and '.join(sights[3:])} {'are' if len(sights) > 4 else 'is'} "
               "worth the detour. "
               if len(sights) > 3 else "")
            + f"Prices are in {c.currency}; small cafés may prefer cash. Public transport is the easiest way "
            f"around, and a {rng.choice(['day', 'three-day', 'weekly'])} pass costs less than "
            f"{rng.randint(3, 12)} single tickets.")
    return title, text, f"travel/{slug(c.capital)}/{slug(title)}"


ARTICLES: tuple[Callable[[random.Random], Page], ...] = (
    recipe, gardening, howto, review, news, finance, fitness, travel, recipe, gardening, review, news,
)


def web_page(rng: random.Random) -> tuple[str, str, str]:
    """(title, text, url) of one article; the text starts with the title line."""
    title, text, path = rng.choice(ARTICLES)(rng)
    return title, f"{title}\n\n{text}", url(rng, rng.choice(SITES), path)
