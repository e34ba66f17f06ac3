"""The PII patterns, their validators and how a matched span is masked in a drop detail.

Two kinds of type:

* *regex types* (email, phone, address): one Rust-regex pattern (what polars runs) decides
  alone, so the filter counts and replaces them with ``str.count_matches`` /
  ``str.replace_all`` over the whole column. Rust regex has no look-around, so a leading
  boundary is a consumed capture group (``LEAD``) that the replacement puts back as ``${1}``;
  only the *leading* character is consumed, so two matches separated by one character are
  both found (the first match never eats the separator).
* *validated types* (credit_card, ip_address): a loose Rust-regex *prefilter* flags the
  strings that may hold one; only those strings go through a Python ``re`` pattern (with
  look-around) whose every candidate is checked (Luhn, octet range, private range,
  version-number context). Python thus runs over candidates only.

Hard negatives the patterns are built to keep (see tests/test_filters_pii.py): dates,
prices, version numbers, decimals such as 3.14159, ISBNs, Luhn-invalid card numbers,
bare digit runs (a phone needs separators or a leading +country code), C++ ``std::``,
slices ``a[1::2]``, times ``12:30:45``.
"""

from __future__ import annotations

import ipaddress
import re

PII_TYPES = ("credit_card", "ip_address", "email", "phone", "address")
PLACEHOLDERS = {
    "credit_card": "<CREDIT_CARD>",
    "ip_address": "<IP_ADDRESS>",
    "email": "<EMAIL>",
    "phone": "<PHONE>",
    "address": "<ADDRESS>",
}

# Leading boundary for the Rust patterns: start of string or a character that cannot be part
# of the match's left neighbour (no word char, no '+', '.', '-' so that "v1-555-..." or
# "1.555.123.4567.8" mid-runs are not cut out of longer tokens).
LEAD = r"(^|[^\w+.\-])"

# ----------------------------------------------------------------------------- email
# Local part as RFC 5322 "dot-atom" in practice, domain of labels with a 2+ letter TLD.
# Addresses at RFC 2606 placeholder domains (example.com, .test, ...) are redacted too:
# people paste real local parts with the domain swapped, and `<EMAIL>` costs the model
# nothing. Known false positive: Python matmul written without spaces (`self.x@self.weight`);
# PEP 8 writes `a @ b`, which does not match.
EMAIL_RE = r"[A-Za-z0-9._%+\-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9\-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,24}\b"
EMAIL_GROUP = 0

# ----------------------------------------------------------------------------- phone
# NANP: (650) 253-0000, 650-253-0000, 650.253.0000, optionally +1 / 1- first. Spaces are
# accepted only after a parenthesised area code: "123 456 7890" is as often a list of numbers.
_NANP = r"(?:\+?1[ .\-]?)?(?:\(\d{3}\) ?|\d{3}[.\-])\d{3}[.\-]\d{4}"
# International: one E.164 run (+8613800138000), or +CC and a separator, then either a 2-5
# digit group and a 5-8 digit group (+49 30 1234567, +91 98765 43210) or three or more groups
# of which all but the first hold 2+ digits (+44 20 7946 0958, +33 1 23 45 67 89). "+10 20 30"
# (two short groups, as in arithmetic) does not match.
_INTL = (
    r"\+[1-9]\d{7,14}"  # E.164 written without separators: 8-15 digits
    r"|\+[1-9]\d{0,2}(?:[ .\-]?\(\d{1,4}\)[ .\-]?|[ .\-])"  # +CC, then a separator or (area)
    r"(?:\d{2,5}[ .\-]\d{5,8}|\d{1,5}(?:[ .\-]\d{2,5}){2,4})"
)
PHONE_RE = LEAD + r"(" + _INTL + r"|" + _NANP + r")\b"
PHONE_GROUP = 2

