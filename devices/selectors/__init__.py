"""Selectors as data: what the scripts look for in an app, per app version and per language.

One JSON file per app (`tiktok.json`), so an app update is a data change:

    {"app": "TikTok", "package": "...", "activity": "...", "drives": ["en"],
     "versions": [{"version": "34.1.2", "ids": {"tab_home": "xw2", ...}}, ...],   # oldest first, newest last
     "languages": {
       "en": {"name": "English", "recognise": ["Home", ...],
              "labels": {"following": ["Following", "Friends"], ...},              # state words, prefixes
              "elements": {"tab_home": [{"desc": "Home", "class": "android.widget.FrameLayout"}, ...]}},
       "fr": {"name": "French", "recognise": ["Accueil", ...]}}}                   # known, not driven

An element is a short list of alternatives, tried in order; an alternative matches a node when
all its keys do: `id` (the resource id after ":id/", which changes with every release),
`class`, `text` / `text_contains` / `text_starts`, `desc` / `desc_contains` / `desc_starts`
(content-desc), `hint` / `hint_contains`, `clickable`, `selected`. For a known version the
element's id comes first, then the language's alternatives. For a version the file does not
know, the newest version's ids are kept but tried last: ids are reshuffled by every release,
so a stale id may name another element, while labels stay. `drives` lists the languages the
scripts can run in; the others are only recognised, so a phone in one of them gets a clear reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

_FOLDER = Path(__file__).parent
_KEYS = {
    "id",
    "class",
    "text",
    "text_contains",
    "text_starts",
    "desc",
    "desc_contains",
    "desc_starts",
    "hint",
    "hint_contains",
    "clickable",
    "selected",
}


class NodeLike(Protocol):
    """What an alternative reads from a UI node."""

    cls: str
    text: str
    desc: str
    rid: str
    hint: str
    clickable: bool
    selected: bool


@dataclass(frozen=True, slots=True)
class Alternative:
    """One way to recognise an element; every field given must match."""

    id: str | None = None
    cls: str | None = None
    text: str | None = None
    text_contains: str | None = None
    text_starts: str | None = None
    desc: str | None = None
    desc_contains: str | None = None
    desc_starts: str | None = None
    hint: str | None = None
    hint_contains: str | None = None
    clickable: bool | None = None
    selected: bool | None = None
    # `matches` as one compiled expression of the fields given (screens are searched on every step)
    test: Callable[[NodeLike], bool] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self,
            "test",
            _compiled(
                self.id,
                self.cls,
                self.text,
                self.text_contains,
                self.text_starts,
                self.desc,
                self.desc_contains,
                self.desc_starts,
                self.hint,
                self.hint_contains,
                self.clickable,
                self.selected,
            ),
        )

    @classmethod
    def from_data(cls, data: Mapping[str, Any], where: str) -> Alternative:
        """An alternative from its JSON object; unknown keys are an error naming `where`."""
        unknown = set(data) - _KEYS
        if unknown or not data:
            raise ValueError(f"{where}: unknown or missing keys {sorted(unknown) or '(empty)'}")
        values = {("cls" if key == "class" else key): value for key, value in data.items()}
        return cls(**values)

    def matches(self, node: NodeLike) -> bool:
        """Whether `node` satisfies every field of this alternative."""
        return self.test(node)


@lru_cache(maxsize=4096)  # selectors are resolved again per version and session: each is compiled once
def _compiled(
    id_: str | None,
    cls: str | None,
    text: str | None,
    text_contains: str | None,
    text_starts: str | None,
    desc: str | None,
    desc_contains: str | None,
    desc_starts: str | None,
    hint: str | None,
    hint_contains: str | None,
    clickable: bool | None,
    selected: bool | None,
) -> Callable[[NodeLike], bool]:
    """One lambda testing only the fields an alternative gives, e.g. `lambda n: n.cls == c0 and c1 in n.desc`.
    The values are bound as names of the lambda's globals, never pasted into its source."""
    values: dict[str, Any] = {}

    def name(value: Any) -> str:
        values[f"c{len(values)}"] = value
        return f"c{len(values) - 1}"

    tests = []
    if id_ is not None:
        tests.append(f"(n.rid.endswith({name(':id/' + id_)}) or n.rid == {name(id_)})")
    if cls is not None:
        tests.append(f"n.cls == {name(cls)}")
    for attr, equal, contains, starts in (
        ("text", text, text_contains, text_starts),
        ("desc", desc, desc_contains, desc_starts),
        ("hint", hint, hint_contains, None),
    ):
        if equal is not None:
            tests.append(f"n.{attr} == {name(equal)}")
        if contains is not None:
            tests.append(f"{name(contains)} in n.{attr}")
        if starts is not None:
            tests.append(f"n.{attr}.startswith({name(starts)})")
    for attr, flag in (("clickable", clickable), ("selected", selected)):
        if flag is not None:
            tests.append(f"n.{attr} == {name(flag)}")
    return eval(f"lambda n: {' and '.join(tests) or 'True'}", {"__builtins__": {}, **values})  # noqa: S307


