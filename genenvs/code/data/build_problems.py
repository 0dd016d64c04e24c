"""Source of the bundled Python problem set; running it rebuilds ``problems.json``.

Every problem is written here as an ordinary function: the ``def`` line becomes the
problem's ``signature``, the function body its ``reference_solution``, and the decorator
carries the difficulty, the description shown to the agent and the test *calls*. The
expected value of every test is computed by running the reference solution, so the
shipped expectations cannot disagree with the reference.

Rules the reference solutions follow so that ``signature + "\\n" + body`` is a complete,
self-contained function: imports and helpers live inside the body, results are plain JSON
values (lists, never tuples; dicts with string keys), and nothing depends on global state.

Rebuild with::

    python genenvs/code/data/build_problems.py
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

OUTPUT = Path(__file__).with_name("problems.json")
ID_PREFIX = "genenvs/"


@dataclasses.dataclass
class _Spec:
    function: Callable[..., Any]
    difficulty: str
    description: str
    calls: list[str]


_SPECS: list[_Spec] = []


def problem(difficulty: str, description: str, calls: list[str]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register the decorated function as a problem (definition order gives the ids)."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        _SPECS.append(_Spec(fn, difficulty, inspect.cleandoc(description), calls))
        return fn

    return register


# =====================================================================================
# easy: one idea, a line or a short loop
# =====================================================================================


@problem(
    "easy",
    """Return a list of the same length as xs whose i-th item is the largest value
    among xs[0], ..., xs[i].""",
    ["running_max([1, 3, 2])", "running_max([])", "running_max([5])", "running_max([-4, -7, -1, -3])",
     "running_max([2, 2, 2])", "running_max([1, 2, 3, 4])", "running_max([9, 1, 10, 0])"],
)
def running_max(xs: list[int]) -> list[int]:
    out = []
    for x in xs:
        out.append(x if not out else max(out[-1], x))
    return out


@problem(
    "easy",
    """Count the vowels (a, e, i, o, u, in either case) in text. The letter y is not a
    vowel here.""",
    ["count_vowels('Banana')", "count_vowels('')", "count_vowels('rhythm')", "count_vowels('AEIOU aeiou')",
     "count_vowels('Hello, World!')", "count_vowels('yay')"],
)
def count_vowels(text: str) -> int:
    return sum(1 for ch in text.lower() if ch in "aeiou")


@problem(
    "easy",
    """Return the words of sentence in reverse order, joined by single spaces. Words are
    separated by any amount of whitespace, and leading or trailing whitespace is
    dropped.""",
    ["reverse_words('the quick fox')", "reverse_words('')", "reverse_words('one')",
     "reverse_words('  spaced   out  words ')", "reverse_words('a b c d')", "reverse_words('   ')"],
)
def reverse_words(sentence: str) -> str:
    return " ".join(reversed(sentence.split()))


@problem(
    "easy",
    """Tell whether the decimal digits of n read the same forwards and backwards.
    Negative numbers never qualify because of their minus sign.""",
    ["is_digit_palindrome(121)", "is_digit_palindrome(0)", "is_digit_palindrome(-121)",
     "is_digit_palindrome(10)", "is_digit_palindrome(1234321)", "is_digit_palindrome(1223)"],
)
def is_digit_palindrome(n: int) -> bool:
    if n < 0:
        return False
    digits = str(n)
    return digits == digits[::-1]


@problem(
    "easy",
    """Limit every value of xs to the closed interval [low, high]: values below low
    become low, values above high become high. Assume low <= high.""",
    ["clamp_all([1, 5, 10], 2, 8)", "clamp_all([], 0, 1)", "clamp_all([-5, 0, 5], -1, 1)",
     "clamp_all([3, 3], 3, 3)", "clamp_all([100, -100], -10, 10)", "clamp_all([4, 6], 0, 9)"],
)
def clamp_all(xs: list[int], low: int, high: int) -> list[int]:
    return [min(max(x, low), high) for x in xs]


@problem(
    "easy",
    """Return the sum of the squares of the numbers in xs (0 for an empty list).""",
    ["sum_of_squares([1, 2, 3])", "sum_of_squares([])", "sum_of_squares([-4])", "sum_of_squares([0, 0])",
     "sum_of_squares([10, -10, 1])"],
)
def sum_of_squares(xs: list[int]) -> int:
    return sum(x * x for x in xs)


@problem(
    "easy",
    """Return the second largest *distinct* value in xs, or None when xs holds fewer
    than two distinct values.""",
    ["second_largest([4, 1, 7, 3])", "second_largest([])", "second_largest([5, 5, 5])",
     "second_largest([2, 9, 9, 1])", "second_largest([-1, -2])", "second_largest([8])"],
)
def second_largest(xs: list[int]) -> int | None:
    distinct = sorted(set(xs))
    return distinct[-2] if len(distinct) >= 2 else None


@problem(
    "easy",
    """Upper-case the first character of every word of text, where words are the pieces
    between single spaces. Leave all other characters, and the spacing, unchanged.""",
    ["capitalize_words('hello world')", "capitalize_words('')", "capitalize_words('a  b')",
     "capitalize_words('already Fine')", "capitalize_words('x')", "capitalize_words('3rd place eH')"],
)
def capitalize_words(text: str) -> str:
    return " ".join(word[:1].upper() + word[1:] for word in text.split(" "))


@problem(
    "easy",
    """Return the differences between consecutive items: xs[1] - xs[0], xs[2] - xs[1],
    and so on. Lists shorter than two give an empty list.""",
    ["consecutive_differences([1, 4, 9, 16])", "consecutive_differences([])", "consecutive_differences([7])",
     "consecutive_differences([5, 3, 3, 8])", "consecutive_differences([-2, 2])"],
)
def consecutive_differences(xs: list[int]) -> list[int]:
    return [b - a for a, b in zip(xs, xs[1:])]


@problem(
    "easy",
    """Count how many numbers in xs are strictly greater than zero.""",
    ["count_positive([1, -2, 0, 5])", "count_positive([])", "count_positive([0, 0])", "count_positive([-1, -5])",
     "count_positive([3, 3, 3])"],
)
def count_positive(xs: list[int]) -> int:
    return sum(1 for x in xs if x > 0)


@problem(
    "easy",
    """Return the sum of the decimal digits of n, ignoring its sign.""",
    ["digit_sum(123)", "digit_sum(0)", "digit_sum(-45)", "digit_sum(9999)", "digit_sum(100000)"],
)
def digit_sum(n: int) -> int:
    return sum(int(d) for d in str(abs(n)))


@problem(
    "easy",
    """Merge two lists by alternating their items, starting with xs. When one list runs
    out, append the rest of the other.""",
    ["interleave([1, 3, 5], [2, 4, 6])", "interleave([], [])", "interleave([1], [])", "interleave([], [7, 8])",
     "interleave([1, 2, 3, 4], [9])", "interleave([0], [1, 2, 3])"],
)
def interleave(xs: list[int], ys: list[int]) -> list[int]:
    out = []
    for i in range(max(len(xs), len(ys))):
        if i < len(xs):
            out.append(xs[i])
        if i < len(ys):
            out.append(ys[i])
    return out


@problem(
    "easy",
    """Convert a temperature from degrees Celsius to degrees Fahrenheit
    (F = C * 9 / 5 + 32) and round the result to one decimal place.""",
    ["celsius_to_fahrenheit(100.0)", "celsius_to_fahrenheit(0.0)", "celsius_to_fahrenheit(-40.0)",
     "celsius_to_fahrenheit(37.0)", "celsius_to_fahrenheit(21.5)"],
)
def celsius_to_fahrenheit(celsius: float) -> float:
    return round(celsius * 9 / 5 + 32, 1)


@problem(
    "easy",
    """Return text with every character repeated k times in place. A k of zero or less
    gives the empty string.""",
    ["repeat_chars('abc', 2)", "repeat_chars('', 3)", "repeat_chars('xy', 0)", "repeat_chars('a b', 1)",
     "repeat_chars('z', 4)", "repeat_chars('hi', -1)"],
)
def repeat_chars(text: str, k: int) -> str:
    return "".join(ch * k for ch in text)


@problem(
    "easy",
    """Return only the characters of text that are the ASCII digits 0-9, in order.""",
    ["keep_digits('a1b2c3')", "keep_digits('')", "keep_digits('no digits')", "keep_digits('2024-06-01')",
     "keep_digits('007')"],
)
def keep_digits(text: str) -> str:
    return "".join(ch for ch in text if ch in "0123456789")


@problem(
    "easy",
    """Return the arithmetic mean of xs rounded to 3 decimal places, or None when xs is
    empty.""",
    ["mean_of([1.0, 2.0, 3.0, 4.0])", "mean_of([])", "mean_of([5.0])", "mean_of([1.0, 2.0])",
     "mean_of([-1.5, 1.5, 3.0])", "mean_of([1.0, 1.0, 2.0])"],
)
def mean_of(xs: list[float]) -> float | None:
    if not xs:
        return None
    return round(sum(xs) / len(xs), 3)


@problem(
    "easy",
    """Tell whether xs is in non-decreasing order (each item at least as large as the
    one before). Empty and one-item lists count as sorted.""",
    ["is_non_decreasing([1, 2, 2, 5])", "is_non_decreasing([])", "is_non_decreasing([4])",
     "is_non_decreasing([3, 1])", "is_non_decreasing([-3, -3, 0])", "is_non_decreasing([1, 2, 3, 2])"],
)
def is_non_decreasing(xs: list[int]) -> bool:
    return all(a <= b for a, b in zip(xs, xs[1:]))


@problem(
    "easy",
    """Count the upper-case ASCII letters A-Z in text.""",
    ["count_uppercase('Hello World')", "count_uppercase('')", "count_uppercase('lower')",
     "count_uppercase('ABC def GHI')", "count_uppercase('123!')"],
)
def count_uppercase(text: str) -> int:
    return sum(1 for ch in text if "A" <= ch <= "Z")


@problem(
    "easy",
    """Return the length of the last word of text, where words are separated by
    whitespace. Return 0 if text has no words.""",
    ["last_word_length('fly me to the moon')", "last_word_length('')", "last_word_length('   ')",
     "last_word_length('trailing   ')", "last_word_length('a')", "last_word_length('two words')"],
)
def last_word_length(text: str) -> int:
    words = text.split()
    return len(words[-1]) if words else 0


@problem(
    "easy",
    """Return xs without repeated values, keeping the first occurrence of each value and
    the original order.""",
    ["dedupe_keep_order([3, 1, 3, 2, 1])", "dedupe_keep_order([])", "dedupe_keep_order([5, 5, 5])",
     "dedupe_keep_order([1, 2, 3])", "dedupe_keep_order([-1, 0, -1, 0, 2])"],
)
def dedupe_keep_order(xs: list[int]) -> list[int]:
    seen = set()
    out = []
    for x in xs:
        if x not in seen:
            seen.add(x)
            out.append(x)
    return out


@problem(
    "easy",
    """Split xs into consecutive pieces of length size; the last piece may be shorter.
    Assume size >= 1.""",
    ["chunk_list([1, 2, 3, 4, 5], 2)", "chunk_list([], 3)", "chunk_list([1, 2, 3], 3)", "chunk_list([1, 2], 5)",
     "chunk_list([9, 8, 7, 6], 1)"],
)
def chunk_list(xs: list[int], size: int) -> list[list[int]]:
    return [xs[i:i + size] for i in range(0, len(xs), size)]


@problem(
    "easy",
    """Concatenate the inner lists of nested into one list, in order.""",
    ["flatten_once([[1, 2], [3], [4, 5]])", "flatten_once([])", "flatten_once([[], []])",
     "flatten_once([[7]])", "flatten_once([[1], [], [2, 3]])"],
)
def flatten_once(nested: list[list[int]]) -> list[int]:
    return [x for inner in nested for x in inner]


@problem(
    "easy",
    """Return the product of the numbers in xs. The product of an empty list is 1.""",
    ["product_of([2, 3, 4])", "product_of([])", "product_of([0, 5])", "product_of([-2, -3])", "product_of([7])"],
)
def product_of(xs: list[int]) -> int:
    result = 1
    for x in xs:
        result *= x
    return result


@problem(
    "easy",
    """Return the index of the smallest value in xs (the first one if it occurs more than
    once), or -1 for an empty list.""",
    ["index_of_min([4, 2, 7, 2])", "index_of_min([])", "index_of_min([1])", "index_of_min([3, 2, 1])",
     "index_of_min([-5, 0, -5])"],
)
def index_of_min(xs: list[int]) -> int:
    if not xs:
        return -1
    return xs.index(min(xs))


@problem(
    "easy",
    """Rotate xs to the left by k positions: the first k items move to the end. k may be
    larger than the length of the list (rotation wraps around) but is never negative.""",
    ["rotate_left([1, 2, 3, 4, 5], 2)", "rotate_left([], 3)", "rotate_left([1, 2, 3], 0)",
     "rotate_left([1, 2, 3], 3)", "rotate_left([1, 2, 3], 7)", "rotate_left([9], 4)"],
)
def rotate_left(xs: list[int], k: int) -> list[int]:
    if not xs:
        return []
    k %= len(xs)
    return xs[k:] + xs[:k]


@problem(
    "easy",
    """Return the initials of a full name: the upper-cased first letter of each
    whitespace-separated part, each followed by a dot.""",
    ["initials('ada lovelace')", "initials('')", "initials('Grace Brewster Murray Hopper')", "initials('  alan  ')",
     "initials('x y')"],
)
def initials(name: str) -> str:
    return "".join(part[0].upper() + "." for part in name.split())


@problem(
    "easy",
    """Count the words in text, a word being a maximal run of non-whitespace
    characters.""",
    ["count_words('one two  three')", "count_words('')", "count_words('   ')", "count_words('single')",
     "count_words(' a b c d e ')"],
)
def count_words(text: str) -> int:
    return len(text.split())


@problem(
    "easy",
    """Return |xs[i] - ys[i]| for every position i present in both lists (the extra items
    of the longer list are ignored).""",
    ["absolute_differences([1, 5, 3], [4, 2, 3])", "absolute_differences([], [1])",
     "absolute_differences([10], [-10])", "absolute_differences([1, 2, 3], [1])",
     "absolute_differences([0, 0], [5, -5])"],
)
def absolute_differences(xs: list[int], ys: list[int]) -> list[int]:
    return [abs(a - b) for a, b in zip(xs, ys)]


@problem(
    "easy",
    """Reorder xs so that all even numbers come first and all odd numbers after them,
    keeping the relative order inside each group.""",
    ["evens_then_odds([3, 2, 5, 4, 6])", "evens_then_odds([])", "evens_then_odds([1, 3])", "evens_then_odds([2, 4])",
     "evens_then_odds([-1, -2, 0, 7])"],
)
def evens_then_odds(xs: list[int]) -> list[int]:
    return [x for x in xs if x % 2 == 0] + [x for x in xs if x % 2 != 0]


@problem(
    "easy",
    """Parse a string of comma-separated integers, which may have spaces around each
    number, into a list of ints. A string with nothing but whitespace gives [].""",
    ["parse_int_list('1, 2,3')", "parse_int_list('')", "parse_int_list(' 42 ')", "parse_int_list('-1,-2, 0')",
     "parse_int_list('   ')", "parse_int_list('10,20 , 30')"],
)
def parse_int_list(text: str) -> list[int]:
    if not text.strip():
        return []
    return [int(part) for part in text.split(",")]


@problem(
    "easy",
    """Pad text on the left with the single character fill until it is at least width
    characters long. Text that is already long enough is returned unchanged.""",
    ["pad_left('42', 5, '0')", "pad_left('', 3, '*')", "pad_left('hello', 3, ' ')", "pad_left('ab', 2, '-')",
     "pad_left('x', 4, '.')"],
)
def pad_left(text: str, width: int, fill: str) -> str:
    return fill * max(0, width - len(text)) + text


@problem(
    "easy",
    """Tell whether year is a leap year in the Gregorian calendar: divisible by 4, except
    years divisible by 100 that are not divisible by 400.""",
    ["is_leap_year(2024)", "is_leap_year(1900)", "is_leap_year(2000)", "is_leap_year(2023)", "is_leap_year(2100)",
     "is_leap_year(4)"],
)
def is_leap_year(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


@problem(
    "easy",
    """Return the number of positions at which the strings a and b differ, or None when
    their lengths are different.""",
    ["hamming_distance('karolin', 'kathrin')", "hamming_distance('', '')", "hamming_distance('abc', 'abcd')",
     "hamming_distance('same', 'same')", "hamming_distance('0000', '1111')"],
)
def hamming_distance(a: str, b: str) -> int | None:
    if len(a) != len(b):
        return None
    return sum(1 for x, y in zip(a, b) if x != y)


@problem(
    "easy",
    """Count the negative, zero and positive numbers of xs. Return a dict with exactly
    the keys "negative", "zero" and "positive".""",
    ["sign_counts([-1, 0, 2, 3])", "sign_counts([])", "sign_counts([0, 0, 0])", "sign_counts([-5, -6])",
     "sign_counts([1])"],
)
def sign_counts(xs: list[int]) -> dict[str, int]:
    return {
        "negative": sum(1 for x in xs if x < 0),
        "zero": sum(1 for x in xs if x == 0),
        "positive": sum(1 for x in xs if x > 0),
    }


@problem(
    "easy",
    """Return the difference between the largest and the smallest value of xs, or 0 for
    an empty list.""",
    ["value_spread([3, 9, 1])", "value_spread([])", "value_spread([5])", "value_spread([-4, 4])",
     "value_spread([2, 2, 2])"],
)
def value_spread(xs: list[int]) -> int:
    return max(xs) - min(xs) if xs else 0


@problem(
    "easy",
    """Convert a snake_case identifier to camelCase: drop the underscores and upper-case
    the letter after each one, except at the very start. Empty pieces from repeated,
    leading or trailing underscores are ignored.""",
    ["snake_to_camel('max_value')", "snake_to_camel('')", "snake_to_camel('single')",
     "snake_to_camel('a_b_c')", "snake_to_camel('__private_name_')", "snake_to_camel('http_response_code')"],
)
def snake_to_camel(name: str) -> str:
    parts = [p for p in name.split("_") if p]
    if not parts:
        return ""
    return parts[0] + "".join(p[0].upper() + p[1:] for p in parts[1:])


@problem(
    "easy",
    """Count the occurrences of pattern in text, overlapping ones included. Assume
    pattern is not empty.""",
    ["count_overlapping('aaaa', 'aa')", "count_overlapping('', 'a')", "count_overlapping('banana', 'ana')",
     "count_overlapping('abc', 'd')", "count_overlapping('abababa', 'aba')"],
)
def count_overlapping(text: str, pattern: str) -> int:
    return sum(1 for i in range(len(text) - len(pattern) + 1) if text[i:i + len(pattern)] == pattern)


@problem(
    "easy",
    """Return the n-th triangular number 1 + 2 + ... + n (0 for n = 0).""",
    ["triangular(4)", "triangular(0)", "triangular(1)", "triangular(10)", "triangular(100)"],
)
def triangular(n: int) -> int:
    return n * (n + 1) // 2


@problem(
    "easy",
    """Return the squares of the even numbers of xs, in order; odd numbers are
    dropped.""",
    ["squares_of_evens([1, 2, 3, 4])", "squares_of_evens([])", "squares_of_evens([1, 3])",
     "squares_of_evens([-2, 0])", "squares_of_evens([6, 6])"],
)
def squares_of_evens(xs: list[int]) -> list[int]:
    return [x * x for x in xs if x % 2 == 0]


@problem(
    "easy",
    """Return the longest whitespace-separated word of text (the first one on a tie),
    or "" when there are no words.""",
    ["longest_word('a quick brown fox')", "longest_word('')", "longest_word('ab cd')", "longest_word('  solo ')",
     "longest_word('hi there everyone')"],
)
def longest_word(text: str) -> str:
    best = ""
    for word in text.split():
        if len(word) > len(best):
            best = word
    return best


@problem(
    "easy",
    """Merge two dicts of counts: the result has every key of either dict, and keys that
    appear in both get the sum of their two values.""",
    ["merge_counts({'a': 1, 'b': 2}, {'b': 3, 'c': 4})", "merge_counts({}, {})", "merge_counts({'x': 5}, {})",
     "merge_counts({}, {'y': 0})", "merge_counts({'k': -1}, {'k': 1})"],
)
def merge_counts(a: dict[str, int], b: dict[str, int]) -> dict[str, int]:
    out = dict(a)
    for key, value in b.items():
        out[key] = out.get(key, 0) + value
    return out


@problem(
    "easy",
    """Return a dict mapping each character of text to the number of times it occurs.""",
    ["char_frequency('hello')", "char_frequency('')", "char_frequency('aaa')", "char_frequency('a b')",
     "char_frequency('AaA')"],
)
def char_frequency(text: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for ch in text:
        counts[ch] = counts.get(ch, 0) + 1
    return counts


@problem(
    "easy",
    """Return the running totals of xs: the i-th item is xs[0] + ... + xs[i].""",
    ["cumulative_sum([1, 2, 3])", "cumulative_sum([])", "cumulative_sum([5])", "cumulative_sum([1, -1, 1, -1])",
     "cumulative_sum([10, 20, 30, 40])"],
)
def cumulative_sum(xs: list[int]) -> list[int]:
    out = []
    total = 0
    for x in xs:
        total += x
        out.append(total)
    return out


@problem(
    "easy",
    """Tell whether a and b use exactly the same letters the same number of times,
    ignoring upper/lower case and spaces.""",
    ["is_anagram('Listen', 'Silent')", "is_anagram('', '')", "is_anagram('dormitory', 'dirty room')",
     "is_anagram('abc', 'abd')", "is_anagram('aab', 'abb')", "is_anagram('A gentleman', 'Elegant man')"],
)
def is_anagram(a: str, b: str) -> bool:
    def normalise(s: str) -> list[str]:
        return sorted(s.replace(" ", "").lower())

    return normalise(a) == normalise(b)


@problem(
    "easy",
    """Hide all but the last four characters of number behind '#' characters. Strings of
    four characters or fewer are returned unchanged.""",
    ["mask_number('4556364607935616')", "mask_number('')", "mask_number('1234')", "mask_number('12345')",
     "mask_number('ab')"],
)
def mask_number(number: str) -> str:
    return "#" * max(0, len(number) - 4) + number[-4:]


@problem(
    "easy",
    """Return the least common multiple of two non-negative integers; return 0 if either
    of them is 0.""",
    ["lcm_pair(4, 6)", "lcm_pair(0, 5)", "lcm_pair(7, 7)", "lcm_pair(1, 9)", "lcm_pair(12, 18)", "lcm_pair(0, 0)"],
)
def lcm_pair(a: int, b: int) -> int:
    import math

    if a == 0 or b == 0:
        return 0
    return a * b // math.gcd(a, b)


@problem(
    "easy",
    """Write the non-negative integer n in base 2, without any prefix ("0" for 0).""",
    ["to_binary(5)", "to_binary(0)", "to_binary(1)", "to_binary(255)", "to_binary(1024)"],
)
def to_binary(n: int) -> str:
    if n == 0:
        return "0"
    digits = []
    while n:
        digits.append(str(n % 2))
        n //= 2
    return "".join(reversed(digits))


@problem(
    "easy",
    """Return the middle value of three integers (the one that is neither strictly the
    smallest nor strictly the largest once they are sorted).""",
    ["median_of_three(3, 1, 2)", "median_of_three(5, 5, 1)", "median_of_three(-1, -2, -3)",
     "median_of_three(7, 7, 7)", "median_of_three(10, 0, 5)"],
)
def median_of_three(a: int, b: int, c: int) -> int:
    return sorted([a, b, c])[1]


@problem(
    "easy",
    """Return every k-th item of xs starting with the first (xs[0], xs[k], xs[2k], ...).
    Assume k >= 1.""",
    ["every_kth([1, 2, 3, 4, 5, 6, 7], 3)", "every_kth([], 2)", "every_kth([4, 5], 1)", "every_kth([9, 8, 7], 5)",
     "every_kth([0, 1, 0, 1, 0], 2)"],
)
def every_kth(xs: list[int], k: int) -> list[int]:
    return xs[::k]


@problem(
    "easy",
    """Return the number of items of xs that are strictly larger than every item before
    them. The first item of a non-empty list always counts.""",
    ["count_records([3, 1, 4, 1, 5, 9, 2, 6])", "count_records([])", "count_records([5, 5, 5])",
     "count_records([1, 2, 3])", "count_records([-3, -2, -5])"],
)
def count_records(xs: list[int]) -> int:
    count = 0
    best = None
    for x in xs:
        if best is None or x > best:
            best = x
            count += 1
    return count


# =====================================================================================
# medium: loops with state, dicts, sorting with keys, small dynamic programmes
# =====================================================================================


@problem(
    "medium",
    """Compress text by run-length encoding: each maximal run of one character becomes
    that character followed by the run's length, e.g. "aaab" -> "a3b1".""",
    ["run_length_encode('aaabcc')", "run_length_encode('')", "run_length_encode('a')",
     "run_length_encode('abcd')", "run_length_encode('zzzzzzzzzzzz')", "run_length_encode('aabbaa')"],
)
def run_length_encode(text: str) -> str:
    parts = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and text[j] == text[i]:
            j += 1
        parts.append(f"{text[i]}{j - i}")
        i = j
    return "".join(parts)


