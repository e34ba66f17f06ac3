"""Conversation shapes for the render tests (HF message dicts), and the oracle renderer.

The oracle renders a template the way transformers' apply_chat_template does, written here
independently of curation.render.environment so the byte-identity test does not check the
project's environment against itself.
"""

from __future__ import annotations

import functools
import json

import jinja2
from jinja2.sandbox import ImmutableSandboxedEnvironment


@functools.cache
def _oracle_template(source: str) -> jinja2.Template:
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(
            x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys
        )

    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[jinja2.ext.loopcontrols]
    )
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    return env.from_string(source)


def oracle_render(source: str, **context) -> str:
    return _oracle_template(source).render(**context)


def u(text):
    return {"role": "user", "content": text}


def s(text):
    return {"role": "system", "content": text}


def a(text, reasoning=None, calls=None):
    m = {"role": "assistant", "content": text}
    if reasoning is not None:
        m["reasoning_content"] = reasoning
    if calls is not None:
        m["tool_calls"] = [
            {"type": "function", "function": {"name": n, "arguments": args}} for n, args in calls
        ]
    return m


def t(text):
    return {"role": "tool", "content": text}


WEATHER = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Météo d'une ville",
        "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
    },
}
CLOCK = {"type": "function", "function": {"name": "now", "description": "Current time", "parameters": {}}}

# (name, messages, tools, add_generation_prompt, enable_thinking or None for "not passed")
SHAPES = [
    ("single", [u("Hi"), a("Hello!")], None, False, None),
    ("system single", [s("Be brief."), u("Hi"), a("Hello!")], None, False, None),
    ("two turns", [u("Hi"), a("Hello!"), u("2+2?"), a("4")], None, False, None),
    ("system two turns", [s("Be brief."), u("Hi"), a("Hello!"), u("2+2?"), a("4")], None, False, None),
    ("three turns", [u("a"), a("b"), u("c"), a("d"), u("e"), a("f")], None, False, None),
    ("reasoning last", [u("2+2?"), a("4", reasoning="Add two and two.")], None, False, None),
    (
        "reasoning all turns",
        [u("1+1?"), a("2", "One and one."), u("2+2?"), a("4", "Two and two.")],
        None,
        False,
        None,
    ),
    ("reasoning earlier only", [u("1+1?"), a("2", "One and one."), u("2+2?"), a("4")], None, False, None),
    ("reasoning empty", [u("Hi"), a("Hello", reasoning="")], None, False, None),
    ("reasoning newlines", [u("Hi"), a("\n\nHello", reasoning="\n\nthink\n\n")], None, False, None),
    ("think markup last", [u("Hi"), a("<think>\nhmm\n</think>\n\nHello")], None, False, None),
    ("think markup earlier", [u("Hi"), a("<think>x</think>Hello"), u("Bye"), a("Bye!")], None, False, None),
    ("content leading newline earlier", [u("Hi"), a("\nHello"), u("Bye"), a("\nBye!")], None, False, None),
    ("empty assistant", [u("Hi"), a("")], None, False, None),
    ("unicode", [s("Réponds en français."), u("Ça va ? 你好"), a("Oui — très bien. 😀")], None, False, None),
    ("system mid", [u("Hi"), a("Hello"), s("Now be terse."), u("Bye"), a("Bye")], None, False, None),
    ("ends with user", [u("Hi"), a("Hello"), u("More?")], None, False, None),
    (
        "tool call",
        [
            u("Weather in Paris?"),
            a("", calls=[("get_weather", {"city": "Paris"})]),
            t('{"temp": 21}'),
            a("21 °C."),
        ],
        [WEATHER],
        False,
        None,
    ),
    (
        "tool call with content",
        [
            u("Weather?"),
            a("Let me check.", calls=[("get_weather", {"city": "Oslo"})]),
            t("-3"),
            a("It is -3."),
        ],
        [WEATHER],
        False,
        None,
    ),
    (
        "two calls one turn",
        [
            u("Weather and time?"),
            a("", calls=[("get_weather", {"city": "Rome"}), ("now", {})]),
            t("25"),
            t("12:00"),
            a("25 degrees at noon."),
        ],
        [WEATHER, CLOCK],
        False,
        None,
    ),
    (
        "tools with system",
        [
            s("You help with weather."),
            u("Paris?"),
            a("", calls=[("get_weather", {"city": "Paris"})]),
            t("20"),
            a("20"),
        ],
        [WEATHER],
        False,
        None,
    ),
    ("tools no call", [u("Hi"), a("Hello")], [WEATHER, CLOCK], False, None),
    (
        "string arguments",
        [u("Paris?"), a("", calls=[("get_weather", '{"city": "Paris"}')]), t("20"), a("20")],
        [WEATHER],
        False,
        None,
    ),
    (
        "multi-step tool reasoning",
        [
            u("Paris then Rome?"),
            a("", "First Paris.", calls=[("get_weather", {"city": "Paris"})]),
            t("20"),
            a("", "Now Rome.", calls=[("get_weather", {"city": "Rome"})]),
            t("25"),
            a("Paris 20, Rome 25.", "Both known."),
        ],
        [WEATHER],
        False,
        None,
    ),
    (
        "tool call earlier turn",
        [
            u("Paris?"),
            a("", calls=[("get_weather", {"city": "Paris"})]),
            t("20"),
            a("20"),
            u("Thanks"),
            a("Welcome"),
        ],
        [WEATHER],
        False,
        None,
    ),
    (
        "user tool_response text",
        [u("Hi"), a("Hello", "r1"), u("<tool_response>x</tool_response>"), a("ok", "r2")],
        None,
        False,
        None,
    ),
    ("prompt single", [u("Hi")], None, True, None),
    ("prompt thinking off", [u("Hi")], None, True, False),
    ("prompt thinking on", [u("Hi")], None, True, True),
    ("prompt system thinking off", [s("Be brief."), u("Hi")], None, True, False),
    ("prompt multi-turn thinking off", [u("Hi"), a("Hello", "greet"), u("Bye")], None, True, False),
    (
        "prompt after tool",
        [u("Paris?"), a("", calls=[("get_weather", {"city": "Paris"})]), t("20")],
        [WEATHER],
        True,
        False,
    ),
    ("prompt tools thinking on", [s("Sys"), u("Paris?")], [WEATHER], True, True),
    ("full with prompt flag", [u("Hi"), a("Hello")], None, True, False),
]
