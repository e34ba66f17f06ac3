"""Classic small Python exercises: each with a few solution styles, names and phrasings.

Code templates use string.Template (`$fn`, `$p`, ...) because Python code is full of
braces. Every style of a family must give the same results on the family's inputs (a
test checks), so a test case written from one style holds for all.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Algo:
    family: str
    names: tuple[str, ...]  # function names to pick from
    params: tuple[dict[str, str], ...]  # parameter-name sets to pick from
    asks: tuple[str, ...]  # instruction phrasings ($fn and the parameter names)
    styles: tuple[str, ...]  # solution code templates
    inputs: tuple[tuple, ...]  # argument tuples for the test cases
    explain: tuple[str, ...]  # one sentence on the approach, per style when there is one per style
    consts: tuple[dict[str, object], ...] = ({},)  # constants baked into ask and code


ALGOS: tuple[Algo, ...] = (
    Algo(
        "palindrome",
        ("is_palindrome", "check_palindrome", "reads_same_both_ways"),
        ({"p": "text"}, {"p": "s"}, {"p": "phrase"}),
        (
            "Write a Python function `$fn($p)` that returns True when the string reads the same forwards "
            "and backwards, ignoring letter case and any character that is not a letter or a digit.",
            "How do I check in Python whether a sentence is a palindrome if spaces, punctuation and "
            "capitals should not count? Call the function `$fn`.",
        ),
        (
            "def $fn($p):\n    cleaned = [ch.lower() for ch in $p if ch.isalnum()]\n"
            "    return cleaned == cleaned[::-1]\n",
            "def $fn($p):\n    left, right = 0, len($p) - 1\n    while left < right:\n"
            "        if not $p[left].isalnum():\n            left += 1\n"
            "        elif not $p[right].isalnum():\n            right -= 1\n"
            "        elif $p[left].lower() != $p[right].lower():\n            return False\n        else:\n"
            "            left += 1\n            right -= 1\n    return True\n",
        ),
        (("Was it a car or a cat I saw?",), ("hello",), ("",), ("Step on no pets",), ("ab, c",)),
        (
            "Only letters and digits take part in the comparison, lower-cased, so punctuation and spaces "
            "cannot break the symmetry.",
            "Two indices walk inwards from both ends, skipping anything that is not alphanumeric; the first "
            "mismatch proves the string is not a palindrome.",
        ),
    ),
    Algo(
        "anagram",
        ("are_anagrams", "is_anagram", "same_letters"),
        ({"a": "first", "b": "second"}, {"a": "word1", "b": "word2"}, {"a": "s", "b": "t"}),
        (
            "Write a function `$fn($a, $b)` that tells whether two strings are anagrams of each other. "
            "Ignore spaces and capitalisation.",
            "Implement `$fn` in Python: return True if `$a` and `$b` use exactly the same letters the same "
            "number of times (spaces and case do not matter).",
        ),
        (
            "def $fn($a, $b):\n    def norm(s):\n        return sorted(s.replace(\" \", \"\").lower())\n"
            "    return norm($a) == norm($b)\n",
            "from collections import Counter\n\n\ndef $fn($a, $b):\n"
            "    return Counter($a.replace(\" \", \"\").lower()) == Counter($b.replace(\" \", "
            "\"\").lower())\n",
        ),
        (("Listen", "Silent"), ("dormitory", "dirty room"), ("apple", "paple"), ("rat", "car"), ("", "")),
        (
            "Sorting both normalised strings puts equal multisets of letters into the same order.",
            "Counting letters with a Counter compares the two multisets directly in linear time.",
        ),
    ),
    Algo(
        "count_vowels",
        ("count_vowels", "vowel_count", "num_vowels"),
        ({"p": "text"}, {"p": "word"}, {"p": "sentence"}),
        (
            "Write a Python function `$fn($p)` that counts the vowels (a, e, i, o, u, upper or lower case) "
            "in a string.",
            "Create `$fn` which returns how many vowels appear in `$p`. Treat capital letters like "
            "lower-case ones.",
        ),
        (
            "def $fn($p):\n    return sum(1 for ch in $p.lower() if ch in \"aeiou\")\n",
            "def $fn($p):\n    count = 0\n    for ch in $p:\n        if ch in \"aeiouAEIOU\":\n"
            "            count += 1\n    return count\n",
        ),
        (("Programming is fun",), ("rhythm",), ("AEIOU aeiou",), ("",)),
        (
            "Each character is tested for membership in the vowel set; membership in a short string is "
            "constant time.",
        ),
    ),
    Algo(
        "fibonacci",
        ("fibonacci", "fib", "nth_fibonacci"),
        ({"p": "n"}, {"p": "index"}),
        (
            "Write a Python function `$fn($p)` that returns the $p-th Fibonacci number, where fib(0) = 0 "
            "and fib(1) = 1. It should be fast for $p up to a few hundred.",
            "Give me a concise Python Fibonacci function named `$fn`: `$fn(0)` is 0, `$fn(1)` is 1, and "
            "each next value is the sum of the two before.",
        ),
        (
            "def $fn($p):\n    a, b = 0, 1\n    for _ in range($p):\n        a, b = b, a + b\n    return a\n",
            "from functools import lru_cache\n\n\n@lru_cache(maxsize=None)\ndef $fn($p):\n    if $p < 2:\n"
            "        return $p\n    return $fn($p - 1) + $fn($p - 2)\n",
        ),
        ((0,), (1,), (2,), (10,), (30,)),
        (
            "The loop keeps only the last two values, so it runs in O(n) time and O(1) memory.",
            "Memoisation with lru_cache turns the exponential recursion into linear time.",
        ),
    ),
    Algo(
        "factorial",
        ("factorial", "fact", "product_up_to"),
        ({"p": "n"}, {"p": "number"}),
        (
            "Write a function `$fn($p)` that returns $p! for a non-negative integer, with 0! = 1.",
            "Implement the factorial function in Python as `$fn`, without using math.factorial.",
        ),
        (
            "def $fn($p):\n    result = 1\n    for k in range(2, $p + 1):\n        result *= k\n"
            "    return result\n",
            "def $fn($p):\n    if $p <= 1:\n        return 1\n    return $p * $fn($p - 1)\n",
        ),
        ((0,), (1,), (5,), (10,)),
        (
            "Multiplying 2 through n gives the product; the empty product for 0 and 1 is 1.",
        ),
    ),
    Algo(
        "gcd_list",
        ("gcd_of_list", "list_gcd", "common_divisor"),
        ({"p": "numbers"}, {"p": "values"}),
        (
            "Write a Python function `$fn($p)` that returns the greatest common divisor of a non-empty list "
            "of positive integers.",
            "How can I find the GCD of all the numbers in a list? Write `$fn`.",
        ),
        (
            "import math\nfrom functools import reduce\n\n\ndef $fn($p):\n    return reduce(math.gcd, $p)\n",
            "def $fn($p):\n    def gcd(a, b):\n        while b:\n            a, b = b, a % b\n"
            "        return a\n\n    result = $p[0]\n    for x in $p[1:]:\n        result = gcd(result, x)\n"
            "    return result\n",
        ),
        (([12, 18, 24],), ([7, 13],), ([100],), ([36, 60, 84, 120],)),
        (
            "gcd is associative, so folding it over the list gives the GCD of all the values.",
        ),
    ),
    Algo(
        "primes_below",
        ("primes_below", "sieve", "list_primes"),
        ({"p": "limit"}, {"p": "n"}),
        (
            "Write a Python function `$fn($p)` that returns a list of all prime numbers smaller than `$p`, "
            "in increasing order.",
            "Implement the Sieve of Eratosthenes in Python as `$fn`, returning the primes below $p.",
        ),
        (
            "def $fn($p):\n    if $p < 3:\n        return []\n    is_prime = [True] * $p\n"
            "    is_prime[0] = is_prime[1] = False\n    for i in range(2, int($p ** 0.5) + 1):\n"
            "        if is_prime[i]:\n            for j in range(i * i, $p, i):\n"
            "                is_prime[j] = False\n"
            "    return [i for i, flag in enumerate(is_prime) if flag]\n",
            "def $fn($p):\n    primes = []\n    for candidate in range(2, $p):\n"
            "        if all(candidate % q for q in primes if q * q <= candidate):\n"
            "            primes.append(candidate)\n    return primes\n",
        ),
        ((2,), (10,), (30,), (3,)),
        (
            "Crossing out multiples from i*i upwards leaves exactly the primes; the work is O(n log log n).",
            "Each candidate is tested only against smaller primes up to its square root.",
        ),
    ),
    Algo(
        "binary_search",
        ("binary_search", "find_index", "search_sorted"),
        ({"a": "items", "b": "target"}, {"a": "arr", "b": "x"}, {"a": "values", "b": "key"}),
        (
            "Write `$fn($a, $b)` in Python: `$a` is sorted in ascending order; return the index of `$b`, or "
            "-1 if it is not present. Use binary search.",
            "Implement binary search as a function `$fn` that returns the position of `$b` in the sorted "
            "list `$a`, or -1.",
        ),
        (
            "def $fn($a, $b):\n    lo, hi = 0, len($a) - 1\n    while lo <= hi:\n"
            "        mid = (lo + hi) // 2\n        if $a[mid] == $b:\n            return mid\n"
            "        if $a[mid] < $b:\n            lo = mid + 1\n        else:\n            hi = mid - 1\n"
            "    return -1\n",
            "import bisect\n\n\ndef $fn($a, $b):\n    i = bisect.bisect_left($a, $b)\n"
            "    return i if i < len($a) and $a[i] == $b else -1\n",
        ),
        (([1, 3, 5, 7, 9, 11], 7), ([1, 3, 5, 7, 9, 11], 4), ([], 3), ([2], 2)),
        (
            "Each comparison halves the search range, so the search takes O(log n) steps.",
        ),
    ),
    Algo(
        "merge_sorted",
        ("merge_sorted", "merge_lists", "combine_sorted"),
        ({"a": "left", "b": "right"}, {"a": "xs", "b": "ys"}, {"a": "first", "b": "second"}),
        (
            "Write a Python function `$fn($a, $b)` that merges two sorted lists into one sorted list "
            "without calling sort().",
            "Given two lists that are already sorted, write `$fn` to combine them into a single sorted list "
            "in linear time.",
        ),
        (
            "def $fn($a, $b):\n    out = []\n    i = j = 0\n    while i < len($a) and j < len($b):\n"
            "        if $a[i] <= $b[j]:\n            out.append($a[i])\n            i += 1\n        else:\n"
            "            out.append($b[j])\n            j += 1\n    out.extend($a[i:])\n"
            "    out.extend($b[j:])\n    return out\n",
            "import heapq\n\n\ndef $fn($a, $b):\n    return list(heapq.merge($a, $b))\n",
        ),
        (([1, 4, 9], [2, 3, 10, 12]), ([], [5, 6]), ([1, 1], [1]), ([], [])),
        (
            "Two indices advance through the lists, always taking the smaller head, so the merge is O(n + "
            "m).",
            "heapq.merge lazily interleaves already-sorted inputs, so the merge is O(n + m).",
        ),
    ),
    Algo(
        "flatten",
        ("flatten", "flatten_list", "deep_flatten"),
        ({"p": "nested"}, {"p": "items"}),
        (
            "Write a Python function `$fn($p)` that flattens an arbitrarily nested list of integers into a "
            "flat list, keeping the order.",
            "How can I turn `[1, [2, [3, 4]], 5]` into `[1, 2, 3, 4, 5]` in Python? Write `$fn`.",
        ),
        (
            "def $fn($p):\n    flat = []\n    for item in $p:\n        if isinstance(item, list):\n"
            "            flat.extend($fn(item))\n        else:\n            flat.append(item)\n"
            "    return flat\n",
            "def $fn($p):\n    flat = []\n    stack = [iter($p)]\n    while stack:\n"
            "        for item in stack[-1]:\n            if isinstance(item, list):\n"
            "                stack.append(iter(item))\n                break\n"
            "            flat.append(item)\n        else:\n            stack.pop()\n    return flat\n",
        ),
        (([1, [2, [3, 4]], 5],), ([],), ([[[]], [6]],), ([1, 2, 3],)),
        (
            "Recursion handles any depth: lists are flattened in place of themselves, other values are "
            "appended.",
            "An explicit stack of iterators avoids Python's recursion limit on very deep nesting.",
        ),
    ),
    Algo(
        "chunk",
        ("chunk", "chunked", "split_into_chunks"),
        ({"a": "items", "b": "size"}, {"a": "seq", "b": "n"}),
        (
            "Write `$fn($a, $b)` that splits a list into consecutive chunks of length `$b` (the last chunk "
            "may be shorter).",
            "I need a Python helper `$fn` that breaks a list into pieces of `$b` elements each.",
        ),
        (
            "def $fn($a, $b):\n    return [$a[i:i + $b] for i in range(0, len($a), $b)]\n",
            "def $fn($a, $b):\n    out, current = [], []\n    for x in $a:\n        current.append(x)\n"
            "        if len(current) == $b:\n            out.append(current)\n            current = []\n"
            "    if current:\n        out.append(current)\n    return out\n",
        ),
        (([1, 2, 3, 4, 5], 2), ([], 3), ([1, 2, 3], 3), (["a", "b", "c", "d", "e", "f", "g"], 4)),
        (
            "Slicing in steps of the chunk size produces each chunk directly.",
            "Items are collected until a chunk is full; the remainder becomes the last, shorter chunk.",
        ),
    ),
    Algo(
        "rotate",
        ("rotate_right", "rotate", "shift_list"),
        ({"a": "items", "b": "k"}, {"a": "nums", "b": "steps"}),
        (
            "Write a Python function `$fn($a, $b)` that rotates a list to the right by `$b` positions and "
            "returns the new list. `$b` may be larger than the list length.",
            "Rotate a list right by $b places in Python: write `$fn`, which must also work for an empty "
            "list.",
        ),
        (
            "def $fn($a, $b):\n    if not $a:\n        return []\n    $b %= len($a)\n"
            "    return $a[-$b:] + $a[:-$b] if $b else list($a)\n",
            "from collections import deque\n\n\ndef $fn($a, $b):\n    d = deque($a)\n    d.rotate($b)\n"
            "    return list(d)\n",
        ),
        (([1, 2, 3, 4, 5], 2), ([1, 2, 3], 3), ([], 4), ([1, 2], 5)),
        (
            "Reducing the shift modulo the length first makes any shift a single slice-and-join.",
            "collections.deque has a rotate method that does the modular shift for us.",
        ),
    ),
    Algo(
        "rle",
        ("run_length_encode", "rle_encode", "compress_runs"),
        ({"p": "text"}, {"p": "s"}),
        (
            "Write `$fn($p)` that run-length encodes a string: each run of a repeated character becomes the "
            "character followed by the run length, e.g. 'aaabcc' -> 'a3b1c2'.",
            "Implement simple run-length encoding in Python as `$fn`; an empty string encodes to an empty "
            "string.",
        ),
        (
            "from itertools import groupby\n\n\ndef $fn($p):\n"
            "    return \"\".join(f\"{ch}{len(list(run))}\" for ch, run in groupby($p))\n",
            "def $fn($p):\n    if not $p:\n        return \"\"\n    out = []\n"
            "    current, count = $p[0], 1\n    for ch in $p[1:]:\n        if ch == current:\n"
            "            count += 1\n        else:\n            out.append(f\"{current}{count}\")\n"
            "            current, count = ch, 1\n    out.append(f\"{current}{count}\")\n"
            "    return \"\".join(out)\n",
        ),
        (("aaabcc",), ("",), ("abc",), ("zzzzzzzzzzzz",)),
        (
            "itertools.groupby yields each run of equal characters once, with its length.",
            "The loop tracks the current character and its count, flushing a run whenever the character "
            "changes.",
        ),
    ),
    Algo(
        "caesar",
        ("caesar_shift", "caesar_cipher", "shift_letters"),
        ({"a": "text", "b": "shift"}, {"a": "message", "b": "k"}),
        (
            "Write a Python function `$fn($a, $b)` that applies a Caesar cipher: shift each letter by `$b` "
            "places in the alphabet, keep upper and lower case, and leave other characters unchanged.",
            "Implement a Caesar cipher `$fn`; a negative `$b` should decode.",
        ),
        (
            "def $fn($a, $b):\n    out = []\n    for ch in $a:\n        if ch.isascii() and ch.isalpha():\n"
            "            base = ord(\"A\") if ch.isupper() else ord(\"a\")\n"
            "            out.append(chr((ord(ch) - base + $b) % 26 + base))\n        else:\n"
            "            out.append(ch)\n    return \"\".join(out)\n",
            "import string\n\n\ndef $fn($a, $b):\n"
            "    lower, upper = string.ascii_lowercase, string.ascii_uppercase\n    s = $b % 26\n"
            "    table = str.maketrans(lower + upper, lower[s:] + lower[:s] + upper[s:] + upper[:s])\n"
            "    return $a.translate(table)\n",
        ),
        (("Hello, World!", 3), ("Khoor", -3), ("xyz", 2), ("", 5)),
        (
            "Letters are shifted modulo 26 within their own case; everything else passes through.",
        ),
    ),
    Algo(
        "word_freq",
        ("word_frequencies", "count_words", "word_counts"),
        ({"p": "text"}, {"p": "document"}),
        (
            "Write `$fn($p)` that returns a dictionary mapping each lower-cased word to how many times it "
            "occurs. Words are runs of letters and apostrophes.",
            "Count word frequencies in a string with Python; name the function `$fn` and ignore "
            "capitalisation and punctuation.",
        ),
        (
            "import re\nfrom collections import Counter\n\n\ndef $fn($p):\n"
            "    return dict(Counter(re.findall(r\"[a-z']+\", $p.lower())))\n",
            "import re\n\n\ndef $fn($p):\n    counts = {}\n"
            "    for word in re.findall(r\"[a-z']+\", $p.lower()):\n"
            "        counts[word] = counts.get(word, 0) + 1\n    return counts\n",
        ),
        (("The cat and the hat.",), ("",), ("Don't stop; don't!",)),
        (
            "A regular expression pulls out the words and a dictionary counts them in one pass.",
        ),
    ),
    Algo(
        "transpose",
        ("transpose", "transpose_matrix", "flip_rows_columns"),
        ({"p": "matrix"}, {"p": "grid"}, {"p": "rows"}),
        (
            "Write a Python function `$fn($p)` that returns the transpose of a rectangular matrix given as "
            "a list of lists.",
            "Given a 2D list `$p`, write `$fn` to swap its rows and columns.",
        ),
        (
            "def $fn($p):\n    return [list(col) for col in zip(*$p)]\n",
            "def $fn($p):\n    if not $p:\n        return []\n"
            "    return [[$p[r][c] for r in range(len($p))] for c in range(len($p[0]))]\n",
        ),
        (([[1, 2, 3], [4, 5, 6]],), ([[7]],), ([],), ([[1, 2], [3, 4], [5, 6]],)),
        (
            "zip(*matrix) pairs up the i-th element of every row, which is exactly the i-th column.",
            "Element [r][c] of the input becomes element [c][r] of the output; an empty matrix stays empty.",
        ),
    ),
    Algo(
        "two_sum",
        ("two_sum", "pair_with_sum", "find_pair"),
        ({"a": "nums", "b": "target"}, {"a": "values", "b": "total"}),
        (
            "Write `$fn($a, $b)` that returns the indices [i, j] (i < j) of the first pair of numbers that "
            "add up to `$b`, or None if there is none.",
            "Solve two-sum in Python in O(n): given a list and a target, return the indices of two numbers "
            "adding up to the target (`$fn`).",
        ),
        (
            "def $fn($a, $b):\n    seen = {}\n    for j, x in enumerate($a):\n        if $b - x in seen:\n"
            "            return [seen[$b - x], j]\n        seen.setdefault(x, j)\n    return None\n",
        ),
        (([2, 7, 11, 15], 9), ([3, 2, 4], 6), ([1, 2], 7), ([5, 5], 10)),
        (
            "A dictionary remembers where each value was first seen, so the complement lookup is O(1).",
        ),
    ),
    Algo(
        "brackets",
        ("is_balanced", "balanced_brackets", "brackets_match"),
        ({"p": "text"}, {"p": "expr"}),
        (
            "Write a Python function `$fn($p)` that checks whether the brackets (), [] and {} in a string "
            "are balanced and properly nested. Other characters are ignored.",
            "How do I validate bracket nesting in an expression string? Write `$fn` using a stack.",
        ),
        (
            "def $fn($p):\n    pairs = {\")\": \"(\", \"]\": \"[\", \"}\": \"{\"}\n    stack = []\n"
            "    for ch in $p:\n        if ch in \"([{\":\n            stack.append(ch)\n"
            "        elif ch in pairs:\n            if not stack or stack.pop() != pairs[ch]:\n"
            "                return False\n    return not stack\n",
        ),
        (("(a[b]{c})",), ("(]",), ("((",), ("",), ("{[()()]}",)),
        (
            "Every opening bracket is pushed; a closing bracket must match the most recent unmatched opener.",
        ),
    ),
    Algo(
        "roman_to_int",
        ("roman_to_int", "parse_roman", "from_roman"),
        ({"p": "numeral"}, {"p": "s"}),
        (
            "Write `$fn($p)` that converts a Roman numeral such as 'MCMXCIV' to an integer.",
            "Convert Roman numerals to integers in Python (`$fn`), handling subtractive pairs like IV and "
            "CM.",
        ),
        (
            "def $fn($p):\n"
            "    values = {\"I\": 1, \"V\": 5, \"X\": 10, \"L\": 50, \"C\": 100, \"D\": 500, \"M\": 1000}\n"
            "    total = 0\n    for i, ch in enumerate($p):\n        v = values[ch]\n"
            "        if i + 1 < len($p) and values[$p[i + 1]] > v:\n            total -= v\n        else:\n"
            "            total += v\n    return total\n",
        ),
        (("III",), ("IV",), ("MCMXCIV",), ("LVIII",)),
        (
            "A symbol smaller than the one after it is subtracted; otherwise it is added.",
        ),
    ),
    Algo(
        "int_to_roman",
        ("int_to_roman", "to_roman", "roman_numeral"),
        ({"p": "number"}, {"p": "n"}),
        (
            "Write a Python function `$fn($p)` that converts an integer from 1 to 3999 to a Roman numeral.",
            "Implement `$fn`, turning a positive integer below 4000 into its Roman numeral string.",
        ),
        (
            "def $fn($p):\n"
            "    table = [(1000, \"M\"), (900, \"CM\"), (500, \"D\"), (400, \"CD\"), (100, \"C\"), (90, "
            "\"XC\"),\n"
            "             (50, \"L\"), (40, \"XL\"), (10, \"X\"), (9, \"IX\"), (5, \"V\"), (4, \"IV\"), (1, "
            "\"I\")]\n    out = []\n    for value, symbol in table:\n        count, $p = divmod($p, value)\n"
            "        out.append(symbol * count)\n    return \"\".join(out)\n",
        ),
        ((1,), (4,), (1994,), (3888,)),
        (
            "Greedy subtraction over the value table, including the subtractive pairs, builds the numeral.",
        ),
    ),
    Algo(
        "digital_root",
        ("digital_root", "repeated_digit_sum", "digit_root"),
        ({"p": "n"}, {"p": "number"}),
        (
            "Write `$fn($p)` that repeatedly sums the decimal digits of a non-negative integer until one "
            "digit is left.",
            "In Python, compute the digital root of `$p` (keep adding the digits until a single digit "
            "remains): `$fn`.",
        ),
        (
            "def $fn($p):\n    while $p >= 10:\n        $p = sum(int(d) for d in str($p))\n    return $p\n",
            "def $fn($p):\n    return 0 if $p == 0 else 1 + ($p - 1) % 9\n",
        ),
        ((0,), (38,), (493193,), (9,)),
        (
            "Summing digits preserves the value modulo 9, which is why the closed form 1 + (n - 1) % 9 "
            "works.",
        ),
    ),
    Algo(
        "collatz",
        ("collatz_steps", "steps_to_one", "collatz_length"),
        ({"p": "n"}, {"p": "start"}),
        (
            "Write a Python function `$fn($p)` that returns how many steps the Collatz process takes to "
            "reach 1 from a positive integer (halve even numbers, map odd n to 3n + 1).",
            "Count the Collatz steps from `$p` down to 1 in Python (`$fn`); starting at 1 takes zero steps.",
        ),
        (
            "def $fn($p):\n    steps = 0\n    while $p != 1:\n"
            "        $p = $p // 2 if $p % 2 == 0 else 3 * $p + 1\n        steps += 1\n    return steps\n",
        ),
        ((1,), (6,), (27,), (16,)),
        (
            "The loop applies the rule until it reaches 1 and counts the applications.",
        ),
    ),
    Algo(
        "second_largest",
        ("second_largest", "runner_up", "second_max"),
        ({"p": "numbers"}, {"p": "scores"}),
        (
            "Write `$fn($p)` that returns the second largest distinct value in a list, or None if there is "
            "no such value.",
            "Find the runner-up value in a list of numbers in Python, ignoring duplicates of the maximum. "
            "Name it `$fn`.",
        ),
        (
            "def $fn($p):\n    distinct = sorted(set($p))\n"
            "    return distinct[-2] if len(distinct) >= 2 else None\n",
            "def $fn($p):\n    first = second = None\n    for x in $p:\n"
            "        if first is None or x > first:\n            first, second = x, first\n"
            "        elif x != first and (second is None or x > second):\n            second = x\n"
            "    return second\n",
        ),
        (([3, 1, 4, 1, 5, 9, 2, 6],), ([7, 7, 7],), ([],), ([10, 20],)),
        (
            "Duplicates of the maximum must not count, so only distinct values are compared.",
        ),
    ),
    Algo(
        "moving_average",
        ("moving_average", "rolling_mean", "window_average"),
        ({"a": "values", "b": "window"}, {"a": "series", "b": "k"}),
        (
            "Write a Python function `$fn($a, $b)` that returns the averages of every consecutive window of "
            "`$b` values, each rounded to 2 decimals.",
            "Compute a simple moving average over a list with window size $b (`$fn`). Return an empty list "
            "when the list is shorter than the window.",
        ),
        (
            "def $fn($a, $b):\n"
            "    return [round(sum($a[i:i + $b]) / $b, 2) for i in range(len($a) - $b + 1)]\n",
            "def $fn($a, $b):\n    if len($a) < $b:\n        return []\n    total = sum($a[:$b])\n"
            "    out = [round(total / $b, 2)]\n    for i in range($b, len($a)):\n"
            "        total += $a[i] - $a[i - $b]\n        out.append(round(total / $b, 2))\n    return out\n",
        ),
        (([1, 2, 3, 4, 5], 2), ([10, 20, 30], 3), ([1], 2), ([3, 3, 4, 8, 1, 0], 4)),
        (
            "Each window is sliced and averaged; for small windows this is simple and fast enough.",
            "A running total updated by one addition and one subtraction per step keeps the whole pass "
            "linear.",
        ),
    ),
    Algo(
        "common_prefix",
        ("longest_common_prefix", "common_prefix", "shared_prefix"),
        ({"p": "words"}, {"p": "strings"}),
        (
            "Write `$fn($p)` that returns the longest common prefix of a list of strings (an empty string "
            "when there is none or the list is empty).",
            "Find the longest prefix shared by every string in a list in Python: `$fn`.",
        ),
        (
            "def $fn($p):\n    if not $p:\n        return \"\"\n    prefix = $p[0]\n    for w in $p[1:]:\n"
            "        while not w.startswith(prefix):\n            prefix = prefix[:-1]\n    return prefix\n",
            "import os\n\n\ndef $fn($p):\n    return os.path.commonprefix($p) if $p else \"\"\n",
        ),
        ((["flower", "flow", "flight"],), (["dog", "racecar"],), ([],), (["same", "same"],)),
        (
            "The candidate prefix only ever shrinks, so the work is bounded by the total length of the "
            "strings.",
            "os.path.commonprefix compares strings character by character, which is exactly what is needed "
            "here.",
        ),
    ),
    Algo(
        "snake_to_camel",
        ("snake_to_camel", "to_camel_case", "camelize"),
        ({"p": "name"}, {"p": "identifier"}),
        (
            "Write a Python function `$fn($p)` that converts snake_case to lowerCamelCase, e.g. "
            "'max_retry_count' -> 'maxRetryCount'.",
            "Turn a snake_case identifier into camelCase with `$fn`; leading and repeated underscores "
            "should not produce empty words.",
        ),
        (
            "def $fn($p):\n    parts = [p for p in $p.split(\"_\") if p]\n    if not parts:\n"
            "        return \"\"\n"
            "    return parts[0].lower() + \"\".join(p.capitalize() for p in parts[1:])\n",
        ),
        (("max_retry_count",), ("value",), ("__private__name",), ("",)),
        (
            "Splitting on underscores and dropping empty pieces handles leading, trailing and doubled "
            "underscores.",
        ),
    ),
    Algo(
        "camel_to_snake",
        ("camel_to_snake", "to_snake_case", "snakify"),
        ({"p": "name"}, {"p": "identifier"}),
        (
            "Write `$fn($p)` that converts CamelCase or camelCase names to snake_case, e.g. "
            "'parseHTTPResponse' -> 'parse_http_response'.",
            "Convert camelCase identifiers to snake_case in Python (`$fn`), keeping acronyms together.",
        ),
        (
            "import re\n\n\ndef $fn($p):\n    s = re.sub(r\"([A-Z]+)([A-Z][a-z])\", r\"\\1_\\2\", $p)\n"
            "    s = re.sub(r\"([a-z0-9])([A-Z])\", r\"\\1_\\2\", s)\n    return s.lower()\n",
        ),
        (("parseHTTPResponse",), ("CamelCase",), ("already_snake",), ("getX",)),
        (
            "Two substitutions insert underscores at word boundaries: one before an acronym's last capital, "
            "one between a lower-case letter or digit and a capital.",
        ),
    ),
    Algo(
        "ipv4",
        ("is_valid_ipv4", "valid_ip", "check_ipv4"),
        ({"p": "address"}, {"p": "ip"}),
        (
            "Write a Python function `$fn($p)` that returns True for a valid dotted IPv4 address: four "
            "decimal parts from 0 to 255 with no leading zeros.",
            "Validate IPv4 strings in Python without the ipaddress module (`$fn`).",
        ),
        (
            "def $fn($p):\n    parts = $p.split(\".\")\n    if len(parts) != 4:\n        return False\n"
            "    for part in parts:\n"
            "        if not part.isdigit() or (len(part) > 1 and part[0] == \"0\") or int(part) > 255:\n"
            "            return False\n    return True\n",
        ),
        (("192.168.1.1",), ("256.1.1.1",), ("10.0.0",), ("01.2.3.4",), ("0.0.0.0",)),
        (
            "Each of the four parts must be digits only, at most 255, and without a leading zero.",
        ),
    ),
    Algo(
        "leap_year",
        ("is_leap_year", "leap", "is_leap"),
        ({"p": "year"},),
        (
            "Write `$fn($p)` that returns True if a year is a leap year in the Gregorian calendar.",
            "Implement the Gregorian leap-year rule in Python as `$fn`.",
        ),
        (
            "def $fn($p):\n    return $p % 4 == 0 and ($p % 100 != 0 or $p % 400 == 0)\n",
            "import calendar\n\n\ndef $fn($p):\n    return calendar.isleap($p)\n",
        ),
        ((2024,), (1900,), (2000,), (2023,)),
        (
            "Years divisible by 4 are leap years, except centuries, which must be divisible by 400.",
        ),
    ),
    Algo(
        "dedupe",
        ("dedupe", "unique_in_order", "remove_duplicates"),
        ({"p": "items"}, {"p": "values"}),
        (
            "Write a Python function `$fn($p)` that removes duplicates from a list while keeping the first "
            "occurrence of each value in its original order.",
            "How can I drop repeated elements from a list but keep the order? Write `$fn`.",
        ),
        (
            "def $fn($p):\n    seen = set()\n    out = []\n    for x in $p:\n        if x not in seen:\n"
            "            seen.add(x)\n            out.append(x)\n    return out\n",
            "def $fn($p):\n    return list(dict.fromkeys($p))\n",
        ),
        (([3, 1, 3, 2, 1],), ([],), (["b", "a", "b"],)),
        (
            "A set gives O(1) membership checks while the output list keeps the original order.",
            "dict keys keep insertion order, so dict.fromkeys keeps first occurrences in order.",
        ),
    ),
    Algo(
        "max_subarray",
        ("max_subarray_sum", "best_subarray", "kadane"),
        ({"p": "nums"}, {"p": "values"}),
        (
            "Write `$fn($p)` that returns the largest sum of a non-empty contiguous sub-list of a non-empty "
            "list of integers.",
            "Implement Kadane's algorithm in Python as `$fn`.",
        ),
        (
            "def $fn($p):\n    best = current = $p[0]\n    for x in $p[1:]:\n"
            "        current = max(x, current + x)\n        best = max(best, current)\n    return best\n",
        ),
        (([-2, 1, -3, 4, -1, 2, 1, -5, 4],), ([-3, -1, -2],), ([5],)),
        (
            "At each position the best sum ending there either extends the previous run or starts afresh.",
        ),
    ),
    Algo(
        "invert_dict",
        ("invert_dict", "swap_keys_values", "reverse_mapping"),
        ({"p": "mapping"}, {"p": "d"}),
        (
            "Write a Python function `$fn($p)` that returns a new dictionary mapping each value to the list "
            "of keys that had it, in insertion order.",
            "Invert a dictionary in Python where several keys may share a value: `$fn` should group the "
            "keys per value.",
        ),
        (
            "def $fn($p):\n    out = {}\n    for key, value in $p.items():\n"
            "        out.setdefault(value, []).append(key)\n    return out\n",
            "from collections import defaultdict\n\n\ndef $fn($p):\n    out = defaultdict(list)\n"
            "    for key, value in $p.items():\n        out[value].append(key)\n    return dict(out)\n",
        ),
        (({"a": 1, "b": 2, "c": 1},), ({},), ({"x": "y"},)),
        (
            "setdefault creates the list the first time a value is seen and appends to it afterwards.",
            "A defaultdict(list) creates each group on first use; it is converted back to a plain dict at "
            "the end.",
        ),
    ),
    Algo(
        "cumulative",
        ("cumulative_sum", "running_total", "prefix_sums"),
        ({"p": "values"}, {"p": "nums"}),
        (
            "Write `$fn($p)` that returns the running totals of a list of numbers.",
            "Compute prefix sums in Python: `$fn([1, 2, 3])` should give `[1, 3, 6]`.",
        ),
        (
            "from itertools import accumulate\n\n\ndef $fn($p):\n    return list(accumulate($p))\n",
            "def $fn($p):\n    total = 0\n    out = []\n    for x in $p:\n        total += x\n"
            "        out.append(total)\n    return out\n",
        ),
        (([1, 2, 3, 4],), ([],), ([5, -5, 5],)),
        (
            "Each output element adds the next input to the previous total.",
        ),
    ),
    Algo(
        "pascal_row",
        ("pascal_row", "binomial_row", "triangle_row"),
        ({"p": "n"}, {"p": "index"}),
        (
            "Write a Python function `$fn($p)` that returns row `$p` of Pascal's triangle (row 0 is [1]).",
            "Generate the $p-th row of Pascal's triangle in Python (`$fn`).",
        ),
        (
            "def $fn($p):\n    row = [1]\n    for _ in range($p):\n"
            "        row = [a + b for a, b in zip([0] + row, row + [0])]\n    return row\n",
            "from math import comb\n\n\ndef $fn($p):\n    return [comb($p, k) for k in range($p + 1)]\n",
        ),
        ((0,), (1,), (4,), (6,)),
        (
            "Each row is the previous row added to itself shifted by one place.",
            "Entry k of row n is the binomial coefficient C(n, k).",
        ),
    ),
    Algo(
        "insertion_sort",
        ("insertion_sort", "sort_numbers", "sort_list"),
        ({"p": "items"}, {"p": "values"}),
        (
            "Write `$fn($p)` that returns a new list with the numbers in ascending order using insertion "
            "sort (do not call sorted() or list.sort()).",
            "Sort this list without the built-in sort: write `$fn` using insertion sort, e.g. `[3, 1, 2]` "
            "becomes `[1, 2, 3]`.",
        ),
        (
            "def $fn($p):\n    out = list($p)\n    for i in range(1, len(out)):\n        x = out[i]\n"
            "        j = i - 1\n        while j >= 0 and out[j] > x:\n            out[j + 1] = out[j]\n"
            "            j -= 1\n        out[j + 1] = x\n    return out\n",
        ),
        (([3, 1, 2],), ([5, -1, 5, 0],), ([],), ([9, 8, 7, 6, 5],)),
        (
            "Each element is shifted left past the larger elements before it, so the prefix stays sorted.",
        ),
    ),
    Algo(
        "reverse_words",
        ("reverse_words", "flip_word_order", "words_backwards"),
        ({"p": "sentence"}, {"p": "text"}),
        (
            "Write a Python function `$fn($p)` that reverses the order of the words in a sentence, "
            "collapsing runs of spaces to one.",
            "Reverse the word order of a string in Python (`$fn`): 'the sky is blue' -> 'blue is sky the'.",
        ),
        (
            "def $fn($p):\n    return \" \".join(reversed($p.split()))\n",
            "def $fn($p):\n    words = $p.split()\n    words.reverse()\n    return \" \".join(words)\n",
        ),
        (("the sky is blue",), ("  hello   world  ",), ("",)),
        (
            "str.split() without arguments splits on any whitespace and drops empty pieces.",
        ),
    ),
    Algo(
        "missing_number",
        ("missing_number", "find_missing", "absent_value"),
        ({"p": "nums"}, {"p": "values"}),
        (
            "Write `$fn($p)` that takes the numbers 0..n with exactly one missing (in any order) and "
            "returns the missing one.",
            "Find the one missing number in a shuffled list of 0 to n in O(n) time and O(1) space (`$fn`).",
        ),
        (
            "def $fn($p):\n    n = len($p)\n    return n * (n + 1) // 2 - sum($p)\n",
            "def $fn($p):\n    result = len($p)\n    for i, x in enumerate($p):\n        result ^= i ^ x\n"
            "    return result\n",
        ),
        (([3, 0, 1],), ([0, 1],), ([9, 6, 4, 2, 3, 5, 7, 0, 1],)),
        (
            "The expected total of 0..n minus the actual sum is the missing value.",
            "XOR-ing every index and every value cancels the pairs and leaves the missing number.",
        ),
    ),
    Algo(
        "is_prime",
        ("is_prime", "check_prime", "prime"),
        ({"p": "n"}, {"p": "number"}),
        (
            "Write a Python function `$fn($p)` that returns True if `$p` is a prime number.",
            "Check primality of an integer in Python (`$fn`); numbers below 2 are not prime.",
        ),
        (
            "def $fn($p):\n    if $p < 2:\n        return False\n    i = 2\n    while i * i <= $p:\n"
            "        if $p % i == 0:\n            return False\n        i += 1\n    return True\n",
            "import math\n\n\ndef $fn($p):\n"
            "    return $p >= 2 and all($p % d for d in range(2, math.isqrt($p) + 1))\n",
        ),
        ((1,), (2,), (97,), (91,), (0,)),
        (
            "A composite number has a divisor no larger than its square root, so trial division can stop "
            "there.",
        ),
    ),
    Algo(
        "parse_pairs",
        ("parse_settings", "parse_pairs", "to_dict"),
        ({"p": "text"}, {"p": "line"}),
        (
            "Write `$fn($p)` that parses a string like 'host=db; port=5432' into a dictionary, stripping "
            "spaces and ignoring empty segments.",
            "Turn a semicolon-separated list of key=value pairs into a dict in Python (`$fn`).",
        ),
        (
            "def $fn($p):\n    out = {}\n    for segment in $p.split(\";\"):\n"
            "        if \"=\" not in segment:\n            continue\n"
            "        key, value = segment.split(\"=\", 1)\n        out[key.strip()] = value.strip()\n"
            "    return out\n",
        ),
        (("host=db; port=5432",), ("",), ("a=1;;b = two ;c",)),
        (
            "Splitting each segment at its first '=' keeps values that themselves contain '='.",
        ),
    ),
    Algo(
        "find_duplicates",
        ("find_duplicates", "repeated_items", "duplicates"),
        ({"p": "items"}, {"p": "values"}),
        (
            "Write a Python function `$fn($p)` that returns the values appearing more than once in a list, "
            "each once, in the order their second occurrence appears.",
            "List the repeated elements of a list in Python (`$fn`).",
        ),
        (
            "def $fn($p):\n    seen, dups = set(), []\n    for x in $p:\n"
            "        if x in seen and x not in dups:\n            dups.append(x)\n        seen.add(x)\n"
            "    return dups\n",
        ),
        (([1, 2, 3, 2, 1, 2],), ([],), (["a", "b", "c"],)),
        (
            "A value joins the result the first time it is seen again.",
        ),
    ),
    Algo(
        "sum_multiples",
        ("sum_of_multiples", "multiples_sum", "sum_multiples"),
        ({"p": "limit"}, {"p": "n"}),
        (
            "Write `$fn($p)` that returns the sum of all natural numbers below `$p` that are multiples of "
            "$x or $y.",
            "In Python, add up every number under $p divisible by $x or by $y (`$fn`).",
        ),
        (
            "def $fn($p):\n    return sum(k for k in range($p) if k % $x == 0 or k % $y == 0)\n",
            "def $fn($p):\n    def tri(d):\n        m = ($p - 1) // d\n        return d * m * (m + 1) // 2\n"
            "    return tri($x) + tri($y) - tri($lcm)\n",
        ),
        ((10,), (1,), (100,), (1000,)),
        (
            "A generator expression tests each number below the limit, which is clear and fine for moderate "
            "limits.",
            "Inclusion-exclusion adds the multiples of each number and subtracts those counted twice.",
        ),
        (
            {"x": 3, "y": 5, "lcm": 15},
            {"x": 4, "y": 6, "lcm": 12},
            {"x": 2, "y": 7, "lcm": 14},
            {"x": 5, "y": 8, "lcm": 40},
        ),
    ),
    Algo(
        "fizzbuzz",
        ("fizzbuzz", "fizz_buzz", "word_game"),
        ({"p": "n"}, {"p": "count"}),
        (
            "Write a Python function `$fn($p)` that returns a list for the numbers 1 to `$p`: '$w1' for "
            "multiples of $x, '$w2' for multiples of $y, '$w1$w2' for multiples of both, otherwise the "
            "number as a string.",
            "Implement a FizzBuzz variant `$fn` in Python using $x -> '$w1' and $y -> '$w2'.",
        ),
        (
            "def $fn($p):\n    out = []\n    for i in range(1, $p + 1):\n        word = \"\"\n"
            "        if i % $x == 0:\n            word += \"$w1\"\n        if i % $y == 0:\n"
            "            word += \"$w2\"\n        out.append(word or str(i))\n    return out\n",
        ),
        ((15,), (1,), (7,)),
        (
            "Building the word from both checks covers the combined case without a special branch.",
        ),
        (
            {"x": 3, "y": 5, "w1": "Fizz", "w2": "Buzz"},
            {"x": 2, "y": 7, "w1": "Ping", "w2": "Pong"},
            {"x": 4, "y": 6, "w1": "Foo", "w2": "Bar"},
            {"x": 3, "y": 7, "w1": "Zip", "w2": "Zap"},
        ),
    ),
    Algo(
        "count_bits",
        ("count_set_bits", "popcount", "ones_in_binary"),
        ({"p": "n"}, {"p": "value"}),
        (
            "Write `$fn($p)` that returns the number of 1 bits in the binary representation of a "
            "non-negative integer.",
            "Count the set bits of an integer in Python without bin() (`$fn`).",
        ),
        (
            "def $fn($p):\n    count = 0\n    while $p:\n        $p &= $p - 1\n        count += 1\n"
            "    return count\n",
        ),
        ((0,), (7,), (128,), (255,), (1023,)),
        (
            "n & (n - 1) clears the lowest set bit, so the loop runs once per 1 bit.",
        ),
    ),
    Algo(
        "title_case",
        ("smart_title", "headline_case", "title_case"),
        ({"p": "text"}, {"p": "title"}),
        (
            "Write a Python function `$fn($p)` that capitalises each word of a title except the small words "
            "'a', 'an', 'the', 'of', 'and', 'in' and 'on', which stay lower case unless they are the first "
            "word.",
            "Title-case a headline in Python, keeping short function words lower case after the first word "
            "(`$fn`).",
        ),
        (
            "def $fn($p):\n    small = {\"a\", \"an\", \"the\", \"of\", \"and\", \"in\", \"on\"}\n"
            "    words = $p.lower().split()\n"
            "    return \" \".join(w if i and w in small else w.capitalize() for i, w in enumerate(words))\n",
        ),
        (("the lord of the rings",), ("a tale in two cities",), ("",)),
        (
            "Lower-casing first, then capitalising all but the listed small words, gives consistent output.",
        ),
    ),
)
