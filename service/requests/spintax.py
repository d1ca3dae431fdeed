"""Spintax: `{a|b|c}` becomes one of its options, chosen when the task runs.

Groups nest (`{a|{b|c}}`). Only a group with a `|` is a choice: `{word}` stays as written,
and a `|` outside any group is plain text. Braces that do not pair up are plain text too.
There is no escape character.
"""

from __future__ import annotations

import random


def resolve_spintax(text: str, rng: random.Random) -> str:
    """The text with each spintax group replaced by one of its options, uniformly at random."""
    if "{" not in text:
        return text
    # Each open group is a list of options; each option a list of pieces. The outermost
    # "group" is the text itself, with a single option.
    stack: list[list[list[str]]] = [[[]]]
    start = 0
    for index, char in enumerate(text):
        if char not in "{|}":
            continue
        piece = text[start:index]
        start = index + 1
        if char == "{":
            stack[-1][-1].append(piece)
            stack.append([[]])
        elif char == "|" and len(stack) > 1:
            stack[-1][-1].append(piece)
            stack[-1].append([])
        elif char == "}" and len(stack) > 1:
            stack[-1][-1].append(piece)
            options = ["".join(option) for option in stack.pop()]
            chosen = rng.choice(options) if len(options) > 1 else "{" + options[0] + "}"
            stack[-1][-1].append(chosen)
        else:  # a "|" or "}" outside any group
            stack[-1][-1].append(piece + char)
    stack[-1][-1].append(text[start:])
    while len(stack) > 1:  # groups never closed: their text as written
        unclosed = "{" + "|".join("".join(option) for option in stack.pop())
        stack[-1][-1].append(unclosed)
    return "".join(stack[0][0])
