"""Making a post: camera, gallery, editor with sound picker and volume, composer, publish; and a sound's page."""

from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from devices.sim.app.people_screens import sound_rows, video_tiles
from devices.sim.app.screen import TOP, Draft, Screen, sheet, top_bar
from devices.sim.app.world import Sound, compact_count, recommended_sounds, search_sounds, search_videos
from devices.sim.hierarchy import Node

if TYPE_CHECKING:
    from devices.sim.app.tiktok import TikTokApp

SOUND_LOAD_S = 2.0
CONFIRM_FROM_MAJOR = 35


def publish_duration(files: int) -> float:
    """App seconds an upload of `files` media takes."""
    return 5.0 + files


def _duration(path: str) -> str:
    seconds = 5 + hashlib.blake2b(path.encode(), digest_size=2).digest()[0] % 56
    return f"0:{seconds:02d}"


@dataclass(eq=False)
class Camera(Screen):
    """The record screen behind Create: Add sound, Record, Upload."""

    name = "camera"
    activity = "record"
    draft: Draft = field(default_factory=lambda: Draft(media=[]))

    def render(self, app: TikTokApp) -> list[Node]:
        ui = app.ui
        tools = [
            ui.node("camera_tool", (960, TOP + 200 + i * 150, 1060, TOP + 300 + i * 150), text=ui.s(k))
            for i, k in enumerate(("tool_flip", "tool_speed", "tool_filters", "tool_timer"))
        ]
        return [
            ui.node("close", (20, TOP + 10, 120, TOP + 110), action=app.pop),
            ui.node(
                "camera_add_sound",
                (340, TOP + 20, 740, TOP + 100),
                text=self.draft.sound or ui.s("add_sound"),
                action=lambda: app.push(SoundPicker(draft=self.draft)),
            ),
            *tools,
            ui.node("camera_tool", (100, 2060, 260, 2160), text=ui.s("tool_effects")),
            ui.node("camera_record", (440, 1960, 640, 2160), action=lambda: app.show_toast(ui.s("camera_unavailable"))),
            ui.node(
                "camera_upload",
                (820, 1990, 980, 2150),
                action=lambda: app.push(Gallery(draft=self.draft)),
                children=[ui.node("camera_upload_label", (820, 2110, 980, 2150))],
            ),
        ]


