"""A phone faked at the driver: canned hierarchy dumps served in turn, taps recorded; and the
dumps themselves, built from a few nodes stacked down the screen."""

from __future__ import annotations

PKG = "com.zhiliaoapp.musically"


def dump(*nodes: tuple) -> str:
    """A one-window dump of (class, text, content-desc, clickable[, more attributes]) nodes stacked
    down the screen, 100 px apart (see `centre`)."""
    body = "".join(
        f'<node class="android.widget.{cls}" package="{PKG}" text="{text}" content-desc="{desc}" resource-id="" '
        f'clickable="{str(click).lower()}" bounds="[0,{i * 100}][1080,{i * 100 + 90}]" {"".join(rest)} />'
        for i, (cls, text, desc, click, *rest) in enumerate(nodes)
    )
    return f'<hierarchy rotation="0"><node class="android.widget.FrameLayout" package="{PKG}" bounds="[0,0][1080,2400]">{body}</node></hierarchy>'


def centre(index: int) -> tuple[int, int]:
    """Where a tap on the `index`-th node of a `dump` lands."""
    return 540, index * 100 + 45


class FakeDriver:
    """Each dump is the next screen of the list (the last one stays); taps and typed texts are recorded."""

    serial = "FAKE1"

    def __init__(self, *screens: str) -> None:
        self.screens = list(screens)
        self.taps: list[tuple[int, int]] = []
        self.typed: list[str] = []

    async def dump_hierarchy(self) -> str:
        return self.screens.pop(0) if len(self.screens) > 1 else self.screens[0]

    async def click(self, x: int, y: int) -> None:
        self.taps.append((x, y))

    async def set_focused_text(self, text: str) -> bool:
        self.typed.append(text)
        return True