@problem(
    "medium",
    """Undo run-length encoding: encoded is a sequence of letters each followed by a
    positive decimal count (possibly several digits), e.g. "a12b1". Return the expanded
    string.""",
    ["run_length_decode('a3b1c2')", "run_length_decode('')", "run_length_decode('x12')",
     "run_length_decode('a1b1c1')", "run_length_decode('q2w10')"],
)
def run_length_decode(encoded: str) -> str:
    out = []
    i = 0
    while i < len(encoded):
        ch = encoded[i]
        j = i + 1
        while j < len(encoded) and encoded[j].isdigit():
            j += 1
        out.append(ch * int(encoded[i + 1:j]))
        i = j
    return "".join(out)


@problem(
    "medium",
    """Group words that are anagrams of each other (same letters, same counts, case
    sensitive). Return the groups ordered by where their first word appears in words,
    each group keeping the input order of its words.""",
    ["group_anagrams(['eat', 'tea', 'tan', 'ate', 'nat', 'bat'])", "group_anagrams([])", "group_anagrams(['a'])",
     "group_anagrams(['ab', 'ba', 'ab'])", "group_anagrams(['abc', 'def', 'fed', 'cab'])"],
)
def group_anagrams(words: list[str]) -> list[list[str]]:
    groups: dict[str, list[str]] = {}
    for word in words:
        groups.setdefault("".join(sorted(word)), []).append(word)
    return list(groups.values())


