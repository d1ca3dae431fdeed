"""The app's labels and resource ids, read from ui.json, per language and app version."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from devices.sim.hierarchy import Node

_DATA = json.loads(Path(__file__).with_name("ui.json").read_text(encoding="utf-8"))

PACKAGE: str = _DATA["package"]
DEFAULT_VERSION: str = _DATA["version"]["name"]
DEFAULT_VERSION_CODE: int = _DATA["version"]["code"]
ACTIVITIES: dict[str, str] = _DATA["activities"]
ELEMENTS: dict[str, dict[str, str]] = _DATA["elements"]
STRINGS: dict[str, dict[str, str]] = _DATA["strings"]

EDIT_TEXT = "android.widget.EditText"
_ID_CHARS = "abcdefghijklmnopqrstuvwxyz0123456789"


def version_code(version: str) -> int:
    """A versionCode for a versionName, as TikTok numbers them (34.1.2 -> 2023401020)."""
    if version == DEFAULT_VERSION:
        return DEFAULT_VERSION_CODE
    parts = [int(p) for p in version.split(".")] + [0, 0]
    return 2020000000 + parts[0] * 100000 + parts[1] * 1000 + parts[2] * 10


def _obfuscated(key: str, version: str) -> str:
    digest = hashlib.blake2b(f"{version}:{key}".encode(), digest_size=8).digest()
    return _ID_CHARS[digest[0] % 26] + "".join(_ID_CHARS[b % 36] for b in digest[1:3])


class UI:
    """Labels in one language and resource ids of one app version (ids are reshuffled by every release)."""

    def __init__(self, language: str, version: str) -> None:
        self.language = language
        self.version = version
        self.strings = {**STRINGS["en"], **STRINGS.get(language, {})}
        self._ids: dict[str, str] = {}
        for key, spec in ELEMENTS.items():
            if "id" in spec:
                short = spec["id"] if version == DEFAULT_VERSION else _obfuscated(key, version)
                self._ids[key] = f"{PACKAGE}:id/{short}"

    def s(self, key: str, **values: Any) -> str:
        """The label `key` in this language, with its {placeholders} filled."""
        text = self.strings[key]
        return text.format(**values) if values else text

    def rid(self, key: str) -> str:
        """The full resource id of element `key` ("" if it has none)."""
        return self._ids.get(key, "")

    def node(
        self,
        key: str,
        bounds: tuple[int, int, int, int],
        *,
        text: str | None = None,
        desc: str | None = None,
        values: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> Node:
        """A Node for element `key`: its class and id, its default labels unless `text`/`desc` are given."""
        spec = ELEMENTS[key]
        values = values or {}
        if text is None:
            text = self.s(spec["text"], **values) if "text" in spec else ""
        if desc is None:
            desc = self.s(spec["desc"], **values) if "desc" in spec else ""
        hint = self.s(spec["hint"]) if "hint" in spec else ""
        return Node(spec["class"], bounds, text=text, desc=desc, hint=hint, rid=self._ids.get(key, ""), **kwargs)

    def field(self, key: str, bounds: tuple[int, int, int, int], name: str, value: str, focused: bool) -> Node:
        """An EditText bound to the text field `name`; when empty it shows its hint as text, as Android does."""
        spec = ELEMENTS[key]
        hint = self.s(spec["hint"]) if "hint" in spec else ""
        return self.node(key, bounds, text=value or hint, field=name, focused=focused, long_clickable=True)


@lru_cache(maxsize=64)
def ui_for(language: str, version: str) -> UI:
    """The shared UI for a language and version."""
    return UI(language, version)
