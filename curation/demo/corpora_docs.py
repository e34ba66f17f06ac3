"""Pretraining-style document corpora: web, books, math web, Wikipedia-like, code files."""

from __future__ import annotations

import random
from collections.abc import Callable

from curation.demo import docs_books, docs_code, docs_math, docs_planted, docs_web, docs_wiki
from curation.demo.corpus import Context, CorpusBuilder

Make = Callable[[random.Random], dict]


def _text(r: dict) -> str:
    return r["text"]


def _hex_id(rng: random.Random) -> str:
    return f"{rng.getrandbits(64):016x}"


# --- web (gzip) -------------------------------------------------------------------------------


def build_web(ctx: Context) -> CorpusBuilder:
    def new_id(r: dict, rng: random.Random) -> dict:
        # A mirror of the same page: new id and host, same text.
        out = dict(r)
        if "id" in out:
            out["id"] = _hex_id(rng)
        path = r["url"].split("/", 3)[-1]
        out["url"] = f"https://mirror{rng.randint(1, 9)}.{rng.choice(docs_web.SITES)}.net/{path}"
        return out

    b = CorpusBuilder(ctx, "web", _text, vary=new_id)

    def doc(text: str, url: str, rng: random.Random, english: bool = True) -> dict:
        row: dict = {}
        if rng.random() < 0.8:
            row["id"] = _hex_id(rng)
        row |= {"text": text, "url": url}
        if english and rng.random() < 0.5:
            row["language"] = "en"
        return row

    def make(rng: random.Random) -> dict:
        _, text, url = docs_web.web_page(rng)
        return doc(text, url, rng)

    def page(text: Callable[[random.Random], str], path: str, english: bool = True) -> Make:
        """A planted page: its text, a URL on one of the demo sites, the usual optional fields."""
        return lambda rng: doc(text(rng), docs_web.url(rng, rng.choice(docs_web.SITES), path), rng, english)

    b.fill(246, make)
    for lang, text in docs_planted.NON_ENGLISH:
        path = f"{lang}/{docs_web.slug(text[:40])}"
        b.plant_fresh("non_english", page(lambda _, t=text: t, path, english=False))
    for _ in range(3):
        b.plant_fresh("quality:boilerplate", page(docs_planted.boilerplate_page, "index.html"))
    b.plant_fresh("quality:lorem_ipsum", page(docs_planted.lorem_page, "sample-page", english=False))
    for text in docs_planted.SHORT_PAGES[:4]:
        b.plant_fresh("quality:too_short", page(lambda _, t=text: t, docs_web.slug(text) or "page"))
    for _ in range(2):
        b.plant_fresh("quality:repetition", page(docs_planted.repeated_lines_page, "deals"))
    for n in range(3):
        b.plant_fresh("pii", page(docs_planted.pii_page, f"classifieds/{4100 + n}"))
    b.exact_duplicates(7, 8)
    b.near_duplicates(15)
    b.cross_duplicates([doc(r["text"], r["url"].replace("https://", "https://www.", 1), b.rng)
                        for r in ctx.shared.get("math_web", [])])
    b.malformed_json(2, make)
    b.malformed_utf8(2, make, "text")
    b.malformed_missing(1, make, "text")
    b.malformed_type(1, make, "text")
    b.plant("malformed:empty_text", b.fresh(make) | {"text": ""})
    return b


# --- books --------------------------------------------------------------------------------------


def build_books(ctx: Context) -> CorpusBuilder:
    def retitled(r: dict, rng: random.Random) -> dict:
        # The same passage again in an anthology under another title.
        return r | {"title": f"{docs_books.title(rng)} and Other Stories"}

    b = CorpusBuilder(ctx, "books", _text, vary=retitled)

    def make(rng: random.Random) -> dict:
        title, text = docs_books.book_passage(rng)
        return {"text": text, "title": title} if rng.random() < 0.85 else {"text": text}

    b.fill(196, make)
    for word in ("THE END", "Chapter XII"):
        b.plant_fresh("quality:too_short", lambda rng, w=word: {"text": w, "title": docs_books.title(rng)})
    b.plant_fresh("quality:boilerplate", lambda rng: {"text": docs_books.front_matter(rng),
                                                      "title": "Contents"})
    b.exact_duplicates(3)
    b.near_duplicates(10)
    b.malformed_json(1, make)
    b.malformed_missing(1, make, "text")
    return b