@problem(
    "medium",
    """Return the k values that occur most often in xs, most frequent first; values with
    equal counts are ordered from smallest to largest. If xs has fewer than k distinct
    values, return all of them.""",
    ["top_k_frequent([1, 1, 1, 2, 2, 3], 2)", "top_k_frequent([], 3)", "top_k_frequent([5, 4, 5, 4], 1)",
     "top_k_frequent([7], 2)", "top_k_frequent([3, 1, 2, 3, 1, 3], 3)", "top_k_frequent([9, 8, 7], 0)"],
)
def top_k_frequent(xs: list[int], k: int) -> list[int]:
    counts: dict[int, int] = {}
    for x in xs:
        counts[x] = counts.get(x, 0) + 1
    return sorted(counts, key=lambda v: (-counts[v], v))[:k]


@problem(
    "medium",
    """Sort words by their last character; words with the same last character are
    ordered alphabetically. The empty string sorts before every other word.""",
    ["sort_by_last_char(['apple', 'kiwi', 'banana', 'fig'])", "sort_by_last_char([])",
     "sort_by_last_char(['b', 'a'])", "sort_by_last_char(['', 'za', 'ya'])",
     "sort_by_last_char(['cab', 'bab', 'aac'])"],
)
def sort_by_last_char(words: list[str]) -> list[str]:
    return sorted(words, key=lambda w: (w[-1:], w))


@problem(
    "medium",
    """Find indices i < j with xs[i] + xs[j] == target. Among all such pairs return the
    one with the smallest j, and for that j the smallest i, as [i, j]; return [] when no
    pair exists.""",
    ["pair_with_sum([2, 7, 11, 15], 9)", "pair_with_sum([], 0)", "pair_with_sum([1, 2, 3], 7)",
     "pair_with_sum([3, 3, 3], 6)", "pair_with_sum([1, 5, 2, 4], 6)", "pair_with_sum([-1, 1], 0)"],
)
def pair_with_sum(xs: list[int], target: int) -> list[int]:
    first_index: dict[int, int] = {}
    for j, x in enumerate(xs):
        if target - x in first_index:
            return [first_index[target - x], j]
        first_index.setdefault(x, j)
    return []


@problem(
    "medium",
    """Return the length of the longest contiguous run of strictly increasing values in
    xs (0 for an empty list).""",
    ["longest_increasing_run([1, 3, 5, 4, 7])", "longest_increasing_run([])", "longest_increasing_run([2, 2, 2])",
     "longest_increasing_run([1, 2, 3, 4])", "longest_increasing_run([5, 4, 3])",
     "longest_increasing_run([1, 2, 1, 2, 3, 0])"],
)
def longest_increasing_run(xs: list[int]) -> int:
    best = 0
    current = 0
    for i, x in enumerate(xs):
        current = current + 1 if i > 0 and x > xs[i - 1] else 1
        best = max(best, current)
    return best


@problem(
    "medium",
    """Tell whether the brackets (), [] and {} in text are balanced and properly nested.
    Every other character is ignored.""",
    ["brackets_balanced('(a[b]{c})')", "brackets_balanced('')", "brackets_balanced('(]')",
     "brackets_balanced('((')", "brackets_balanced('}{')", "brackets_balanced('x = f(a[0], {1: 2})')",
     "brackets_balanced('([)]')"],
)
def brackets_balanced(text: str) -> bool:
    pairs = {")": "(", "]": "[", "}": "{"}
    stack = []
    for ch in text:
        if ch in "([{":
            stack.append(ch)
        elif ch in pairs:
            if not stack or stack.pop() != pairs[ch]:
                return False
    return not stack


@problem(
    "medium",
    """Count the words of text after lower-casing it and removing the characters
    . , ! ? ; and :. Return [word, count] pairs sorted by count (highest first) and then
    alphabetically.""",
    ["word_counts('The cat and the hat.')", "word_counts('')", "word_counts('Go! go, GO?')",
     "word_counts('b a c')", "word_counts('one; two: two three three three')"],
)
def word_counts(text: str) -> list[list]:
    for ch in ".,!?;:":
        text = text.replace(ch, "")
    counts: dict[str, int] = {}
    for word in text.lower().split():
        counts[word] = counts.get(word, 0) + 1
    return [[w, c] for w, c in sorted(counts.items(), key=lambda wc: (-wc[1], wc[0]))]


@problem(
    "medium",
    """Return the transpose of a rectangular matrix given as a list of rows. The
    transpose of an empty matrix is [].""",
    ["transpose([[1, 2, 3], [4, 5, 6]])", "transpose([])", "transpose([[7]])", "transpose([[1], [2], [3]])",
     "transpose([[1, 2], [3, 4]])"],
)
def transpose(matrix: list[list[int]]) -> list[list[int]]:
    if not matrix:
        return []
    return [[row[c] for row in matrix] for c in range(len(matrix[0]))]


@problem(
    "medium",
    """Read the items of a rectangular matrix in clockwise spiral order, starting at the
    top-left corner and moving right first.""",
    ["spiral_order([[1, 2, 3], [4, 5, 6], [7, 8, 9]])", "spiral_order([])", "spiral_order([[1]])",
     "spiral_order([[1, 2, 3, 4]])", "spiral_order([[1], [2], [3]])", "spiral_order([[1, 2], [3, 4], [5, 6]])"],
)
def spiral_order(matrix: list[list[int]]) -> list[int]:
    out = []
    top, bottom = 0, len(matrix) - 1
    left, right = 0, (len(matrix[0]) - 1) if matrix else -1
    while top <= bottom and left <= right:
        out.extend(matrix[top][c] for c in range(left, right + 1))
        out.extend(matrix[r][right] for r in range(top + 1, bottom + 1))
        if top < bottom:
            out.extend(matrix[bottom][c] for c in range(right - 1, left - 1, -1))
        if left < right:
            out.extend(matrix[r][left] for r in range(bottom - 1, top, -1))
        top, bottom, left, right = top + 1, bottom - 1, left + 1, right - 1
    return out