@dataclass(frozen=True)
class Selectors:
    """The elements and state labels of one app version in one language."""

    app: str
    package: str
    version: str
    known_version: bool
    language: str
    elements: Mapping[str, tuple[Alternative, ...]]
    labels: Mapping[str, tuple[str, ...]]

    def __getitem__(self, name: str) -> tuple[Alternative, ...]:
        return self.elements[name]

    def label(self, name: str) -> tuple[str, ...]:
        """The words (or prefixes) that mean a state, e.g. label("following")."""
        return self.labels[name]


@dataclass(frozen=True)
class Language:
    """A language the file knows: driven (elements and labels) or only recognised."""

    code: str
    name: str
    recognise: tuple[str, ...]
    labels: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    elements: Mapping[str, tuple[Alternative, ...]] = field(default_factory=dict)


def version_key(version: str) -> tuple[int, ...]:
    """ "34.1.2" -> (34, 1, 2); parts that are not numbers count as 0."""
    return tuple(int(part) if part.isdigit() else 0 for part in version.strip().split("."))


@dataclass(frozen=True)
class AppSelectors:
    """Everything one app's selectors file holds."""

    app: str
    package: str
    activity: str
    drives: tuple[str, ...]
    ids: Mapping[str, Mapping[str, str]]  # version -> element -> id, oldest first
    languages: Mapping[str, Language]
    _resolved: dict[tuple[str | None, str], Selectors] = field(default_factory=dict, compare=False, repr=False)

    @property
    def versions(self) -> tuple[str, ...]:
        """The versions known, oldest first."""
        return tuple(self.ids)

    @property
    def newest(self) -> str:
        """The newest version known."""
        return self.versions[-1]

    def knows(self, version: str | None) -> bool:
        """Whether the file has ids for this exact version."""
        return version in self.ids

    def resolve(self, version: str | None, language: str = "en") -> Selectors:
        """The selectors for an installed version (None or unknown: the newest's, ids tried last);
        made once per version and language (every task's preparation asks)."""
        resolved = self._resolved.get((version, language))
        if resolved is None:
            resolved = self._resolved[(version, language)] = self._resolve(version, language)
        return resolved

    def _resolve(self, version: str | None, language: str) -> Selectors:
        if language not in self.drives:
            raise KeyError(f"{self.app} selectors do not drive language {language!r}")
        known = self.knows(version)
        ids = self.ids[version if known else self.newest]
        lang = self.languages[language]
        elements: dict[str, tuple[Alternative, ...]] = {}
        for name, alternatives in lang.elements.items():
            by_id = (Alternative(id=ids[name]),) if name in ids else ()
            elements[name] = by_id + alternatives if known else alternatives + by_id
        return Selectors(
            self.app, self.package, version if known else self.newest, known, language, elements, lang.labels
        )

    def recognised(self, texts: Iterable[str]) -> list[tuple[str, int]]:
        """Languages whose recognisable labels appear among `texts`, most matches first."""
        seen = set(texts)
        counts = [(code, sum(word in seen for word in lang.recognise)) for code, lang in self.languages.items()]
        return sorted(((code, n) for code, n in counts if n), key=lambda item: -item[1])


def parse_selectors(data: Mapping[str, Any]) -> AppSelectors:
    """Check and compile a selectors file's JSON; a ValueError names what is wrong."""
    versions = data["versions"]
    names = [entry["version"] for entry in versions]
    if not names or [version_key(v) for v in names] != sorted(version_key(v) for v in names):
        raise ValueError(f"versions must be listed oldest first, newest last: {names}")
    languages: dict[str, Language] = {}
    for code, lang in data["languages"].items():
        elements = {
            name: tuple(
                Alternative.from_data(alt, f"languages.{code}.elements.{name}[{i}]")
                for i, alt in enumerate(alternatives)
            )
            for name, alternatives in lang.get("elements", {}).items()
        }
        labels = {name: tuple(words) for name, words in lang.get("labels", {}).items()}
        languages[code] = Language(code, lang["name"], tuple(lang.get("recognise", ())), labels, elements)
    drives = tuple(data["drives"])
    for code in drives:
        known = set(languages[code].elements)
        for entry in versions:
            stray = set(entry["ids"]) - known
            if stray:
                raise ValueError(f"version {entry['version']} has ids for unknown elements: {sorted(stray)}")
    return AppSelectors(
        data["app"],
        data["package"],
        data.get("activity", ""),
        drives,
        {entry["version"]: dict(entry["ids"]) for entry in versions},
        languages,
    )


@lru_cache(maxsize=8)
def load_selectors(app: str = "tiktok") -> AppSelectors:
    """The selectors file of an app, read once (`devices/selectors/<app>.json`)."""
    path = _FOLDER / f"{app}.json"
    return parse_selectors(json.loads(path.read_text(encoding="utf-8")))
