"""A dump parsed once and searched client-side: alternatives in order, what a finger can reach."""

from __future__ import annotations

from devices.selectors import Alternative
from devices.ui.screen import Screen

PKG = "com.zhiliaoapp.musically"


def node(cls: str, bounds: str, children: str = "", **attrs: str) -> str:
    fields = {"text": "", "resource-id": "", "content-desc": "", "clickable": "false", "hint": "", **attrs}
    body = " ".join(f'{k}="{v}"' for k, v in fields.items())
    return f'<node class="{cls}" package="{PKG}" bounds="{bounds}" {body}>{children}</node>'


FEED = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes' ?><hierarchy rotation=\"0\">"
    + node(
        "android.widget.FrameLayout",
        "[0,0][1080,2400]",
        node("android.widget.FrameLayout", "[0,0][1080,2240]", clickable="true", **{"content-desc": "Video"})
        + node(
            "android.widget.ImageView",
            "[950,1260][1050,1360]",
            clickable="true",
            **{"content-desc": "Like video. 12.3K likes", "resource-id": f"{PKG}:id/k7q"},
        )
        + node("android.widget.TextView", "[40,2000][900,2100]", text="caption #fyp")
        + node(
            "android.widget.LinearLayout",
            "[0,2240][1080,2400]",
            node(
                "android.widget.FrameLayout",
                "[0,2240][216,2400]",
                clickable="true",
                selected="true",
                **{"content-desc": "Home", "resource-id": f"{PKG}:id/xw2"},
            )
            + node(
                "android.widget.FrameLayout", "[864,2240][1080,2400]", clickable="true", **{"content-desc": "Profile"}
            ),
        ),
    )
    + "</hierarchy>"
)

SHEET = FEED.replace(
    "</hierarchy>",
    node(
        "android.widget.FrameLayout",
        "[0,0][1080,2400]",
        node("android.view.View", "[0,0][1080,1000]", clickable="true")
        + node(
            "android.widget.FrameLayout",
            "[0,1000][1080,2400]",
            node("android.widget.ImageView", "[960,1010][1060,1110]", clickable="true", **{"content-desc": "Close"}),
            clickable="true",
        ),
    )
    + "</hierarchy>",
)


def test_elements_keep_their_attributes_bounds_and_tree():
    screen = Screen.parse(FEED)
    like = screen.find([Alternative(desc_starts="Like video")])
    assert like is not None and like.center == (1000, 1310) and like.clickable
    home = screen.find([Alternative(desc="Home")])
    assert (
        home is not None
        and home.selected
        and [a.cls for a in screen.ancestors(home)][0] == "android.widget.LinearLayout"
    )
    assert screen.package == PKG


def test_the_first_alternative_that_finds_something_wins():
    screen = Screen.parse(FEED)
    found = screen.find([Alternative(id="nothing"), Alternative(id="xw2"), Alternative(desc="Profile")])
    assert found is not None and found.desc == "Home"


def test_an_id_matches_whatever_package_prefixes_it():
    screen = Screen.parse(FEED.replace(f"{PKG}:id/xw2", "com.clone.app:id/xw2"))
    assert screen.find([Alternative(id="xw2")]) is not None


def test_a_label_over_a_clickable_background_is_reachable():
    screen = Screen.parse(FEED)
    assert screen.find([Alternative(text="caption #fyp")]) is not None


def test_what_a_sheet_covers_cannot_be_found_but_still_exists():
    screen = Screen.parse(SHEET)
    assert screen.find([Alternative(desc_starts="Like video")]) is None
    assert screen.has([Alternative(desc_starts="Like video")])
    assert screen.find([Alternative(desc="Close")]) is not None


def test_texts_collects_texts_and_descriptions():
    assert {"caption #fyp", "Home", "Profile", "Video"} <= Screen.parse(FEED).texts()


def test_an_empty_or_broken_dump_is_an_empty_screen():
    assert Screen.parse("").elements == []
    assert Screen.parse('<hierarchy rotation="0" />').elements == []