@problem(
    "medium",
    """Return the largest sum of a non-empty contiguous slice of xs, or 0 when xs is
    empty.""",
    ["max_slice_sum([-2, 1, -3, 4, -1, 2, 1, -5, 4])", "max_slice_sum([])", "max_slice_sum([-3, -1, -2])",
     "max_slice_sum([5])", "max_slice_sum([1, 2, 3])", "max_slice_sum([2, -1, 2])"],
)
def max_slice_sum(xs: list[int]) -> int:
    if not xs:
        return 0
    best = current = xs[0]
    for x in xs[1:]:
        current = max(x, current + x)
        best = max(best, current)
    return best


@problem(
    "medium",
    """A climber goes up a staircase of n steps taking either 1 or 3 steps at a time.
    Count the different sequences of moves that reach the top exactly (1 way for
    n = 0).""",
    ["climb_ways(0)", "climb_ways(1)", "climb_ways(3)", "climb_ways(4)", "climb_ways(10)",
     "climb_ways(30)"],
)
def climb_ways(n: int) -> int:
    ways = [1] + [0] * n
    for i in range(1, n + 1):
        ways[i] = ways[i - 1] + (ways[i - 3] if i >= 3 else 0)
    return ways[n]


@problem(
    "medium",
    """Convert a valid Roman numeral written with I, V, X, L, C, D and M (using the
    usual subtractive pairs such as IV and CM) to an integer.""",
    ["roman_to_int('III')", "roman_to_int('IV')", "roman_to_int('MCMXCIV')", "roman_to_int('LVIII')",
     "roman_to_int('MMXXV')", "roman_to_int('CDXLIV')"],
)
def roman_to_int(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100, "D": 500, "M": 1000}
    total = 0
    for i, ch in enumerate(numeral):
        value = values[ch]
        if i + 1 < len(numeral) and values[numeral[i + 1]] > value:
            total -= value
        else:
            total += value
    return total


