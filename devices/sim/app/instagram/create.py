"""The create flow: the gallery under its POST / REEL / STORY tabs, the editor's Next, the caption, Share.

The newest media is the first tile. POST takes one photo, or several with "Select multiple" (numbered in tap
order: a carousel); REEL takes a video; STORY takes what is selected and shares it with "Your story"."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from devices.sim.app.instagram.parts import BUTTON, EDIT, FRAME, IMAGE, LINEAR, TEXT, TOP, W, view
from devices.sim.app.screen import Screen
from devices.sim.hierarchy import Node

if TYPE_CHECKING:
    from devices.sim.app.instagram.app import InstagramApp

DESTINATIONS = (
    ("cam_dest_feed", "POST", "post"),
    ("cam_dest_clips", "REEL", "reel"),
    ("cam_dest_story", "STORY", "story"),
)


def _next_button(action, enabled: bool = True) -> Node:
    return view(
        TEXT, (820, TOP + 20, 1060, TOP + 110), "next_button_textview", text="Next", enabled=enabled, action=action
    )


@dataclass(eq=False)
class CreateGallery(Screen):
    """The gallery with the destination tabs at the bottom (the camera remembers the last one)."""

    name = "create_gallery"
    destination: str = "post"
    multiple: bool = False
    selected: list[str] = field(default_factory=list)

    def items(self, app: InstagramApp) -> list[tuple[str, str]]:
        """The (path, kind) tiles: every scanned photo and video, newest first (a reel shows videos only)."""
        return [(p, k) for p, k in app.host.media() if self.destination != "reel" or k == "video"]

    def render(self, app: InstagramApp) -> list[Node]:
        nodes = [
            view(IMAGE, (20, TOP + 10, 120, TOP + 110), "action_bar_button_back", desc="Close", action=app.back),
            view(
                TEXT,
                (200, TOP + 30, 800, TOP + 100),
                "action_bar_title",
                text={"post": "New post", "reel": "New reel", "story": "Add to story"}[self.destination],
            ),
        ]
        if self.destination != "story":
            nodes.append(_next_button(lambda: self._next(app), enabled=bool(self.selected)))
        nodes.append(
            view(
                IMAGE,
                (900, 1000, 1040, 1100),
                "multi_select_slide_button_alt",
                desc="Select multiple",
                selected=self.multiple,
                action=self._toggle_multiple,
            )
        )
        for i, (path, kind) in enumerate(self.items(app)[:12]):
            left, top = (i % 4) * 270, 1120 + (i // 4) * 270
            chosen = path in self.selected
            what = "video" if kind == "video" else "photo"
            desc = (
                f"Selected media number {self.selected.index(path) + 1}, {what} thumbnail"
                if chosen
                else f"Unselected {what} thumbnail created on {app.host.media_date(path)}"
            )
            nodes.append(
                view(
                    IMAGE,
                    (left, top, left + 265, top + 265),
                    "gallery_grid_item_thumbnail",
                    desc=desc,
                    selected=chosen,
                    action=lambda p=path: self._tap(p),
                )
            )
        if self.destination == "story" and self.selected:
            nodes.append(
                view(
                    BUTTON,
                    (40, 2050, 520, 2140),
                    text="Your story",
                    desc="Your story",
                    action=lambda: app.publish(list(self.selected), "story", ""),
                )
            )
        tabs = [
            view(
                TEXT,
                (200 + i * 240, 2160, 420 + i * 240, 2250),
                short,
                text=label,
                selected=self.destination == key,
                action=lambda k=key: self._destination(app, k),
            )
            for i, (short, label, key) in enumerate(DESTINATIONS)
        ]
        return nodes + [view(LINEAR, (0, 2150, W, 2260), "cam_dest_container", children=tabs)]

    def _toggle_multiple(self) -> None:
        self.multiple = not self.multiple
        if not self.multiple:
            self.selected = self.selected[-1:]

    def _tap(self, path: str) -> None:
        if path in self.selected:
            if self.multiple:
                self.selected.remove(path)
        elif self.multiple or self.destination == "story":
            self.selected.append(path)
        else:
            self.selected = [path]

    def _destination(self, app: InstagramApp, destination: str) -> None:
        self.destination, self.selected, self.multiple = destination, [], False
        app.last_destination = destination

    def _next(self, app: InstagramApp) -> None:
        if self.selected:
            app.push(Editor(media=list(self.selected), destination=self.destination))


@dataclass(eq=False)
class Editor(Screen):
    """Filters (a post) or Edit video (a reel): Next goes on to the caption."""

    name = "editor"
    media: list[str] = field(default_factory=list)
    destination: str = "post"

    def render(self, app: InstagramApp) -> list[Node]:
        preview = view(
            FRAME,
            (0, TOP + 150, W, 1700),
            "creation_preview",
            desc=", ".join(posixpath.basename(p) for p in self.media),
        )
        nodes = [
            view(IMAGE, (20, TOP + 10, 120, TOP + 110), "action_bar_button_back", desc="Back", action=app.back),
            preview,
        ]
        go = lambda: app.push(Composer(media=self.media, destination=self.destination))  # noqa: E731
        if self.destination == "reel":
            nodes += [
                view(TEXT, (200, TOP + 30, 800, TOP + 100), "action_bar_title", text="Edit video"),
                view(IMAGE, (900, 2150, 1060, 2260), "clips_right_action_button", desc="next", action=go),
            ]
        else:
            nodes += [view(TEXT, (200, TOP + 30, 800, TOP + 100), "action_bar_title", text="Filter"), _next_button(go)]
        return nodes


@dataclass(eq=False)
class Composer(Screen):
    """The last screen: the caption, Add location, Save draft and Share."""

    name = "composer"
    media: list[str] = field(default_factory=list)
    destination: str = "post"

    def render(self, app: InstagramApp) -> list[Node]:
        caption = self.fields.get("caption", "")
        return [
            view(IMAGE, (20, TOP + 10, 120, TOP + 110), "action_bar_button_back", desc="Back", action=app.back),
            view(
                TEXT,
                (200, TOP + 30, 800, TOP + 100),
                "action_bar_title",
                text="New reel" if self.destination == "reel" else "New post",
            ),
            view(IMAGE, (40, TOP + 180, 340, TOP + 480), "media_thumbnail"),
            view(
                EDIT,
                (360, TOP + 180, 1040, TOP + 480),
                "caption_input_text_view",
                text=caption or "Write a caption...",
                hint="Write a caption...",
                field="caption",
                focused=self.focus == "caption",
                long_clickable=True,
            ),
            view(TEXT, (40, TOP + 560, 1040, TOP + 640), text="Add location", clickable=True),
            view(BUTTON, (40, 2150, 520, 2260), text="Save draft", clickable=True),
            view(
                BUTTON,
                (560, 2150, 1040, 2260),
                "share_footer_button",
                text="Share",
                action=lambda: app.publish(self.media, self.destination, caption),
            ),
        ]