# ----------------------------------------------------------------------------- address
# US-style street address where it is clear: house number, 1-4 capitalised street words
# (or an ordinal such as "5th"), a USPS street suffix (Publication 28, Appendix C1, the
# common ones), then optionally a unit and ", City, ST 12345". Without the suffix nothing
# matches ("in 1999 Smith won" stays).
_SUFFIX = (
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Parkway|Pkwy|"
    r"Place|Pl|Way|Terrace|Ter|Highway|Hwy|Circle|Cir|Square|Sq|Trail|Trl|Plaza|Plz)"
)
_STREET = (
    r"(?: (?:N|S|E|W|NE|NW|SE|SW)\.?)?(?: (?:[A-Z][a-z]+|\d{1,3}(?:st|nd|rd|th))){1,4} " + _SUFFIX + r"\b\.?"
)
_UNIT = r"(?:,? (?:Suite|Ste|Apt|Unit|#) ?[A-Za-z0-9\-]+)?"
_CITY = r"(?:, [A-Z][a-z]+(?: [A-Z][a-z]+){0,3},? [A-Z]{2} \d{5}(?:-\d{4})?\b)?"
ADDRESS_RE = LEAD + r"(\d{1,6}" + _STREET + _UNIT + _CITY + r")"
ADDRESS_GROUP = 2

# The replacement for each regex type: the consumed leading character, then the placeholder.
REGEX_TYPES = {
    "email": (EMAIL_RE, EMAIL_GROUP, "<EMAIL>"),
    "phone": (PHONE_RE, PHONE_GROUP, "${1}<PHONE>"),
    "address": (ADDRESS_RE, ADDRESS_GROUP, "${1}<ADDRESS>"),
}

# ----------------------------------------------------------------------------- credit card
# Prefilter (Rust): a 2-6 first digit (the major networks' IINs: 2/5 Mastercard, 3 Amex /
# Diners / JCB, 4 Visa, 6 Discover / UnionPay; this also skips ISBN-13s, which start 978/979,
# and millisecond timestamps, which start with 1) then 12-18 more digits, spaces or dashes.
CARD_PREFILTER = r"[2-6](?:[ \-]?\d){12,18}"
# Exact candidate (Python): one contiguous run, or the printed groupings 4-4-4-4(-1..3) and
# Amex / Diners 4-6-5 / 4-6-4 with one consistent separator. "978-0-306-40615-7" is neither.
CARD_RE = re.compile(
    r"(?<![\w.,\-])"
    r"(?:[2-6]\d{12,18}"
    r"|[2-6]\d{3}(?P<s1>[ \-])\d{4}(?P=s1)\d{4}(?P=s1)\d{4}(?:(?P=s1)\d{1,3})?"
    r"|3\d{3}(?P<s2>[ \-])\d{6}(?P=s2)\d{4,5})"
    r"(?![\w]|[.,\-]\d)"
)


def luhn_valid(digits: str) -> bool:
    """ISO/IEC 7812-1 Luhn check over a string of digits."""
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def is_card(candidate: str) -> bool:
    digits = candidate.replace(" ", "").replace("-", "")
    return 13 <= len(digits) <= 19 and luhn_valid(digits)


# ----------------------------------------------------------------------------- ip address
# IPv4 | IPv6 (see PREFILTERS for why two patterns, not one alternation)
IP_PREFILTER = (r"\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}", r"[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}:[0-9A-Fa-f]{0,4}")
_IPV4 = r"(?:\d{1,3}\.){3}\d{1,3}"
# IPv4 not inside a longer dotted run (OIDs 1.3.6.1.4.1, versions 1.2.3.4.5) nor glued to a
# word ("v1.2.3.4"); IPv6 of 3-8 colon groups, possibly ending in a dotted quad.
IP_RE = re.compile(
    r"(?<![\w.])(?P<v4>" + _IPV4 + r")(?![\w]|\.\d)"
    r"|(?<![\w:.])(?P<v6>(?:[0-9A-Fa-f]{0,4}:){2,7}(?:" + _IPV4 + r"|[0-9A-Fa-f]{0,4}))(?![\w:.])"
)
# "version 1.2.3.4", "v. 10.0.0.1", "build 4.2.1.0": a dotted quad right after a version word
# is a version number, not an address.
VERSION_CONTEXT = re.compile(r"(?i)(?:\bversion|\bver\.?|\bv\.?|\brelease|\bbuild)\s*[:=]?\s*$")
# Well-known public resolvers, as non-personal as 127.0.0.1 (BigCode's StarCoder PII pipeline
# keeps them too: bigcode-project/bigcode-dataset, pii/utils/emails_ip_addresses_detection.py).
PUBLIC_RESOLVERS = frozenset(
    {
        "8.8.8.8",
        "8.8.4.4",
        "1.1.1.1",
        "1.0.0.1",
        "9.9.9.9",
        "208.67.222.222",
        "208.67.220.220",
        "2001:4860:4860::8888",
        "2001:4860:4860::8844",
        "2606:4700:4700::1111",
        "2606:4700:4700::1001",
    }
)


