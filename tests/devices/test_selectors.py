"""The selectors file: versions newest last, ids first for a known version and last otherwise, languages."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path

import pytest

from devices.selectors import Alternative, load_selectors, parse_selectors, version_key

ROOT = Path(__file__).parents[2]
DATA = json.loads((ROOT / "devices/selectors/tiktok.json").read_text(encoding="utf-8"))


def test_a_known_version_tries_its_resource_id_first():
    selectors = load_selectors("tiktok").resolve("34.1.2")
    assert selectors.known_version and selectors.version == "34.1.2"
    assert selectors["tab_home"][0] == Alternative(id="xw2")
    assert selectors["tab_home"][1] == Alternative(desc="Home", cls="android.widget.FrameLayout")


def test_an_unknown_version_uses_the_newest_labels_first_and_its_ids_last():
    app = load_selectors("tiktok")
    selectors = app.resolve("99.0.1")
    assert not selectors.known_version and selectors.version == app.newest
    assert selectors["tab_home"][0].desc == "Home"
    assert selectors["tab_home"][-1] == Alternative(id="xw2")


def test_every_element_of_the_driven_language_has_a_way_to_be_found():
    selectors = load_selectors("tiktok").resolve("34.1.2")
    assert all(selectors[name] for name in selectors.elements)


def test_versions_must_be_listed_oldest_first():
    data = copy.deepcopy(DATA)
    data["versions"].append({"version": "12.0.0", "ids": {}})
    with pytest.raises(ValueError, match="oldest first"):
        parse_selectors(data)


def test_an_unknown_key_in_an_alternative_is_named():
    data = copy.deepcopy(DATA)
    data["languages"]["en"]["elements"]["tab_home"].append({"content_desc": "Home"})
    with pytest.raises(ValueError, match=r"languages\.en\.elements\.tab_home\[2\].*content_desc"):
        parse_selectors(data)


def test_an_id_for_an_element_no_language_knows_is_refused():
    data = copy.deepcopy(DATA)
    data["versions"][0]["ids"]["tab_typo"] = "abc"
    with pytest.raises(ValueError, match="tab_typo"):
        parse_selectors(data)


def test_languages_are_recognised_by_their_labels():
    app = load_selectors("tiktok")
    assert app.recognised(["Accueil", "Profil", "Amis", "Home"])[0] == ("fr", 3)
    assert app.recognised(["Home", "Profile", "For You"])[0] == ("en", 3)
    assert app.recognised(["nothing here"]) == []


def test_a_language_that_is_only_recognised_cannot_be_driven():
    with pytest.raises(KeyError, match="fr"):
        load_selectors("tiktok").resolve("34.1.2", "fr")


def test_version_keys_compare_numerically():
    assert version_key("34.10.0") > version_key("34.9.9") > version_key("9.0")


def test_every_app_defines_what_the_app_neutral_parts_look_for():
    neutral = "".join(path.read_text(encoding="utf-8") for path in (ROOT / "devices/ui").glob("*.py"))
    elements = set(re.findall(r'sel\["(\w+)"\]', neutral))
    labels = set(re.findall(r'sel\.label\("(\w+)"\)', neutral))
    assert {"tab_home", "dialog_title", "rate_limit"} <= elements and "allow_for" in labels
    for path in (ROOT / "devices/selectors").glob("*.json"):
        app = load_selectors(path.stem)
        for language in app.drives:
            selectors = app.resolve(app.newest, language)
            assert {name for name in elements if not selectors.elements.get(name)} == set(), (path.name, language)
            assert labels - set(selectors.labels) == set(), (path.name, language)


def test_an_alternative_matches_when_every_field_given_does() -> None:
    from types import SimpleNamespace

    def node(**fields):
        base = dict(
            rid="com.app:id/xw2",
            cls="android.widget.Button",
            text="Follow back",
            desc="Follow @mia",
            hint="",
            clickable=True,
            selected=False,
        )
        return SimpleNamespace(**{**base, **fields})

    assert Alternative().matches(node())
    assert Alternative(id="xw2").matches(node()) and Alternative(id="xw2").matches(node(rid="xw2"))
    assert not Alternative(id="xw2").matches(node(rid="com.app:id/xw22"))
    assert Alternative(cls="android.widget.Button", text_starts="Follow", desc_contains="@mia").matches(node())
    assert not Alternative(cls="android.widget.Button", text="Follow").matches(node())
    assert Alternative(text_contains="back", clickable=True, selected=False).matches(node())
    assert not Alternative(text_contains="back", clickable=False).matches(node())
    assert not Alternative(desc_starts="@mia").matches(node())
    assert Alternative(hint="Search", hint_contains="ear").matches(node(hint="Search"))
    assert not Alternative(hint_contains="x").matches(node())
    assert not Alternative(selected=True).matches(node())
    assert Alternative(text='say "hi" \\ ok').matches(node(text='say "hi" \\ ok'))  # values are bound, not pasted
