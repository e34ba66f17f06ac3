"""Small fact tables for general-knowledge rows (stable, well-known facts only)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Country:
    name: str
    capital: str
    continent: str
    languages: str
    currency: str


COUNTRIES: tuple[Country, ...] = (
    Country("France", "Paris", "Europe", "French", "the euro"),
    Country("Germany", "Berlin", "Europe", "German", "the euro"),
    Country("Spain", "Madrid", "Europe", "Spanish", "the euro"),
    Country("Italy", "Rome", "Europe", "Italian", "the euro"),
    Country("Portugal", "Lisbon", "Europe", "Portuguese", "the euro"),
    Country("the Netherlands", "Amsterdam", "Europe", "Dutch", "the euro"),
    Country("Poland", "Warsaw", "Europe", "Polish", "the zloty"),
    Country("Sweden", "Stockholm", "Europe", "Swedish", "the Swedish krona"),
    Country("Norway", "Oslo", "Europe", "Norwegian", "the Norwegian krone"),
    Country("Finland", "Helsinki", "Europe", "Finnish and Swedish", "the euro"),
    Country("Greece", "Athens", "Europe", "Greek", "the euro"),
    Country("Ireland", "Dublin", "Europe", "Irish and English", "the euro"),
    Country("Austria", "Vienna", "Europe", "German", "the euro"),
    Country("Hungary", "Budapest", "Europe", "Hungarian", "the forint"),
    Country("Denmark", "Copenhagen", "Europe", "Danish", "the Danish krone"),
    Country("Iceland", "Reykjavik", "Europe", "Icelandic", "the Icelandic krona"),
    Country("Japan", "Tokyo", "Asia", "Japanese", "the yen"),
    Country("South Korea", "Seoul", "Asia", "Korean", "the won"),
    Country("India", "New Delhi", "Asia", "Hindi and English", "the Indian rupee"),
    Country("Thailand", "Bangkok", "Asia", "Thai", "the baht"),
    Country("Vietnam", "Hanoi", "Asia", "Vietnamese", "the dong"),
    Country("Nepal", "Kathmandu", "Asia", "Nepali", "the Nepalese rupee"),
    Country("Malaysia", "Kuala Lumpur", "Asia", "Malay", "the ringgit"),
    Country("the Philippines", "Manila", "Asia", "Filipino and English", "the Philippine peso"),
    Country("Egypt", "Cairo", "Africa", "Arabic", "the Egyptian pound"),
    Country("Kenya", "Nairobi", "Africa", "Swahili and English", "the Kenyan shilling"),
    Country("Nigeria", "Abuja", "Africa", "English", "the naira"),
    Country("Ghana", "Accra", "Africa", "English", "the cedi"),
    Country("Morocco", "Rabat", "Africa", "Arabic and Amazigh", "the dirham"),
    Country("Ethiopia", "Addis Ababa", "Africa", "Amharic", "the birr"),
    Country("Canada", "Ottawa", "North America", "English and French", "the Canadian dollar"),
    Country("Mexico", "Mexico City", "North America", "Spanish", "the Mexican peso"),
    Country("Brazil", "Brasilia", "South America", "Portuguese", "the real"),
    Country("Argentina", "Buenos Aires", "South America", "Spanish", "the Argentine peso"),
    Country("Peru", "Lima", "South America", "Spanish, Quechua and Aymara", "the sol"),
    Country("Chile", "Santiago", "South America", "Spanish", "the Chilean peso"),
    Country("Colombia", "Bogota", "South America", "Spanish", "the Colombian peso"),
    Country("Australia", "Canberra", "Oceania", "English", "the Australian dollar"),
    Country("New Zealand", "Wellington", "Oceania", "English and Maori", "the New Zealand dollar"),
)


@dataclass(frozen=True)
class Element:
    name: str
    symbol: str
    number: int
    group: str  # a short description of its family
    state: str  # at room temperature


ELEMENTS: tuple[Element, ...] = (
    Element("hydrogen", "H", 1, "the lightest element", "gas"),
    Element("helium", "He", 2, "a noble gas", "gas"),
    Element("lithium", "Li", 3, "an alkali metal", "solid"),
    Element("carbon", "C", 6, "a nonmetal", "solid"),
    Element("nitrogen", "N", 7, "a nonmetal", "gas"),
    Element("oxygen", "O", 8, "a nonmetal", "gas"),
    Element("fluorine", "F", 9, "a halogen", "gas"),
    Element("neon", "Ne", 10, "a noble gas", "gas"),
    Element("sodium", "Na", 11, "an alkali metal", "solid"),
    Element("magnesium", "Mg", 12, "an alkaline earth metal", "solid"),
    Element("aluminium", "Al", 13, "a post-transition metal", "solid"),
    Element("silicon", "Si", 14, "a metalloid", "solid"),
    Element("phosphorus", "P", 15, "a nonmetal", "solid"),
    Element("sulfur", "S", 16, "a nonmetal", "solid"),
    Element("chlorine", "Cl", 17, "a halogen", "gas"),
    Element("argon", "Ar", 18, "a noble gas", "gas"),
    Element("potassium", "K", 19, "an alkali metal", "solid"),
    Element("calcium", "Ca", 20, "an alkaline earth metal", "solid"),
    Element("titanium", "Ti", 22, "a transition metal", "solid"),
    Element("iron", "Fe", 26, "a transition metal", "solid"),
    Element("cobalt", "Co", 27, "a transition metal", "solid"),
    Element("nickel", "Ni", 28, "a transition metal", "solid"),
    Element("copper", "Cu", 29, "a transition metal", "solid"),
    Element("zinc", "Zn", 30, "a transition metal", "solid"),
    Element("bromine", "Br", 35, "a halogen", "liquid"),
    Element("silver", "Ag", 47, "a transition metal", "solid"),
    Element("tin", "Sn", 50, "a post-transition metal", "solid"),
    Element("iodine", "I", 53, "a halogen", "solid"),
    Element("gold", "Au", 79, "a transition metal", "solid"),
    Element("mercury", "Hg", 80, "a transition metal", "liquid"),
    Element("lead", "Pb", 82, "a post-transition metal", "solid"),
    Element("uranium", "U", 92, "an actinide", "solid"),
)

# (name, position from the Sun, kind, one distinctive fact)
PLANETS: tuple[tuple[str, int, str, str], ...] = (
    ("Mercury", 1, "rocky planet", "it is the smallest planet and has almost no atmosphere"),
    ("Venus", 2, "rocky planet", "its thick carbon dioxide atmosphere makes it the hottest planet"),
    ("Earth", 3, "rocky planet", "it is the only planet known to support life"),
    ("Mars", 4, "rocky planet", "iron oxide dust gives its surface a reddish colour"),
    ("Jupiter", 5, "gas giant", "it is the largest planet in the Solar System"),
    ("Saturn", 6, "gas giant", "it has the most prominent ring system"),
    ("Uranus", 7, "ice giant", "it rotates on its side, with an axial tilt of about 98 degrees"),
    ("Neptune", 8, "ice giant", "it is the farthest planet from the Sun and has very strong winds"),
)
ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")

# (animal, class, one fact)
ANIMALS: tuple[tuple[str, str, str], ...] = (
    ("dolphin", "mammal", "it breathes air through a blowhole on top of its head"),
    ("bat", "mammal", "it is the only mammal capable of true flight"),
    ("penguin", "bird", "it cannot fly but uses its wings as flippers to swim"),
    ("octopus", "mollusc", "it has three hearts and blue blood"),
    ("salmon", "fish", "it hatches in fresh water, migrates to the sea and returns upstream to spawn"),
    ("frog", "amphibian", "it starts life as a tadpole that breathes with gills"),
    ("tortoise", "reptile", "it is a land-dwelling turtle that can live for many decades"),
    ("honeybee", "insect", "it communicates the direction of food with a waggle dance"),
    ("giraffe", "mammal", "it has the same number of neck vertebrae as a human, seven"),
    ("koala", "marsupial", "it feeds almost entirely on eucalyptus leaves"),
    ("shark", "fish", "its skeleton is made of cartilage rather than bone"),
    ("owl", "bird", "it can rotate its head much further than most birds"),
    ("spider", "arachnid", "it has eight legs and is not an insect"),
    ("whale shark", "fish", "it is the largest living fish and feeds on plankton"),
    ("chameleon", "reptile", "it can move its eyes independently of each other"),
    ("camel", "mammal", "its hump stores fat, not water"),
    ("starfish", "echinoderm", "it can regrow lost arms"),
    ("hummingbird", "bird", "it can hover and even fly backwards"),
    ("axolotl", "amphibian", "it keeps its larval gills as an adult"),
    ("snail", "mollusc", "it moves on a layer of mucus produced by its foot"),
)

# (category, members) for classification and odd-one-out rows
CATEGORIES: dict[str, tuple[str, ...]] = {
    "fruit": ("apple", "banana", "mango", "pear", "cherry", "kiwi", "plum", "apricot", "grape", "papaya"),
    "vegetable": (
        "carrot", "broccoli", "spinach", "cabbage", "onion", "leek", "cauliflower", "celery", "kale",
        "radish",
    ),
    "musical instrument": (
        "violin", "trumpet", "piano", "cello", "flute", "drum", "clarinet", "harp", "banjo", "oboe",
    ),
    "tool": (
        "hammer", "screwdriver", "wrench", "saw", "chisel", "pliers", "drill", "level", "file", "mallet",
    ),
    "vehicle": (
        "bicycle", "tram", "scooter", "truck", "canoe", "helicopter", "van", "ferry", "motorbike", "tractor",
    ),
    "color": (
        "crimson", "teal", "amber", "violet", "indigo", "magenta", "olive", "maroon", "turquoise", "beige",
    ),
    "sport": (
        "tennis", "rugby", "volleyball", "cricket", "fencing", "rowing", "judo", "archery", "badminton",
        "curling",
    ),
    "furniture": (
        "sofa", "wardrobe", "bookcase", "stool", "dresser", "bench", "armchair", "cabinet", "desk",
        "ottoman",
    ),
}

# (word, synonym, antonym)
WORDS: tuple[tuple[str, str, str], ...] = (
    ("happy", "cheerful", "sad"),
    ("fast", "quick", "slow"),
    ("ancient", "old", "modern"),
    ("brave", "courageous", "cowardly"),
    ("generous", "giving", "stingy"),
    ("difficult", "hard", "easy"),
    ("bright", "luminous", "dim"),
    ("calm", "serene", "agitated"),
    ("huge", "enormous", "tiny"),
    ("rich", "wealthy", "poor"),
    ("begin", "start", "finish"),
    ("accept", "agree to", "refuse"),
    ("increase", "raise", "decrease"),
    ("hide", "conceal", "reveal"),
    ("strong", "powerful", "weak"),
    ("polite", "courteous", "rude"),
    ("noisy", "loud", "quiet"),
    ("humid", "damp", "dry"),
    ("scarce", "rare", "plentiful"),
    ("timid", "shy", "bold"),
)

# (verb past, past participle, object nouns)
VERBS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("painted", "painted", ("fence", "mural", "kitchen", "portrait")),
    ("wrote", "written", ("report", "letter", "song", "poem")),
    ("built", "built", ("bookshelf", "treehouse", "website", "bridge model")),
    ("repaired", "repaired", ("bicycle", "roof", "laptop", "clock")),
    ("baked", "baked", ("bread", "pie", "birthday cake", "cookies")),
    ("delivered", "delivered", ("package", "speech", "newspapers", "groceries")),
    ("designed", "designed", ("logo", "garden", "poster", "app")),
    ("cleaned", "cleaned", ("garage", "windows", "aquarium", "attic")),
    ("chose", "chosen", ("winner", "menu", "paint colour", "venue")),
    ("took", "taken", ("photograph", "last seat", "early train", "notes")),
    ("found", "found", ("missing key", "old map", "lost kitten", "wallet")),
    ("planted", "planted", ("tomatoes", "oak sapling", "tulips", "herbs")),
    ("sold", "sold", ("old car", "paintings", "house", "ticket")),
    ("organized", "organized", ("meeting", "fundraiser", "files", "trip")),
)

PLACES = (
    "library", "park", "kitchen", "train station", "museum", "garden", "classroom", "market", "beach",
    "studio", "harbour", "bakery", "gym", "office", "café",
)
ACTIVITIES_ING = (
    "reading a newspaper", "painting a landscape", "playing the violin", "feeding the ducks",
    "writing in a notebook", "repairing a bicycle", "sorting old photographs", "practising yoga",
    "tasting bread", "sketching the skyline", "tuning a guitar", "stacking chairs",
)
