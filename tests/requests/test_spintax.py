"""Spintax is resolved when a task runs: nesting, literal braces, distribution."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from service.requests import pick_comment, resolve_spintax


def spins(text: str, n: int = 6000, seed: int = 3) -> Counter:
    rng = random.Random(seed)
    return Counter(resolve_spintax(text, rng) for _ in range(n))


@pytest.mark.parametrize(
    "text",
    ["no braces at all", "a | b", "{word}", "{}", "unclosed {a|b", "closing } only", "}{", "{{x}}", "", "emoji 🎉 {}"],
)
def test_text_without_a_choice_stays_as_written(text: str) -> None:
    assert set(spins(text, n=20)) == {text}


@pytest.mark.parametrize(
    ("text", "outcomes"),
    [
        ("{a|b|c}", {"a", "b", "c"}),
        ("Hi {there|you}!", {"Hi there!", "Hi you!"}),
        ("{a|{b|c}}", {"a", "b", "c"}),
        ("{a|}", {"a", ""}),
        ("{x {a|b}}", {"{x a}", "{x b}"}),
        ("unclosed {a|{b|c}", {"unclosed {a|b", "unclosed {a|c"}),
        ("{a|b}} tail", {"a} tail", "b} tail"}),
        ("{{a|b}|{c|d}} {1|2}", {f"{x} {n}" for x in "abcd" for n in "12"}),
    ],
)
def test_each_group_becomes_one_of_its_options(text: str, outcomes: set[str]) -> None:
    assert set(spins(text)) == outcomes


def test_options_are_equally_likely() -> None:
    counts = spins("{a|b|c}", n=9000)
    assert all(2700 < counts[option] < 3300 for option in "abc")


def test_a_nested_group_shares_its_parent_option_share() -> None:
    counts = spins("{a|{b|c}}", n=8000)
    assert 3700 < counts["a"] < 4300
    assert 1700 < counts["b"] < 2300 and 1700 < counts["c"] < 2300


def test_the_same_seed_gives_the_same_text() -> None:
    text = "{Great|Nice|Cool} {video|clip} {!|!!|{:)|;)}}"
    assert resolve_spintax(text, random.Random(9)) == resolve_spintax(text, random.Random(9))


def test_long_nested_text_resolves_quickly() -> None:
    text = "{a|b}" * 50_000 + "{" * 10_000 + "x" + "}" * 10_000
    assert len(resolve_spintax(text, random.Random(1))) == 50_000 + 10_000 * 2 + 1


def test_a_comment_task_posts_its_line_or_a_random_one_with_spintax_resolved() -> None:
    rng = random.Random(5)
    config = {"comment_content": "first\n\n {Nice|Great} one \nthird", "comment_line": 2}
    assert pick_comment(config, rng) in {"Nice one", "Great one"}
    assert pick_comment({**config, "comment_line": 4}, rng) == "first"
    picked = {pick_comment({"comment_content": "x\ny"}, rng) for _ in range(50)}
    assert picked == {"x", "y"}
