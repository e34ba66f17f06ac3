"""Problem documents: non-English pages, boilerplate, lorem ipsum, PII, stubs, repeated lines.

The French, German and Spanish texts were written for this project.
"""

from __future__ import annotations

import random

from curation.demo.pools import NAMES, TOWNS

NON_ENGLISH: tuple[tuple[str, str], ...] = (
    (
        "fr",
        "Recette facile : soupe de lentilles corail\n\nFaites revenir un oignon émincé dans un peu d'huile "
        "d'olive. Ajoutez deux cents grammes de lentilles corail, une carotte coupée en dés et un litre de "
        "bouillon de légumes. Laissez mijoter vingt minutes, puis mixez la moitié de la soupe pour la rendre "
        "plus onctueuse. Servez avec un filet de citron et du pain grillé. Cette soupe se conserve trois "
        "jours au réfrigérateur.",
    ),
    (
        "fr",
        "Comment entretenir son vélo en hiver\n\nLe sel et l'humidité abîment rapidement la chaîne. Après "
        "chaque sortie, essuyez-la avec un chiffon sec et appliquez quelques gouttes de lubrifiant. Vérifiez "
        "la pression des pneus chaque semaine, car le froid la fait baisser. Enfin, rangez le vélo à l'abri, "
        "dans un endroit sec si possible.",
    ),
    (
        "de",
        "Tipps für den Balkongarten\n\nAuch auf einem kleinen Balkon lassen sich Kräuter und Tomaten ziehen. "
        "Wichtig sind Töpfe mit Abzugslöchern und gute Erde. Gießen Sie lieber seltener, aber gründlich, am "
        "besten morgens. Basilikum mag es warm und sonnig, Minze kommt auch mit Halbschatten zurecht. Im "
        "Herbst können empfindliche Pflanzen in die Wohnung umziehen.",
    ),
    (
        "de",
        "Stadtfest in Lindenfeld\n\nAm Samstag feierte Lindenfeld sein jährliches Stadtfest. Nach Angaben "
        "der Veranstalter kamen rund zweitausend Besucher. Auf dem Marktplatz spielten drei Bands, und der "
        "Kuchenstand der Grundschule war schon am frühen Nachmittag ausverkauft. Der Erlös geht an die "
        "örtliche Tafel.",
    ),
    (
        "es",
        "Cómo ahorrar en la compra semanal\n\nPlanifica los menús de la semana y haz una lista antes de ir "
        "al supermercado. Compara el precio por kilo y no solo el precio del paquete. Las legumbres y el "
        "arroz a granel suelen salir más baratos. Cocina raciones de más y congélalas para los días con poco "
        "tiempo.",
    ),
    (
        "es",
        "Ruta de senderismo por el valle\n\nLa ruta tiene unos doce kilómetros y se completa en cuatro horas "
        "a buen ritmo. Empieza junto al puente viejo y sube entre pinos hasta un mirador con vistas al "
        "embalse. Lleva agua suficiente, porque no hay fuentes en el camino, y evita las horas centrales del "
        "día en verano.",
    ),
)

NON_ENGLISH_MATH = (
    "fr",
    "Exercice corrigé : équation du second degré\n\nOn cherche les solutions de x^2 - 5x + 6 = 0. Le "
    "discriminant vaut 25 - 24 = 1, il est positif, donc l'équation a deux solutions réelles. On obtient x = "
    "(5 - 1)/2 = 2 et x = (5 + 1)/2 = 3. On vérifie : 2 × 3 = 6 et 2 + 3 = 5, ce qui correspond bien aux "
    "coefficients.",
)

LOREM = (
    "Lorem ipsum dolor sit amet, consectetur adipiscing elit. Sed do eiusmod tempor incididunt ut labore et "
    "dolore magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut "
    "aliquip ex ea commodo consequat.\n\nPlaceholder heading\n\n"
    "Lorem ipsum dolor sit amet. Duis aute irure dolor in reprehenderit in voluptate velit esse cillum "
    "dolore eu fugiat nulla pariatur. Replace this text with your own content."
)


