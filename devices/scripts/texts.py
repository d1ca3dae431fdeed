"""Comment texts: template lines (random or in order), spintax, an emoji."""

from __future__ import annotations

import random

from service.requests.spintax import resolve_spintax

EMOJIS = ("😂", "😍", "🥰", "🔥", "👏", "😮", "💯", "✨", "🙌", "❤️")


def lines_of(text: str) -> list[str]:
    """The non-blank lines, trimmed."""
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def with_emoji(text: str, rng: random.Random) -> str:
    """The text with a random emoji after it."""
    return f"{text} {rng.choice(EMOJIS)}"


class TemplateComments:
    """Comments from template lines: `random` draws a line each time, `sequential` takes them in order."""

    def __init__(self, templates: str, order: str, emoji: bool, rng: random.Random) -> None:
        self.lines = lines_of(templates)
        self.order = order
        self.emoji = emoji
        self.rng = rng
        self.used = 0

    def next(self) -> str | None:
        """The next comment (spintax resolved), or None without templates."""
        if not self.lines:
            return None
        line = self.lines[self.used % len(self.lines)] if self.order == "sequential" else self.rng.choice(self.lines)
        self.used += 1
        text = resolve_spintax(line, self.rng)
        return with_emoji(text, self.rng) if self.emoji else text