@dataclass(eq=False)
class Gallery(Screen):
    """The media picker: scanned files newest first; tap to select (numbered), Next. For a comment: one photo."""

    name = "gallery"
    activity = "gallery"
    draft: Draft = field(default_factory=lambda: Draft(media=[]))
    for_comment: Screen | None = None
    filter: str = "all"
    selected: list[str] = field(default_factory=list)

    def items(self, app: TikTokApp) -> list[tuple[str, str]]:
        """The (path, kind) tiles the current filter shows."""
        wanted = (
            "photo"
            if self.for_comment is not None
            else {"all": None, "videos": "video", "photos": "photo"}[self.filter]
        )
        return [(p, k) for p, k in app.host.media() if wanted is None or k == wanted]

    def render(self, app: TikTokApp) -> list[Node]:
        ui = app.ui
        nodes = [
            ui.node("close", (20, TOP + 10, 120, TOP + 110), action=app.pop),
            ui.node("gallery_title", (340, TOP + 20, 740, TOP + 100)),
        ]
        if self.for_comment is None:
            for i, (key, label) in enumerate(
                (("all", "filter_all"), ("videos", "filter_videos"), ("photos", "filter_photos"))
            ):
                nodes.append(
                    ui.node(
                        "gallery_filter",
                        (60 + i * 330, TOP + 140, 360 + i * 330, TOP + 220),
                        text=ui.s(label),
                        selected=self.filter == key,
                        action=lambda k=key: setattr(self, "filter", k),
                    )
                )
        items = self.items(app)[:15]
        for i, (path, kind) in enumerate(items):
            left, top = (i % 3) * 360, TOP + 260 + (i // 3) * 360
            chosen = path in self.selected
            name = posixpath.basename(path)
            desc = (
                ui.s("gallery_video", duration=_duration(path), name=name)
                if kind == "video"
                else ui.s("gallery_photo", name=name)
            )
            number = str(self.selected.index(path) + 1) if chosen else ""
            nodes.append(
                ui.node(
                    "gallery_tile",
                    (left, top, left + 355, top + 355),
                    desc=desc,
                    checkable=True,
                    checked=chosen,
                    action=lambda p=path: self._toggle(p),
                    children=[
                        ui.node("gallery_tile_number", (left + 275, top + 15, left + 340, top + 80), text=number)
                    ],
                )
            )
        if not items:
            nodes.append(ui.node("gallery_empty", (140, 1100, 940, 1200)))
        nodes.append(
            ui.node("next", (780, 2250, 1050, 2360), enabled=bool(self.selected), action=lambda: self._next(app))
        )
        return nodes

    def _toggle(self, path: str) -> None:
        if path in self.selected:
            self.selected.remove(path)
        elif self.for_comment is not None:
            self.selected = [path]
        else:
            self.selected.append(path)

    def _next(self, app: TikTokApp) -> None:
        if not self.selected:
            return
        if self.for_comment is not None:
            self.for_comment.image = self.selected[0]
            app.pop()
            return
        self.draft.media = list(self.selected)
        app.push(Editor(draft=self.draft))


@dataclass(eq=False)
class Editor(Screen):
    """The editor after picking media: Add sound, Volume, effects, Next."""

    name = "editor"
    activity = "editor"
    draft: Draft = field(default_factory=lambda: Draft(media=[]))

    def render(self, app: TikTokApp) -> list[Node]:
        ui = app.ui
        tools = [
            ui.node("editor_tool", (960, TOP + 200 + i * 150, 1060, TOP + 300 + i * 150), text=ui.s(k))
            for i, k in enumerate(("tool_text", "tool_stickers", "tool_effects", "tool_filters"))
        ]
        return [
            *top_bar(app),
            ui.node(
                "editor_add_sound",
                (340, TOP + 20, 740, TOP + 100),
                text=self.draft.sound or ui.s("add_sound"),
                action=lambda: app.push(SoundPicker(draft=self.draft)),
            ),
            *tools,
            ui.node(
                "editor_volume",
                (960, TOP + 800, 1060, TOP + 900),
                action=lambda: app.push(VolumeSheet(draft=self.draft)),
                children=[ui.node("editor_volume_label", (960, TOP + 900, 1060, TOP + 950))],
            ),
            ui.node("next", (780, 2250, 1050, 2360), action=lambda: app.push(Composer(draft=self.draft))),
        ]


@dataclass(eq=False)
class SoundPicker(Screen):
    """The sound sheet: search, Recommended / Favourites, tap a sound (it loads, then applies), Done."""

    name = "sound_picker"
    sheet = True
    draft: Draft = field(default_factory=lambda: Draft(media=[]))
    tab: str = "recommended"
    query: str | None = None

    def render(self, app: TikTokApp) -> list[Node]:
        ui = app.ui
        nodes = [
            ui.field(
                "sound_search",
                (40, 1040, 850, 1140),
                "sound_query",
                self.fields.get("sound_query", ""),
                self.focus == "sound_query",
            ),
            ui.node("search_button", (870, 1040, 1040, 1140), action=lambda: self.submit(app)),
        ]
        for i, (key, label) in enumerate((("recommended", "sounds_recommended"), ("favourites", "sounds_favourites"))):
            nodes.append(
                ui.node(
                    "sound_tab",
                    (40 + i * 330, 1160, 360 + i * 330, 1240),
                    text=ui.s(label),
                    selected=self.tab == key and self.query is None,
                    action=lambda k=key: self._tab(k),
                )
            )
        sounds = (
            search_sounds(self.query)
            if self.query is not None
            else (recommended_sounds() if self.tab == "recommended" else [])
        )
        rows = sound_rows(
            app, sounds[:5], 1260, lambda sound: self._choose(app, sound), self.draft.sound, self.draft.loading_sound
        )
        nodes += rows or [ui.node("no_results", (140, 1400, 940, 1480))]
        nodes.append(ui.node("done", (780, 2250, 1050, 2360), action=app.pop))
        return [sheet(app, 1000, nodes, on_outside=app.pop)]

    def _tab(self, tab: str) -> None:
        self.tab, self.query = tab, None

    def _choose(self, app: TikTokApp, sound: Sound) -> None:
        self.draft.loading_sound = sound.title
        self.draft.sound_ready_at = app.host.clock() + SOUND_LOAD_S * app.host.time_scale

    def submit(self, app: TikTokApp) -> None:
        query = self.fields.get("sound_query", "").strip()
        self.query, self.focus = (query or None), None


@dataclass(eq=False)
class VolumeSheet(Screen):
    """Volume: Original sound and Added sound seek bars (tap or drag), Done."""

    name = "volume"
    sheet = True
    draft: Draft = field(default_factory=lambda: Draft(media=[]))

    def render(self, app: TikTokApp) -> list[Node]:
        ui, d = app.ui, self.draft

        def setter(attr: str):
            return lambda fraction: setattr(d, attr, max(0, min(100, round(fraction * 100))))

        nodes = [
            ui.node("volume_label", (60, 1700, 700, 1760), text=ui.s("original_sound")),
            ui.node(
                "volume_bar",
                (60, 1770, 1020, 1850),
                text=str(d.original_volume),
                desc=ui.s("original_sound"),
                action=setter("original_volume"),
            ),
            ui.node("volume_label", (60, 1900, 700, 1960), text=ui.s("added_sound")),
            ui.node(
                "volume_bar",
                (60, 1970, 1020, 2050),
                text=str(d.added_volume),
                desc=ui.s("added_sound"),
                enabled=d.sound is not None,
                action=setter("added_volume"),
            ),
            ui.node("done", (780, 2250, 1050, 2360), action=app.pop),
        ]
        return [sheet(app, 1600, nodes, on_outside=app.pop)]


@dataclass(eq=False)
class Composer(Screen):
    """The post screen: caption, hashtags, product link switch, Post."""

    name = "composer"
    activity = "publish"
    draft: Draft = field(default_factory=lambda: Draft(media=[]))

    def render(self, app: TikTokApp) -> list[Node]:
        ui, d = app.ui, self.draft
        caption = self.fields.get("caption", "")
        rows = [
            ui.node("composer_row", (60, TOP + 720 + i * 150, 1020, TOP + 840 + i * 150), text=ui.s(k))
            for i, k in enumerate(("location", "everyone_can_view"))
        ]
        return [
            *top_bar(app),
            ui.field("composer_caption", (40, TOP + 150, 760, TOP + 550), "caption", caption, self.focus == "caption"),
            ui.node("composer_row", (800, TOP + 150, 1040, TOP + 550), text=ui.s("select_cover")),
            ui.node(
                "composer_chip",
                (40, TOP + 580, 330, TOP + 680),
                text=ui.s("hashtags"),
                action=lambda: self._append("#"),
            ),
            ui.node(
                "composer_chip",
                (350, TOP + 580, 640, TOP + 680),
                text=ui.s("mention"),
                action=lambda: self._append("@"),
            ),
            *rows,
            ui.node(
                "composer_product",
                (60, TOP + 1020, 1020, TOP + 1140),
                checkable=True,
                checked=d.product_link,
                action=lambda: setattr(d, "product_link", not d.product_link),
            ),
            ui.node("composer_drafts", (40, 2250, 520, 2360), clickable=True),
            ui.node("composer_post", (560, 2250, 1040, 2360), action=lambda: self._post(app)),
        ]

    def _append(self, text: str) -> None:
        self.fields["caption"] = self.fields.get("caption", "") + text
        self.focus = "caption"

    def _post(self, app: TikTokApp) -> None:
        if int(app.ui.version.split(".")[0]) >= CONFIRM_FROM_MAJOR:
            app.push(PublishConfirm(draft=self.draft, caption=self.fields.get("caption", "")))
        else:
            app.publish(self.draft, self.fields.get("caption", ""))


@dataclass(eq=False)
class PublishConfirm(Screen):
    """Some versions ask before the first public post: Publish now."""

    name = "publish_confirm"
    sheet = True
    draft: Draft = field(default_factory=lambda: Draft(media=[]))
    caption: str = ""

    def render(self, app: TikTokApp) -> list[Node]:
        ui = app.ui
        return [
            sheet(
                app,
                1800,
                [
                    ui.node("publish_title", (60, 1840, 1020, 1920)),
                    ui.node(
                        "publish_now", (60, 2000, 1020, 2110), action=lambda: app.publish(self.draft, self.caption)
                    ),
                    ui.node("cancel", (60, 2150, 1020, 2260), action=app.pop),
                ],
            )
        ]


@dataclass(eq=False)
class SoundPage(Screen):
    """A sound's page: its videos and Use this sound (to the camera with the sound chosen)."""

    name = "sound"
    activity = "music"
    sound: Sound | None = None

    def render(self, app: TikTokApp) -> list[Node]:
        ui, s = app.ui, self.sound
        videos = search_videos(s.title, 6)
        return [
            *top_bar(app),
            ui.node("sound_page_title", (160, TOP + 200, 1000, TOP + 280), text=s.title),
            ui.node(
                "sound_page_count",
                (160, TOP + 290, 1000, TOP + 350),
                text=ui.s("sound_videos", videos=compact_count(int(s.id) % 900_000)),
            ),
            ui.node(
                "sound_page_use",
                (160, 2250, 920, 2360),
                action=lambda: app.push(Camera(draft=Draft(media=[], sound=s.title))),
            ),
            *video_tiles(app, videos, TOP + 420, columns=3),
        ]