_NAV = (
    "Home", "About", "Blog", "Shop", "Contact", "Recipes", "Reviews", "Guides", "Events", "Careers", "Press",
    "Help", "Gift cards", "Stores", "Newsletter", "Podcast",
)
_COOKIES = (
    "We use cookies to improve your experience. By continuing to browse you agree to our use of cookies.",
    "This site uses cookies and similar technologies for analytics and personalised ads.",
    "Your privacy matters to us. Click accept to allow all cookies or manage your choices.",
    "Cookies help us deliver our services. Learn more in our cookie notice.",
)
_BUTTONS = (
    "Accept all | Manage preferences", "Allow cookies | Reject non-essential", "OK | More info", "Got it!",
)
_PROMOS = (
    "Subscribe to our newsletter", "Sign up for weekly deals", "Join 10,000 readers",
    "Get 10% off your first order", "Download our app", "Free delivery on orders over 30",
)
_SOCIAL = (
    "Follow us: Facebook | Instagram | YouTube", "Share: X | LinkedIn | Email",
    "Find us on Pinterest and TikTok", "RSS | Mastodon | Threads",
)
_LEGAL = (
    "Privacy policy | Terms of use | Cookie settings", "Imprint | Data protection | Accessibility",
    "Terms and conditions | Returns | Shipping", "Sitemap | Privacy | Terms",
)


def boilerplate_page(rng: random.Random) -> str:
    """A page whose extracted text is only navigation, cookie banner, promos and footer."""
    site = rng.choice(("kitchenledger", "gearnotes", "townwire", "brightbytes", "homesteadhub")) + ".com"
    nav = " | ".join(rng.sample(_NAV, rng.randint(4, 8)))
    lines = [rng.choice(["Skip to main content", "Skip navigation", "Jump to content"]), nav,
             rng.choice(_COOKIES), rng.choice(_BUTTONS), *rng.sample(_PROMOS, 2),
             rng.choice(["Enter your email address", "Your email", "Email"]), rng.choice(_SOCIAL),
             f"Copyright {rng.randint(2009, 2025)} {site}. All rights reserved.", rng.choice(_LEGAL)]
    return "\n".join(lines)


def lorem_page(rng: random.Random) -> str:
    return rng.choice(["Welcome to our new website!\n\n", "About us\n\n", "Sample page\n\n"]) + LOREM


SHORT_PAGES = ("Home | About | Contact", "404 Not Found", "Loading...", "Page moved.", "Coming soon!")


def repeated_lines_page(rng: random.Random) -> str:
    item = rng.choice(["Add to cart", "Read more", "Sponsored link", "Click here to continue",
                       "Sale! Up to 50% off"])
    head = rng.choice(["Today's deals", "Latest posts", "Shop"])
    return head + "\n" + "\n".join([item] * rng.randint(30, 60))


def pii_page(rng: random.Random) -> str:
    """A page with a fake person's email address and phone number (555 numbers, .example domains)."""
    (first, _), last = rng.choice(NAMES), rng.choice(["Okafor", "Lindqvist", "Moreau", "Tanaka", "Rossi",
                                                      "Novak", "Haddad"])
    town = rng.choice(TOWNS)
    email = f"{first.lower()}.{last.lower()}@{rng.choice(['mailbox', 'postbox', 'inbox'])}.example"
    phone = f"+1 (555) {rng.randint(100, 999)}-{rng.randint(1000, 9999)}"
    thing = rng.choice(["a second-hand piano", "a garden shed", "a family bicycle trailer",
                        "a set of oak chairs"])
    return (f"For sale in {town}: {thing}, collection only.\n\n"
            "In good condition, a few marks from normal use. Price is negotiable for a quick sale.\n\n"
            f"Contact {first} {last} at {email} or call {phone} after 6pm. Viewing at {rng.randint(2, 90)} "
            f"{rng.choice(['Mill Lane', 'Station Road', 'Church Street', 'Orchard Close'])}.")