@problem(
    "medium",
    """Write an integer between 1 and 3999 as a Roman numeral in its standard shortest
    form (4 is IV, 9 is IX, 40 is XL, 90 is XC, 400 is CD, 900 is CM).""",
    ["int_to_roman(3)", "int_to_roman(4)", "int_to_roman(1994)", "int_to_roman(3999)", "int_to_roman(58)",
     "int_to_roman(444)"],
)
def int_to_roman(n: int) -> str:
    table = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"),
             (50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    out = []
    for value, symbol in table:
        count, n = divmod(n, value)
        out.append(symbol * count)
    return "".join(out)


@problem(
    "medium",
    """Shift every ASCII letter of text k places along the alphabet, wrapping from z to
    a, and keep its case; other characters are unchanged. k may be negative or larger
    than 26.""",
    ["caesar_shift('abc', 1)", "caesar_shift('', 5)", "caesar_shift('xyz', 3)", "caesar_shift('Hello, World!', 13)",
     "caesar_shift('abc', -1)", "caesar_shift('Zz', 52)"],
)
def caesar_shift(text: str, k: int) -> str:
    out = []
    for ch in text:
        if "a" <= ch <= "z":
            out.append(chr((ord(ch) - 97 + k) % 26 + 97))
        elif "A" <= ch <= "Z":
            out.append(chr((ord(ch) - 65 + k) % 26 + 65))
        else:
            out.append(ch)
    return "".join(out)


@problem(
    "medium",
    """Merge two lists that are each sorted in non-decreasing order into one sorted
    list, without calling a sort function.""",
    ["merge_sorted([1, 3, 5], [2, 4, 6])", "merge_sorted([], [])", "merge_sorted([1, 2], [])",
     "merge_sorted([], [3])", "merge_sorted([1, 1, 4], [1, 2])", "merge_sorted([-5, 0], [-6, 10])"],
)
def merge_sorted(xs: list[int], ys: list[int]) -> list[int]:
    out = []
    i = j = 0
    while i < len(xs) and j < len(ys):
        if xs[i] <= ys[j]:
            out.append(xs[i])
            i += 1
        else:
            out.append(ys[j])
            j += 1
    return out + xs[i:] + ys[j:]


@problem(
    "medium",
    """Return the k-th smallest distinct value of xs (k = 1 is the minimum), or None
    if xs has fewer than k distinct values.""",
    ["kth_smallest_distinct([5, 1, 5, 3], 2)", "kth_smallest_distinct([], 1)",
     "kth_smallest_distinct([2, 2, 2], 2)", "kth_smallest_distinct([9, 8, 7], 3)",
     "kth_smallest_distinct([4, -1, 4, 0], 1)"],
)
def kth_smallest_distinct(xs: list[int], k: int) -> int | None:
    distinct = sorted(set(xs))
    return distinct[k - 1] if 1 <= k <= len(distinct) else None


@problem(
    "medium",
    """Describe a strictly increasing list of integers as ranges: each maximal run of
    consecutive integers becomes "a-b" (or just "a" when the run has one number).""",
    ["compress_ranges([1, 2, 3, 5, 7, 8])", "compress_ranges([])", "compress_ranges([4])",
     "compress_ranges([0, 1, 2, 3])", "compress_ranges([1, 3, 5])", "compress_ranges([10, 11])"],
)
def compress_ranges(xs: list[int]) -> list[str]:
    out = []
    i = 0
    while i < len(xs):
        j = i
        while j + 1 < len(xs) and xs[j + 1] == xs[j] + 1:
            j += 1
        out.append(str(xs[i]) if i == j else f"{xs[i]}-{xs[j]}")
        i = j + 1
    return out


@problem(
    "medium",
    """Expand a comma-separated list of non-negative integers and inclusive ranges such
    as "1-3,7,10-11" into the full list of numbers, in the order written. Spaces around
    items are allowed; an empty string gives [].""",
    ["expand_ranges('1-3,7,10-11')", "expand_ranges('')", "expand_ranges('5')", "expand_ranges(' 2 - 4 , 0 ')",
     "expand_ranges('9-9,1')"],
)
def expand_ranges(text: str) -> list[int]:
    out = []
    for item in text.split(","):
        item = item.strip()
        if not item:
            continue
        if "-" in item:
            lo, hi = (int(p) for p in item.split("-"))
            out.extend(range(lo, hi + 1))
        else:
            out.append(int(item))
    return out


@problem(
    "medium",
    """Return row n of Pascal's triangle (row 0 is [1], row 1 is [1, 1]).""",
    ["pascal_row(0)", "pascal_row(1)", "pascal_row(4)", "pascal_row(6)", "pascal_row(10)"],
)
def pascal_row(n: int) -> list[int]:
    row = [1]
    for _ in range(n):
        row = [1] + [a + b for a, b in zip(row, row[1:])] + [1]
    return row


@problem(
    "medium",
    """Return the distinct prime numbers that divide n (n >= 1), in increasing order.
    1 has no prime divisors.""",
    ["distinct_prime_divisors(60)", "distinct_prime_divisors(1)", "distinct_prime_divisors(13)",
     "distinct_prime_divisors(1024)", "distinct_prime_divisors(9699690)", "distinct_prime_divisors(49)"],
)
def distinct_prime_divisors(n: int) -> list[int]:
    out = []
    p = 2
    while p * p <= n:
        if n % p == 0:
            out.append(p)
            while n % p == 0:
                n //= p
        p += 1
    if n > 1:
        out.append(n)
    return out


@problem(
    "medium",
    """Return all prime numbers strictly smaller than n, in increasing order.""",
    ["primes_below(10)", "primes_below(0)", "primes_below(2)", "primes_below(3)", "primes_below(30)",
     "primes_below(100)"],
)
def primes_below(n: int) -> list[int]:
    if n < 3:
        return []
    is_prime = [True] * n
    is_prime[0] = is_prime[1] = False
    for p in range(2, int(n ** 0.5) + 1):
        if is_prime[p]:
            for multiple in range(p * p, n, p):
                is_prime[multiple] = False
    return [i for i, flag in enumerate(is_prime) if flag]


@problem(
    "medium",
    """Check a number with the Luhn checksum. number is a string of digits that may
    contain spaces (ignored). Starting from the rightmost digit, double every second
    digit, subtracting 9 from any doubled value above 9; the number is valid when the
    total is divisible by 10. Strings with fewer than two digits, or with any character
    other than digits and spaces, are invalid.""",
    ["luhn_valid('4539 3195 0343 6467')", "luhn_valid('')", "luhn_valid('0')", "luhn_valid('8273 1232 7352 0569')",
     "luhn_valid('059')", "luhn_valid('05a9')", "luhn_valid('00')"],
)
def luhn_valid(number: str) -> bool:
    digits = number.replace(" ", "")
    if len(digits) < 2 or not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


@problem(
    "medium",
    """Invert a dict: map each value to the sorted list of keys that had that value.""",
    ["invert_mapping({'a': 'x', 'b': 'y', 'c': 'x'})", "invert_mapping({})", "invert_mapping({'k': 'v'})",
     "invert_mapping({'z': '1', 'a': '1', 'm': '1'})", "invert_mapping({'p': 'q', 'q': 'p'})"],
)
def invert_mapping(mapping: dict[str, str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for key in sorted(mapping):
        out.setdefault(mapping[key], []).append(key)
    return out


@problem(
    "medium",
    """Return the longest string that is a prefix of every word in words ("" for an
    empty list).""",
    ["common_prefix(['flower', 'flow', 'flight'])", "common_prefix([])", "common_prefix(['alone'])",
     "common_prefix(['dog', 'car'])", "common_prefix(['same', 'same'])", "common_prefix(['ab', 'a', ''])"],
)
def common_prefix(words: list[str]) -> str:
    if not words:
        return ""
    prefix = words[0]
    for word in words[1:]:
        while not word.startswith(prefix):
            prefix = prefix[:-1]
    return prefix


@problem(
    "medium",
    """For every window of k consecutive items of xs, from left to right, return the
    largest item in the window. Return [] when k < 1 or k > len(xs).""",
    ["window_maxima([1, 3, -1, -3, 5, 3, 6, 7], 3)", "window_maxima([], 1)", "window_maxima([4, 2], 1)",
     "window_maxima([4, 2], 3)", "window_maxima([9, 8, 7, 6], 2)", "window_maxima([1, 2, 3], 3)"],
)
def window_maxima(xs: list[int], k: int) -> list[int]:
    from collections import deque

    if k < 1 or k > len(xs):
        return []
    window: deque[int] = deque()
    out = []
    for i, x in enumerate(xs):
        while window and xs[window[-1]] <= x:
            window.pop()
        window.append(i)
        if window[0] <= i - k:
            window.popleft()
        if i >= k - 1:
            out.append(xs[window[0]])
    return out


@problem(
    "medium",
    """Return the averages of all windows of k consecutive values of xs, from left to
    right, each rounded to 2 decimal places. Return [] when k < 1 or k > len(xs).""",
    ["moving_average([1, 2, 3, 4, 5], 2)", "moving_average([], 2)", "moving_average([10], 1)",
     "moving_average([1, 2], 3)", "moving_average([1, 2, 4], 3)", "moving_average([3, -3, 3, -3], 2)"],
)
def moving_average(xs: list[int], k: int) -> list[float]:
    if k < 1 or k > len(xs):
        return []
    total = sum(xs[:k])
    out = [round(total / k, 2)]
    for i in range(k, len(xs)):
        total += xs[i] - xs[i - k]
        out.append(round(total / k, 2))
    return out


@problem(
    "medium",
    """Give each score its dense rank: the highest score has rank 1, equal scores share a
    rank, and the next lower score gets the next rank without gaps. Return the ranks in
    the order of scores.""",
    ["dense_ranks([100, 90, 90, 80])", "dense_ranks([])", "dense_ranks([5])", "dense_ranks([1, 2, 3])",
     "dense_ranks([7, 7, 7])", "dense_ranks([50, 70, 50, 60])"],
)
def dense_ranks(scores: list[int]) -> list[int]:
    rank = {score: i + 1 for i, score in enumerate(sorted(set(scores), reverse=True))}
    return [rank[s] for s in scores]


@problem(
    "medium",
    """For each item of xs, return the first item to its right that is strictly larger,
    or -1 if there is none.""",
    ["next_larger([2, 1, 2, 4, 3])", "next_larger([])", "next_larger([5])", "next_larger([1, 2, 3])",
     "next_larger([3, 2, 1])", "next_larger([1, 1, 2])"],
)
def next_larger(xs: list[int]) -> list[int]:
    out = [-1] * len(xs)
    stack: list[int] = []
    for i, x in enumerate(xs):
        while stack and xs[stack[-1]] < x:
            out[stack.pop()] = x
        stack.append(i)
    return out


@problem(
    "medium",
    """Starting from n >= 1, repeatedly replace n by n / 2 if it is even and by 3n + 1 if
    it is odd. Return how many replacements it takes to reach 1.""",
    ["collatz_steps(1)", "collatz_steps(2)", "collatz_steps(6)", "collatz_steps(27)", "collatz_steps(97)"],
)
def collatz_steps(n: int) -> int:
    steps = 0
    while n != 1:
        n = n // 2 if n % 2 == 0 else 3 * n + 1
        steps += 1
    return steps


@problem(
    "medium",
    """Tell whether name could be used as a Python variable name: it is a non-empty
    sequence of ASCII letters, digits and underscores that does not start with a digit,
    and it is not a reserved keyword such as "for" or "None".""",
    ["is_valid_name('total_2')", "is_valid_name('')", "is_valid_name('2fast')", "is_valid_name('for')",
     "is_valid_name('_hidden')", "is_valid_name('has-dash')", "is_valid_name('None')", "is_valid_name('café')"],
)
def is_valid_name(name: str) -> bool:
    import keyword
    import string

    allowed = set(string.ascii_letters + string.digits + "_")
    if not name or name[0].isdigit() or any(ch not in allowed for ch in name):
        return False
    return not keyword.iskeyword(name)


@problem(
    "medium",
    """Wrap text into lines of at most width characters, filling each line greedily with
    whole words separated by single spaces. A word longer than width gets a line of its
    own. Return the list of lines (no lines for text without words).""",
    ["wrap_words('the quick brown fox jumps', 10)", "wrap_words('', 5)", "wrap_words('extraordinary idea', 5)",
     "wrap_words('a b c d', 3)", "wrap_words('fits exactly', 12)", "wrap_words('one two', 3)"],
)
def wrap_words(text: str, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for word in text.split():
        if not current:
            current = word
        elif len(current) + 1 + len(word) <= width:
            current += " " + word
        else:
            lines.append(current)
            current = word
    if current:
        lines.append(current)
    return lines


@problem(
    "medium",
    """Parse settings written as "key=value" items separated by semicolons. Strip
    whitespace around keys and values, skip empty items, and let a later item override an
    earlier one with the same key. Items without "=" are skipped too.""",
    ["parse_settings('a=1; b = two ;c=3')", "parse_settings('')", "parse_settings('x=1;x=2')",
     "parse_settings(';;k = v;;')", "parse_settings('flag;name=value=more')"],
)
def parse_settings(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in text.split(";"):
        if "=" not in item:
            continue
        key, value = item.split("=", 1)
        out[key.strip()] = value.strip()
    return out


@problem(
    "medium",
    """Rearrange the characters of text so that more frequent characters come first;
    characters with the same count are ordered by their code point. Repeated characters
    stay together.""",
    ["sort_by_frequency('tree')", "sort_by_frequency('')", "sort_by_frequency('abc')",
     "sort_by_frequency('aabbbc')", "sort_by_frequency('Aabb')"],
)
def sort_by_frequency(text: str) -> str:
    counts: dict[str, int] = {}
    for ch in text:
        counts[ch] = counts.get(ch, 0) + 1
    return "".join(ch * counts[ch] for ch in sorted(counts, key=lambda c: (-counts[c], c)))


@problem(
    "medium",
    """xs holds every integer from 0 to len(xs) except one, in any order. Return the
    missing integer.""",
    ["missing_number([3, 0, 1])", "missing_number([])", "missing_number([0])", "missing_number([1])",
     "missing_number([9, 6, 4, 2, 3, 5, 7, 0, 1])"],
)
def missing_number(xs: list[int]) -> int:
    n = len(xs)
    return n * (n + 1) // 2 - sum(xs)


@problem(
    "medium",
    """Return the index of the first character of text that occurs exactly once in text,
    or -1 if every character repeats.""",
    ["first_unique_index('leetcode')", "first_unique_index('')", "first_unique_index('aabb')",
     "first_unique_index('aabbc')", "first_unique_index('z')", "first_unique_index('abcab')"],
)
def first_unique_index(text: str) -> int:
    counts: dict[str, int] = {}
    for ch in text:
        counts[ch] = counts.get(ch, 0) + 1
    for i, ch in enumerate(text):
        if counts[ch] == 1:
            return i
    return -1


@problem(
    "medium",
    """xs is sorted in non-decreasing order. Return the smallest index at which x could be
    inserted while keeping xs sorted (so before any items equal to x). Use binary search
    rather than a scan.""",
    ["insertion_index([1, 3, 5, 7], 4)", "insertion_index([], 3)", "insertion_index([1, 2, 2, 2, 3], 2)",
     "insertion_index([1, 2], 0)", "insertion_index([1, 2], 9)", "insertion_index([5], 5)"],
)
def insertion_index(xs: list[int], x: int) -> int:
    lo, hi = 0, len(xs)
    while lo < hi:
        mid = (lo + hi) // 2
        if xs[mid] < x:
            lo = mid + 1
        else:
            hi = mid
    return lo


@problem(
    "medium",
    """Split xs into groups of equal adjacent values, keeping the order.""",
    ["group_equal_runs([1, 1, 2, 3, 3, 3, 1])", "group_equal_runs([])", "group_equal_runs([4])",
     "group_equal_runs([1, 2, 3])", "group_equal_runs([0, 0, 0])"],
)
def group_equal_runs(xs: list[int]) -> list[list[int]]:
    groups: list[list[int]] = []
    for x in xs:
        if groups and groups[-1][0] == x:
            groups[-1].append(x)
        else:
            groups.append([x])
    return groups


@problem(
    "medium",
    """Return the fewest coins that add up to amount when every coin value in coins can
    be used any number of times, or -1 if amount cannot be made. Making 0 takes 0
    coins.""",
    ["fewest_coins([1, 2, 5], 11)", "fewest_coins([2], 3)", "fewest_coins([1], 0)", "fewest_coins([], 7)",
     "fewest_coins([3, 7], 14)", "fewest_coins([9, 6, 1], 12)", "fewest_coins([5, 10], 1)"],
)
def fewest_coins(coins: list[int], amount: int) -> int:
    unreachable = amount + 1
    best = [0] + [unreachable] * amount
    for total in range(1, amount + 1):
        for coin in coins:
            if coin <= total and best[total - coin] + 1 < best[total]:
                best[total] = best[total - coin] + 1
    return best[amount] if best[amount] != unreachable else -1


@problem(
    "medium",
    """Return the largest sum of items of xs no two of which are adjacent in the list.
    Choosing nothing is allowed, so the answer is never negative.""",
    ["max_non_adjacent_sum([3, 2, 7, 10])", "max_non_adjacent_sum([])", "max_non_adjacent_sum([-1, -2])",
     "max_non_adjacent_sum([5])", "max_non_adjacent_sum([2, 1, 1, 2])", "max_non_adjacent_sum([5, 5, 10, 100, 10, 5])"],
)
def max_non_adjacent_sum(xs: list[int]) -> int:
    take, skip = 0, 0
    for x in xs:
        take, skip = skip + x, max(take, skip)
    return max(take, skip)


@problem(
    "medium",
    """Count the paths through a grid from the top-left cell to the bottom-right cell
    that only move right or down. grid is a list of strings of equal length where '.'
    is open and '#' is blocked; a blocked start or end gives 0.""",
    ["grid_paths(['...', '...', '...'])", "grid_paths(['.'])", "grid_paths(['#'])",
     "grid_paths(['..', '#.'])", "grid_paths(['.#', '#.'])", "grid_paths(['....', '.#..', '....'])"],
)
def grid_paths(grid: list[str]) -> int:
    rows, cols = len(grid), len(grid[0])
    ways = [[0] * cols for _ in range(rows)]
    for r in range(rows):
        for c in range(cols):
            if grid[r][c] == "#":
                continue
            if r == 0 and c == 0:
                ways[r][c] = 1
            else:
                ways[r][c] = (ways[r - 1][c] if r > 0 else 0) + (ways[r][c - 1] if c > 0 else 0)
    return ways[-1][-1]


@problem(
    "medium",
    """Multiply two matrices given as lists of rows. The number of columns of a equals
    the number of rows of b.""",
    ["matrix_product([[1, 2], [3, 4]], [[5, 6], [7, 8]])", "matrix_product([[2]], [[3]])",
     "matrix_product([[1, 2, 3]], [[1], [2], [3]])", "matrix_product([[1], [2]], [[3, 4]])",
     "matrix_product([[1, 0], [0, 1]], [[9, 8], [7, 6]])"],
)
def matrix_product(a: list[list[int]], b: list[list[int]]) -> list[list[int]]:
    return [[sum(a[i][k] * b[k][j] for k in range(len(b))) for j in range(len(b[0]))] for i in range(len(a))]


@problem(
    "medium",
    """Tell whether b can be obtained by rotating a, that is by moving some prefix of a
    to its end. Two empty strings count as rotations of each other.""",
    ["is_rotation('waterbottle', 'erbottlewat')", "is_rotation('', '')", "is_rotation('abc', 'acb')",
     "is_rotation('aa', 'aaa')", "is_rotation('abcd', 'abcd')", "is_rotation('ab', 'ba')"],
)
def is_rotation(a: str, b: str) -> bool:
    return len(a) == len(b) and b in a + a


@problem(
    "medium",
    """Flatten a dict whose values are ints or further dicts of the same kind: nested
    keys are joined with sep into a single key (e.g. {"a": {"b": 1}} -> {"a.b": 1} when
    sep is "."). Empty nested dicts disappear.""",
    ["flatten_keys({'a': 1, 'b': {'c': 2, 'd': {'e': 3}}}, '.')", "flatten_keys({}, '.')",
     "flatten_keys({'x': {}}, '/')", "flatten_keys({'k': 5}, '_')", "flatten_keys({'a': {'b': {'c': 0}}}, '->')"],
)
def flatten_keys(tree: dict, sep: str) -> dict[str, int]:
    out: dict[str, int] = {}

    def walk(node: dict, prefix: str) -> None:
        for key, value in node.items():
            name = f"{prefix}{sep}{key}" if prefix else key
            if isinstance(value, dict):
                walk(value, name)
            else:
                out[name] = value

    walk(tree, "")
    return out


@problem(
    "medium",
    """Evaluate an expression in reverse Polish notation given as a list of tokens: integer
    literals and the operators + - * /. Division truncates toward zero. Assume the
    expression is well formed.""",
    ["evaluate_rpn(['2', '1', '+', '3', '*'])", "evaluate_rpn(['4', '13', '5', '/', '+'])", "evaluate_rpn(['7'])",
     "evaluate_rpn(['-7', '2', '/'])", "evaluate_rpn(['3', '4', '-'])",
     "evaluate_rpn(['5', '1', '2', '+', '4', '*', '+', '3', '-'])"],
)
def evaluate_rpn(tokens: list[str]) -> int:
    stack: list[int] = []
    for token in tokens:
        if token in ("+", "-", "*", "/"):
            right = stack.pop()
            left = stack.pop()
            if token == "+":
                stack.append(left + right)
            elif token == "-":
                stack.append(left - right)
            elif token == "*":
                stack.append(left * right)
            else:
                quotient = abs(left) // abs(right)
                stack.append(quotient if (left >= 0) == (right >= 0) else -quotient)
        else:
            stack.append(int(token))
    return stack[0]


@problem(
    "medium",
    """Return the number of times the digits of n >= 0 must be multiplied together (the
    product replacing n each time) before a single-digit number is reached.""",
    ["multiplicative_persistence(39)", "multiplicative_persistence(0)", "multiplicative_persistence(7)",
     "multiplicative_persistence(999)", "multiplicative_persistence(277777788888899)",
     "multiplicative_persistence(10)"],
)
def multiplicative_persistence(n: int) -> int:
    steps = 0
    while n >= 10:
        product = 1
        for d in str(n):
            product *= int(d)
        n = product
        steps += 1
    return steps


@problem(
    "medium",
    """Return the length of the longest substring of text without a repeated
    character.""",
    ["longest_distinct_substring('abcabcbb')", "longest_distinct_substring('')", "longest_distinct_substring('bbbb')",
     "longest_distinct_substring('pwwkew')", "longest_distinct_substring('abcdef')",
     "longest_distinct_substring('abba')"],
)
def longest_distinct_substring(text: str) -> int:
    last_seen: dict[str, int] = {}
    start = best = 0
    for i, ch in enumerate(text):
        if last_seen.get(ch, -1) >= start:
            start = last_seen[ch] + 1
        last_seen[ch] = i
        best = max(best, i - start + 1)
    return best


@problem(
    "medium",
    """Merge overlapping or touching closed intervals [start, end] and return the merged
    intervals sorted by start. Intervals that share only an endpoint (like [1, 2] and
    [2, 3]) are merged.""",
    ["merge_intervals([[1, 3], [2, 6], [8, 10], [15, 18]])", "merge_intervals([])", "merge_intervals([[1, 4], [4, 5]])",
     "merge_intervals([[5, 6], [1, 2]])", "merge_intervals([[1, 10], [2, 3], [4, 5]])", "merge_intervals([[3, 3]])"],
)
def merge_intervals(intervals: list[list[int]]) -> list[list[int]]:
    merged: list[list[int]] = []
    for start, end in sorted(intervals):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return merged


@problem(
    "medium",
    """Return the products of all other items: the i-th result is the product of every
    item of xs except xs[i]. Do it without division so that zeros are handled.""",
    ["product_except_self([1, 2, 3, 4])", "product_except_self([])", "product_except_self([5])",
     "product_except_self([0, 2, 3])", "product_except_self([0, 0, 1])", "product_except_self([-1, 2, -3])"],
)
def product_except_self(xs: list[int]) -> list[int]:
    n = len(xs)
    out = [1] * n
    running = 1
    for i in range(n):
        out[i] = running
        running *= xs[i]
    running = 1
    for i in range(n - 1, -1, -1):
        out[i] *= running
        running *= xs[i]
    return out


@problem(
    "medium",
    """Count the contiguous slices of xs (non-empty) whose items add up to target.""",
    ["count_slices_with_sum([1, 1, 1], 2)", "count_slices_with_sum([], 0)", "count_slices_with_sum([1, 2, 3], 3)",
     "count_slices_with_sum([0, 0], 0)", "count_slices_with_sum([1, -1, 1, -1], 0)", "count_slices_with_sum([5], 4)"],
)
def count_slices_with_sum(xs: list[int], target: int) -> int:
    seen = {0: 1}
    total = count = 0
    for x in xs:
        total += x
        count += seen.get(total - target, 0)
        seen[total] = seen.get(total, 0) + 1
    return count


@problem(
    "medium",
    """Tell whether the characters of text can be rearranged into a palindrome
    (case sensitive, every character counts, spaces included).""",
    ["can_form_palindrome('carrace')", "can_form_palindrome('')", "can_form_palindrome('ab')",
     "can_form_palindrome('aabb')", "can_form_palindrome('Aa')", "can_form_palindrome('abcba')"],
)
def can_form_palindrome(text: str) -> bool:
    counts: dict[str, int] = {}
    for ch in text:
        counts[ch] = counts.get(ch, 0) + 1
    return sum(1 for c in counts.values() if c % 2 == 1) <= 1


# =====================================================================================
# hard: dynamic programming, graph search, parsing
# =====================================================================================


@problem(
    "hard",
    """Return the edit (Levenshtein) distance between a and b: the fewest single
    character insertions, deletions and substitutions that turn a into b.""",
    ["edit_distance('kitten', 'sitting')", "edit_distance('', '')", "edit_distance('', 'abc')",
     "edit_distance('flaw', 'lawn')", "edit_distance('same', 'same')", "edit_distance('intention', 'execution')"],
)
def edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


@problem(
    "hard",
    """Return the length of the longest common subsequence of a and b (characters taken
    in order, not necessarily adjacent).""",
    ["common_subsequence_length('abcde', 'ace')", "common_subsequence_length('', 'abc')",
     "common_subsequence_length('abc', 'def')", "common_subsequence_length('abc', 'abc')",
     "common_subsequence_length('AGGTAB', 'GXTXAYB')", "common_subsequence_length('aaaa', 'aa')"],
)
def common_subsequence_length(a: str, b: str) -> int:
    previous = [0] * (len(b) + 1)
    for ca in a:
        current = [0]
        for j, cb in enumerate(b, start=1):
            current.append(previous[j - 1] + 1 if ca == cb else max(previous[j], current[j - 1]))
        previous = current
    return previous[-1]


@problem(
    "hard",
    """Count the islands of a map given as a list of equal-length strings where '#' is
    land and '.' is water. Land cells belong to the same island when they touch
    horizontally or vertically (not diagonally).""",
    ["count_islands(['##..', '#..#', '..##'])", "count_islands([])", "count_islands(['....'])",
     "count_islands(['#.#', '.#.', '#.#'])", "count_islands(['###', '#.#', '###'])", "count_islands(['#'])"],
)
def count_islands(grid: list[str]) -> int:
    rows = len(grid)
    cols = len(grid[0]) if grid else 0
    seen: set[tuple[int, int]] = set()
    islands = 0
    for r in range(rows):
        for c in range(cols):
            if grid[r][c] != "#" or (r, c) in seen:
                continue
            islands += 1
            stack = [(r, c)]
            seen.add((r, c))
            while stack:
                y, x = stack.pop()
                for ny, nx in ((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)):
                    if 0 <= ny < rows and 0 <= nx < cols and grid[ny][nx] == "#" and (ny, nx) not in seen:
                        seen.add((ny, nx))
                        stack.append((ny, nx))
    return islands


@problem(
    "hard",
    """grid is a maze of equal-length strings with exactly one 'S' (start) and one 'E'
    (exit); '#' is a wall and every other cell is open. Return the fewest moves up, down,
    left or right from S to E, or -1 if E cannot be reached.""",
    ["maze_distance(['S.E'])", "maze_distance(['S#E'])", "maze_distance(['S..', '##.', 'E..'])",
     "maze_distance(['SE'])", "maze_distance(['S.#.', '.##.', '...E'])", "maze_distance(['S#', '#E'])"],
)
def maze_distance(grid: list[str]) -> int:
    from collections import deque

    rows, cols = len(grid), len(grid[0])
    start = next((r, c) for r in range(rows) for c in range(cols) if grid[r][c] == "S")
    queue = deque([(start, 0)])
    seen = {start}
    while queue:
        (r, c), dist = queue.popleft()
        if grid[r][c] == "E":
            return dist
        for nr, nc in ((r + 1, c), (r - 1, c), (r, c + 1), (r, c - 1)):
            if 0 <= nr < rows and 0 <= nc < cols and grid[nr][nc] != "#" and (nr, nc) not in seen:
                seen.add((nr, nc))
                queue.append(((nr, nc), dist + 1))
    return -1


@problem(
    "hard",
    """Evaluate an arithmetic expression over integers with + - * /, parentheses, unary
    minus and arbitrary spaces. * and / bind tighter than + and -, operators of equal
    precedence group left to right, and / divides truncating toward zero. Do not use
    eval.""",
    ["evaluate_expression('1 + 2 * 3')", "evaluate_expression('(1 + 2) * 3')", "evaluate_expression('7 / 2')",
     "evaluate_expression('-7 / 2')", "evaluate_expression('10 - 4 - 3')", "evaluate_expression(' 42 ')",
     "evaluate_expression('-(2 + 3) * -2')", "evaluate_expression('2 * (3 + (4 - 1)) / 4')"],
)
def evaluate_expression(expr: str) -> int:
    tokens = []
    i = 0
    while i < len(expr):
        ch = expr[i]
        if ch.isspace():
            i += 1
        elif ch.isdigit():
            j = i
            while j < len(expr) and expr[j].isdigit():
                j += 1
            tokens.append(expr[i:j])
            i = j
        else:
            tokens.append(ch)
            i += 1
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def take() -> str:
        nonlocal pos
        pos += 1
        return tokens[pos - 1]

    def divide(a: int, b: int) -> int:
        q = abs(a) // abs(b)
        return q if (a >= 0) == (b >= 0) else -q

    def expression() -> int:
        value = term()
        while peek() in ("+", "-"):
            value = value + term() if take() == "+" else value - term()
        return value

    def term() -> int:
        value = factor()
        while peek() in ("*", "/"):
            value = value * factor() if take() == "*" else divide(value, factor())
        return value

    def factor() -> int:
        token = take()
        if token == "-":
            return -factor()
        if token == "(":
            value = expression()
            take()
            return value
        return int(token)

    return expression()


@problem(
    "hard",
    """Order the nodes 0 .. n-1 of a directed graph so that every edge [u, v] goes from an
    earlier node to a later one. When several nodes could come next, take the smallest.
    Return [] if the graph has a cycle.""",
    ["topological_order(4, [[0, 1], [0, 2], [1, 3], [2, 3]])", "topological_order(0, [])",
     "topological_order(3, [])", "topological_order(2, [[0, 1], [1, 0]])",
     "topological_order(5, [[3, 1], [4, 1], [1, 0], [2, 0]])", "topological_order(3, [[2, 1], [1, 0]])"],
)
def topological_order(n: int, edges: list[list[int]]) -> list[int]:
    import heapq

    indegree = [0] * n
    successors: list[list[int]] = [[] for _ in range(n)]
    for u, v in edges:
        successors[u].append(v)
        indegree[v] += 1
    ready = [v for v in range(n) if indegree[v] == 0]
    heapq.heapify(ready)
    order = []
    while ready:
        u = heapq.heappop(ready)
        order.append(u)
        for v in successors[u]:
            indegree[v] -= 1
            if indegree[v] == 0:
                heapq.heappush(ready, v)
    return order if len(order) == n else []


@problem(
    "hard",
    """Compute shortest path lengths from source in a directed graph with nodes 0 .. n-1
    and edges [u, v, w] of non-negative weight w. Return a list of n distances, using -1
    for nodes that cannot be reached.""",
    ["shortest_distances(3, [[0, 1, 4], [0, 2, 1], [2, 1, 2]], 0)", "shortest_distances(1, [], 0)",
     "shortest_distances(3, [[1, 2, 5]], 0)", "shortest_distances(4, [[0, 1, 1], [1, 2, 1], [0, 2, 5], [2, 3, 0]], 0)",
     "shortest_distances(3, [[0, 1, 2], [1, 0, 2]], 1)", "shortest_distances(2, [[0, 1, 7], [0, 1, 3]], 0)"],
)
def shortest_distances(n: int, edges: list[list[int]], source: int) -> list[int]:
    import heapq

    adjacency: list[list[tuple[int, int]]] = [[] for _ in range(n)]
    for u, v, w in edges:
        adjacency[u].append((v, w))
    dist = [-1] * n
    heap = [(0, source)]
    while heap:
        d, u = heapq.heappop(heap)
        if dist[u] != -1:
            continue
        dist[u] = d
        for v, w in adjacency[u]:
            if dist[v] == -1:
                heapq.heappush(heap, (d + w, v))
    return dist


@problem(
    "hard",
    """Return the length of the longest strictly increasing subsequence of xs (items in
    order, not necessarily adjacent). Aim for O(n log n).""",
    ["longest_increasing_subsequence([10, 9, 2, 5, 3, 7, 101, 18])", "longest_increasing_subsequence([])",
     "longest_increasing_subsequence([7, 7, 7])", "longest_increasing_subsequence([1, 2, 3, 4])",
     "longest_increasing_subsequence([4, 3, 2, 1])",
     "longest_increasing_subsequence([0, 8, 4, 12, 2, 10, 6, 14, 1, 9])"],
)
def longest_increasing_subsequence(xs: list[int]) -> int:
    import bisect

    tails: list[int] = []
    for x in xs:
        i = bisect.bisect_left(tails, x)
        if i == len(tails):
            tails.append(x)
        else:
            tails[i] = x
    return len(tails)


@problem(
    "hard",
    """Tell whether text can be cut into pieces that are all in words (each word may be
    used any number of times). The empty text can always be cut.""",
    ["can_segment('applepenapple', ['apple', 'pen'])", "can_segment('', [])", "can_segment('cat', [])",
     "can_segment('catsandog', ['cats', 'dog', 'sand', 'and', 'cat'])", "can_segment('aaaaaaa', ['aaa', 'aaaa'])",
     "can_segment('ab', ['a', 'b'])"],
)
def can_segment(text: str, words: list[str]) -> bool:
    vocabulary = set(words)
    reachable = [True] + [False] * len(text)
    for end in range(1, len(text) + 1):
        reachable[end] = any(reachable[start] and text[start:end] in vocabulary for start in range(end))
    return reachable[-1]


@problem(
    "hard",
    """Choose items to put in a bag of the given capacity, each item at most once, so
    that the total weight stays within capacity and the total value is as large as
    possible. Return that largest total value.""",
    ["knapsack([1, 3, 4, 5], [1, 4, 5, 7], 7)", "knapsack([], [], 10)", "knapsack([5], [10], 4)",
     "knapsack([2, 2, 2], [3, 3, 3], 5)", "knapsack([10, 20, 30], [60, 100, 120], 50)", "knapsack([1], [1], 0)"],
)
def knapsack(weights: list[int], values: list[int], capacity: int) -> int:
    best = [0] * (capacity + 1)
    for weight, value in zip(weights, values):
        for room in range(capacity, weight - 1, -1):
            best[room] = max(best[room], best[room - weight] + value)
    return best[capacity]


@problem(
    "hard",
    """Parse a string such as "[1, [2, -3], []]" into the nested list of ints it
    describes, without eval or json. Whitespace may appear between any two tokens, and
    the input is always a single well-formed list.""",
    ["parse_nested('[1, [2, -3], []]')", "parse_nested('[]')", "parse_nested('[[[]]]')",
     "parse_nested('[ 10 ,20 ]')", "parse_nested('[[1], [2, [3, [4]]]]')", "parse_nested('[-0]')"],
)
def parse_nested(text: str) -> list:
    pos = 0

    def skip_spaces() -> None:
        nonlocal pos
        while pos < len(text) and text[pos].isspace():
            pos += 1

    def parse_value():
        nonlocal pos
        skip_spaces()
        if text[pos] == "[":
            pos += 1
            items = []
            skip_spaces()
            if text[pos] == "]":
                pos += 1
                return items
            while True:
                items.append(parse_value())
                skip_spaces()
                closing = text[pos]
                pos += 1
                if closing == "]":
                    return items
        start = pos
        if text[pos] == "-":
            pos += 1
        while pos < len(text) and text[pos].isdigit():
            pos += 1
        return int(text[start:pos])

    return parse_value()


@problem(
    "hard",
    """Return the longest substring of text that reads the same forwards and backwards.
    If several have the maximal length, return the one that starts first.""",
    ["longest_palindrome('babad')", "longest_palindrome('')", "longest_palindrome('cbbd')",
     "longest_palindrome('a')", "longest_palindrome('forgeeksskeegfor')", "longest_palindrome('abcd')"],
)
def longest_palindrome(text: str) -> str:
    best_start, best_len = 0, 0
    for center in range(2 * len(text) - 1):
        left = center // 2
        right = left + center % 2
        while left >= 0 and right < len(text) and text[left] == text[right]:
            left -= 1
            right += 1
        length = right - left - 1
        if length > best_len or (length == best_len and left + 1 < best_start):
            best_start, best_len = left + 1, length
    return text[best_start:best_start + best_len]


@problem(
    "hard",
    """Count the ways of writing n >= 0 as a sum of positive integers when the order of
    the terms does not matter (4 = 3+1 = 2+2 = 2+1+1 = 1+1+1+1 gives 5 ways; n = 0 has
    one way, the empty sum).""",
    ["partition_count(4)", "partition_count(0)", "partition_count(1)", "partition_count(10)",
     "partition_count(50)", "partition_count(100)"],
)
def partition_count(n: int) -> int:
    ways = [1] + [0] * n
    for part in range(1, n + 1):
        for total in range(part, n + 1):
            ways[total] += ways[total - part]
    return ways[n]


@problem(
    "hard",
    """Return the shortest substring of text that contains every character of required
    at least as many times as it appears in required. Return "" if no such substring
    exists (or required is empty); on a tie return the leftmost.""",
    ["smallest_covering_window('ADOBECODEBANC', 'ABC')", "smallest_covering_window('', 'a')",
     "smallest_covering_window('a', 'aa')", "smallest_covering_window('aa', 'aa')",
     "smallest_covering_window('abc', '')", "smallest_covering_window('xyzzyx', 'zx')"],
)
def smallest_covering_window(text: str, required: str) -> str:
    if not required:
        return ""
    need: dict[str, int] = {}
    for ch in required:
        need[ch] = need.get(ch, 0) + 1
    missing = len(required)
    best = ""
    left = 0
    for right, ch in enumerate(text):
        if need.get(ch, 0) > 0:
            missing -= 1
        need[ch] = need.get(ch, 0) - 1
        while missing == 0:
            if not best or right - left + 1 < len(best):
                best = text[left:right + 1]
            need[text[left]] += 1
            if need[text[left]] > 0:
                missing += 1
            left += 1
    return best


@problem(
    "hard",
    """Count the ways of placing n queens on an n x n chessboard so that no two share a
    row, column or diagonal (n = 0 has one way, the empty board).""",
    ["queens_placements(0)", "queens_placements(1)", "queens_placements(2)", "queens_placements(4)",
     "queens_placements(6)", "queens_placements(8)"],
)
def queens_placements(n: int) -> int:
    def place(row: int, cols: int, diag: int, anti: int) -> int:
        if row == n:
            return 1
        total = 0
        free = ~(cols | diag | anti) & ((1 << n) - 1)
        while free:
            bit = free & -free
            free -= bit
            total += place(row + 1, cols | bit, (diag | bit) << 1, (anti | bit) >> 1)
        return total

    return place(0, 0, 0, 0)


@problem(
    "hard",
    """Return the connected components of an undirected graph on nodes 0 .. n-1 with the
    given edges [u, v]. Each component is a sorted list of nodes, and the components are
    sorted by their smallest node.""",
    ["connected_components(5, [[0, 1], [1, 2], [3, 4]])", "connected_components(0, [])",
     "connected_components(3, [])", "connected_components(4, [[3, 0], [2, 1]])",
     "connected_components(4, [[0, 1], [1, 2], [2, 3], [3, 0]])", "connected_components(2, [[1, 1]])"],
)
def connected_components(n: int, edges: list[list[int]]) -> list[list[int]]:
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for u, v in edges:
        parent[find(u)] = find(v)
    groups: dict[int, list[int]] = {}
    for node in range(n):
        groups.setdefault(find(node), []).append(node)
    return sorted(groups.values(), key=lambda group: group[0])


@problem(
    "hard",
    """Letters are encoded as numbers: A = 1, B = 2, ..., Z = 26, and a message is the
    concatenation of the numbers without separators. Count the ways a digit string could
    be decoded (a piece may not start with 0; the empty string has one decoding).""",
    ["decodings_count('12')", "decodings_count('')", "decodings_count('0')", "decodings_count('226')",
     "decodings_count('100')", "decodings_count('11106')", "decodings_count('1111111111')"],
)
def decodings_count(digits: str) -> int:
    # previous / current: decodings of the prefixes of length i - 1 and i
    previous, current = 1, (0 if digits.startswith("0") else 1)
    for i in range(1, len(digits)):
        ways = current if digits[i] != "0" else 0
        if digits[i - 1] != "0" and int(digits[i - 1:i + 1]) <= 26:
            ways += previous
        previous, current = current, ways
    return current


@problem(
    "hard",
    """heights are the heights of bars of width 1 standing side by side. Return the area
    of the largest axis-aligned rectangle that fits inside the bars.""",
    ["largest_rectangle([2, 1, 5, 6, 2, 3])", "largest_rectangle([])", "largest_rectangle([4])",
     "largest_rectangle([2, 2, 2, 2])", "largest_rectangle([1, 2, 3, 4, 5])", "largest_rectangle([6, 0, 6])"],
)
def largest_rectangle(heights: list[int]) -> int:
    stack: list[int] = []
    best = 0
    for i, h in enumerate(heights + [0]):
        while stack and heights[stack[-1]] >= h:
            top = stack.pop()
            left = stack[-1] + 1 if stack else 0
            best = max(best, heights[top] * (i - left))
        stack.append(i)
    return best


@problem(
    "hard",
    """Tell whether the whole of text matches pattern, where '.' matches any single
    character, 'x*' matches zero or more copies of the preceding character x (or of any
    characters for '.*'), and every other character matches itself.""",
    ["pattern_match('aa', 'a')", "pattern_match('aa', 'a*')", "pattern_match('ab', '.*')",
     "pattern_match('', '')", "pattern_match('', 'c*')", "pattern_match('aab', 'c*a*b')",
     "pattern_match('mississippi', 'mis*is*p*.')", "pattern_match('abc', 'a.c')"],
)
def pattern_match(text: str, pattern: str) -> bool:
    # matches[i][j]: does text[i:] match pattern[j:]?
    matches = [[False] * (len(pattern) + 1) for _ in range(len(text) + 1)]
    matches[len(text)][len(pattern)] = True
    for i in range(len(text), -1, -1):
        for j in range(len(pattern) - 1, -1, -1):
            first = i < len(text) and pattern[j] in (text[i], ".")
            if j + 1 < len(pattern) and pattern[j + 1] == "*":
                matches[i][j] = matches[i][j + 2] or (first and matches[i + 1][j])
            else:
                matches[i][j] = first and matches[i + 1][j + 1]
    return matches[0][0]


@problem(
    "hard",
    """A chain of matrices has shapes dims[0] x dims[1], dims[1] x dims[2], and so on.
    Return the fewest scalar multiplications needed to multiply the whole chain, choosing
    the best parenthesisation (0 for a chain of fewer than two matrices).""",
    ["matrix_chain_cost([10, 30, 5, 60])", "matrix_chain_cost([5, 10])", "matrix_chain_cost([])",
     "matrix_chain_cost([1, 2, 3, 4])", "matrix_chain_cost([40, 20, 30, 10, 30])", "matrix_chain_cost([2, 3, 2])"],
)
def matrix_chain_cost(dims: list[int]) -> int:
    count = len(dims) - 1
    if count < 2:
        return 0
    cost = [[0] * count for _ in range(count)]
    for span in range(1, count):
        for i in range(count - span):
            j = i + span
            cost[i][j] = min(cost[i][k] + cost[k + 1][j] + dims[i] * dims[k + 1] * dims[j + 1] for k in range(i, j))
    return cost[0][count - 1]


@problem(
    "hard",
    """Tell whether the undirected graph on nodes 0 .. n-1 with edges [u, v] can have its
    nodes coloured with two colours so that every edge joins different colours. A
    self-loop makes that impossible.""",
    ["is_two_colourable(4, [[0, 1], [1, 2], [2, 3], [3, 0]])", "is_two_colourable(0, [])",
     "is_two_colourable(3, [[0, 1], [1, 2], [2, 0]])", "is_two_colourable(5, [[0, 1], [2, 3]])",
     "is_two_colourable(1, [[0, 0]])", "is_two_colourable(6, [[0, 1], [1, 2], [3, 4], [4, 5], [5, 3]])"],
)
def is_two_colourable(n: int, edges: list[list[int]]) -> bool:
    neighbours: list[list[int]] = [[] for _ in range(n)]
    for u, v in edges:
        neighbours[u].append(v)
        neighbours[v].append(u)
    colour = [-1] * n
    for start in range(n):
        if colour[start] != -1:
            continue
        colour[start] = 0
        stack = [start]
        while stack:
            u = stack.pop()
            for v in neighbours[u]:
                if colour[v] == -1:
                    colour[v] = 1 - colour[u]
                    stack.append(v)
                elif colour[v] == colour[u]:
                    return False
    return True


@problem(
    "hard",
    """heights describe a row of walls of width 1. After rain, water collects above the
    low walls wherever higher walls stand on both sides. Return the total amount of water
    held.""",
    ["trapped_water([0, 1, 0, 2, 1, 0, 1, 3, 2, 1, 2, 1])", "trapped_water([])", "trapped_water([3])",
     "trapped_water([1, 2, 3])", "trapped_water([3, 0, 3])", "trapped_water([4, 2, 0, 3, 2, 5])"],
)
def trapped_water(heights: list[int]) -> int:
    left, right = 0, len(heights) - 1
    left_max = right_max = water = 0
    while left < right:
        if heights[left] < heights[right]:
            left_max = max(left_max, heights[left])
            water += left_max - heights[left]
            left += 1
        else:
            right_max = max(right_max, heights[right])
            water += right_max - heights[right]
            right -= 1
    return water


@problem(
    "hard",
    """Return the fewest words in a chain from begin to end in which consecutive words
    differ in exactly one position and every word after begin comes from words (all
    words have the same length). Count begin and end; return 0 if no chain exists.""",
    ["word_ladder_length('hit', 'cog', ['hot', 'dot', 'dog', 'lot', 'log', 'cog'])",
     "word_ladder_length('hit', 'cog', ['hot', 'dot', 'dog', 'lot', 'log'])",
     "word_ladder_length('a', 'c', ['a', 'b', 'c'])", "word_ladder_length('abc', 'abc', [])",
     "word_ladder_length('aa', 'bb', ['ab', 'bb'])", "word_ladder_length('cat', 'dog', [])"],
)
def word_ladder_length(begin: str, end: str, words: list[str]) -> int:
    from collections import deque

    if begin == end:
        return 1
    unvisited = set(words)
    if end not in unvisited:
        return 0
    queue = deque([(begin, 1)])
    while queue:
        word, length = queue.popleft()
        for i in range(len(word)):
            for letter in "abcdefghijklmnopqrstuvwxyz":
                candidate = word[:i] + letter + word[i + 1:]
                if candidate in unvisited:
                    if candidate == end:
                        return length + 1
                    unvisited.discard(candidate)
                    queue.append((candidate, length + 1))
    return 0


@problem(
    "hard",
    """Return the fewest squares of whole numbers (1, 4, 9, 16, ...) that add up to
    n >= 0 (0 needs none).""",
    ["fewest_squares(12)", "fewest_squares(0)", "fewest_squares(1)", "fewest_squares(13)", "fewest_squares(7)",
     "fewest_squares(100)"],
)
def fewest_squares(n: int) -> int:
    best = [0] + [n] * n
    for total in range(1, n + 1):
        root = 1
        while root * root <= total:
            best[total] = min(best[total], best[total - root * root] + 1)
            root += 1
    return best[n]


@problem(
    "hard",
    """Count the distinct subsequences of text that equal target (choose characters of
    text in order, not necessarily adjacent; different choices of positions count
    separately). The empty target occurs exactly once.""",
    ["count_subsequences('rabbbit', 'rabbit')", "count_subsequences('', '')", "count_subsequences('', 'a')",
     "count_subsequences('abc', '')", "count_subsequences('babgbag', 'bag')", "count_subsequences('aaaa', 'aa')"],
)
def count_subsequences(text: str, target: str) -> int:
    ways = [1] + [0] * len(target)
    for ch in text:
        for j in range(len(target), 0, -1):
            if target[j - 1] == ch:
                ways[j] += ways[j - 1]
    return ways[len(target)]


# =====================================================================================
# the builder
# =====================================================================================


def _split_source(fn: Callable[..., Any]) -> tuple[str, str]:
    """The ``def`` line and the (4-space indented) body of a module-level function."""
    lines = inspect.getsource(fn).splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("def "))
    signature = lines[start]
    if not signature.endswith(":"):
        raise ValueError(f"{fn.__name__}: the def line must fit on one line, got {signature!r}")
    body = "\n".join(lines[start + 1:]).rstrip() + "\n"
    return signature, body


def _same_json(value: Any, loaded: Any) -> bool:
    """True if value survives a JSON round trip with the same types (no tuples, int keys)."""
    if type(value) is not type(loaded):
        return False
    if isinstance(value, list):
        return len(value) == len(loaded) and all(_same_json(a, b) for a, b in zip(value, loaded))
    if isinstance(value, dict):
        return value.keys() == loaded.keys() and all(_same_json(value[k], loaded[k]) for k in value)
    if isinstance(value, float):
        return math.isfinite(value) and value == loaded
    return value == loaded


def build() -> list[dict[str, Any]]:
    """Run every reference solution on its calls and return the problem records."""
    records = []
    for number, spec in enumerate(_SPECS):
        signature, body = _split_source(spec.function)
        entry_point = spec.function.__name__
        calls_and_values = []
        for call in spec.calls:
            namespace: dict[str, Any] = {}
            exec(signature + "\n" + body, namespace)  # noqa: S102 - our own reference code
            value = eval(call, namespace)  # noqa: S307 - our own test calls
            if not _same_json(value, json.loads(json.dumps(value))):
                raise ValueError(f"{entry_point}: {call} returned {value!r}, which is not plain JSON")
            calls_and_values.append({"call": call, "expected": value})
        if len(calls_and_values) < 5:
            raise ValueError(f"{entry_point}: needs at least 5 tests, has {len(calls_and_values)}")
        records.append({
            "id": f"{ID_PREFIX}{number:03d}",
            "entry_point": entry_point,
            "signature": signature,
            "description": spec.description,
            "difficulty": spec.difficulty,
            "reference_solution": body,
            "tests": calls_and_values,
        })
    return records


def main() -> None:
    records = build()
    OUTPUT.write_text(json.dumps({"version": 1, "problems": records}, indent=1, ensure_ascii=False) + "\n")
    counts = {d: sum(r["difficulty"] == d for r in records) for d in ("easy", "medium", "hard")}
    print(f"wrote {len(records)} problems to {OUTPUT} ({counts})")


if __name__ == "__main__":
    main()