# --- math web (zstd) ----------------------------------------------------------------------------------


def build_math_web(ctx: Context) -> CorpusBuilder:
    def mirrored(r: dict, rng: random.Random) -> dict:
        return r | {"url": docs_math.site_url(rng, f"mirror/{r['url'].split('/', 3)[-1]}")}

    b = CorpusBuilder(ctx, "math_web", _text, vary=mirrored)

    def make(rng: random.Random) -> dict:
        text, url = docs_math.math_page(rng)
        return {"text": text, "url": url}

    b.fill(206, make)
    lang, text = docs_planted.NON_ENGLISH_MATH
    french_url = f"https://maths-{lang}.example.org/exercices/corrige-{ctx.seed}"
    b.plant_fresh("non_english", lambda rng: {"text": text, "url": french_url})
    b.plant_fresh("quality:boilerplate", lambda rng: {"text": docs_math.script_notice(rng),
                                                      "url": docs_math.site_url(rng, "viewer")})
    b.plant_fresh("quality:too_short", lambda rng: {"text": f"See Exercise {rng.randint(1, 40)}.",
                                                    "url": docs_math.site_url(rng, "stub")})
    b.exact_duplicates(3)
    b.near_duplicates(10)
    b.offer("math_web", 2)
    b.malformed_json(1, make)
    b.malformed_utf8(1, make, "text")
    return b


# --- wikipedia-like ------------------------------------------------------------------------------------


def build_wiki(ctx: Context) -> CorpusBuilder:
    used: set[int] = set()

    def page_id(rng: random.Random) -> str:
        while True:
            n = rng.randint(1000, 9_999_999)
            if n not in used:
                used.add(n)
                return str(n)

    def new_id(r: dict, rng: random.Random) -> dict:
        return r | {"id": page_id(rng)}

    b = CorpusBuilder(ctx, "wiki", _text, vary=new_id)
    articles = docs_wiki.wiki_articles(ctx.rng("wiki:articles"))

    def row(title: str, text: str, rng: random.Random) -> dict:
        pid = page_id(rng)
        return {"id": pid, "title": title, "text": f"{title}\n\n{text}",
                "url": f"https://en.wikipedia.example/wiki/{title.replace(' ', '_')}"}

    def make(rng: random.Random) -> dict:
        if articles:
            return row(*articles.pop(), rng)
        return row(*docs_wiki.settlement(rng), rng)

    b.fill(196, make)
    for _ in range(2):
        b.plant_fresh("quality:too_short", lambda rng: row(*docs_wiki.disambiguation(rng), rng))
    b.exact_duplicates(2)
    b.near_duplicates(10)
    b.malformed_json(1, make)
    b.malformed_missing(1, make, "text")
    b.malformed_type(1, make, "text")
    return b


# --- code files -----------------------------------------------------------------------------------------


def build_code(ctx: Context) -> CorpusBuilder:
    def content(r: dict) -> str:
        return r["content"]

    def vendored(r: dict, rng: random.Random) -> dict:
        # The same file copied into another repository (vendoring), the usual exact duplicate in code.
        return r | {"repo_name": f"{rng.choice(docs_code.OWNERS)}/{rng.choice(docs_code.PROJECTS)}-fork"}

    b = CorpusBuilder(ctx, "code", content, vary=vendored)
    b.fill(196, docs_code.code_file)
    b.plant_fresh("pii", docs_code.secrets_file)
    b.plant_fresh("quality:repetition", docs_code.generated_table_file)
    b.exact_duplicates(5)
    b.near_duplicates(10)
    b.malformed_json(1, docs_code.code_file)
    b.malformed_missing(1, docs_code.code_file, "content")
    b.malformed_type(1, docs_code.code_file, "content")
    return b