def ip_candidate(match: re.Match[str], text: str, keep_private: bool) -> bool:
    """Whether an IP_RE match is an address to act on."""
    v4 = match.group("v4")
    try:
        address = ipaddress.ip_address(v4 if v4 is not None else match.group("v6"))
    except ValueError:  # octet > 255, leading zeros, malformed IPv6 (times, slices)
        return False
    if v4 is not None:
        if VERSION_CONTEXT.search(text, max(0, match.start() - 16), match.start()):
            return False
    elif sum(1 for group in match.group("v6").split(":") if group) < 3:
        return False  # "a::b", "1::2" (slices), "::1": too little to tell from code
    # Not globally routable (RFC 6890 special-purpose: private, loopback, link-local,
    # unspecified, documentation TEST-NETs, reserved) means not somebody's address.
    return not (keep_private and (not address.is_global or str(address) in PUBLIC_RESOLVERS))


# ----------------------------------------------------------------------------- prefilters
# One necessary condition per type (Rust regexes, what polars runs): a string none of the active
# types' conditions hits holds no match of any of them, so the filter scans the whole column
# for those conditions only and runs every type's passes over the strings they flag (~0.2% of
# chat strings). Exact, not a heuristic: each condition is a part every match must contain.
# A string that is not flagged is never rewritten, so no earlier type's placeholder can make a
# later type match in it either.
# A condition is a tuple of patterns, one hitting (alternatives): each runs as its own pass,
# because an alternation of them loses the regex engine's literal prefilter (measured on the
# 479 MB of the distill-mix benchmark: IPv4|IPv6 as one pattern 1.16 s, as two 0.31 s).
PREFILTERS: dict[str, tuple[str, ...]] = {
    "credit_card": (CARD_PREFILTER,),  # itself the prefilter of the Python pattern
    "ip_address": IP_PREFILTER,
    "email": ("@",),
    # _INTL starts with +[1-9]; _NANP ends with \d{3}[.-]\d{4}, of which "[.-]\d{4}" is the part
    # that starts on a literal (\d[.\-]\d{4}: 1.2 s, [.\-]\d{4}: 0.14 s on the same 479 MB)
    "phone": (r"\+[1-9]", r"[.\-]\d{4}"),
    "address": (" " + _SUFFIX + r"\b",),  # _STREET ends with a space, the suffix and \b
}


def prefilter(pii_types: list[str]) -> str:
    """The union of the given types' PREFILTERS, one Rust regex."""
    return "|".join(f"(?:{p})" for t in pii_types for p in PREFILTERS[t])


# ----------------------------------------------------------------------------- masking


def mask(pii_type: str, value: str) -> str:
    """The matched span with most of it starred, for a drop detail (never the whole value)."""
    if pii_type == "email":
        local, _, domain = value.partition("@")
        return f"{local[:1]}***@{domain}"
    if pii_type == "address":  # the street without its house number or ZIP
        return re.sub(r"\d", "*", value)
    keep = {"credit_card": 4, "phone": 2, "ip_address": 0}[pii_type]
    alnum = [i for i, ch in enumerate(value) if ch.isalnum()]
    shown = set(alnum[len(alnum) - keep :]) if keep else set()
    if pii_type == "ip_address":  # first group stays: enough to tell 10.x from public
        first = re.match(r"[0-9A-Fa-f]*", value)
        shown = set(range(first.end())) if first else set()
    return "".join(ch if (i in shown or not ch.isalnum()) else "*" for i, ch in enumerate(value))
