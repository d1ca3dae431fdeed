"""Watching and reacting: the home feed, a post opened by link, the Reels viewer, the comments sheet."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from devices.sim.app.instagram.parts import (
    AUTOCOMPLETE,
    BAR_TOP,
    FRAME,
    GROUP,
    IMAGE,
    LINEAR,
    TEXT,
    TOP,
    UNAVAILABLE,
    UNAVAILABLE_BODY,
    W,
    back_button,
    bottom_sheet,
    count_text,
    tab_bar,
    view,
)
from devices.sim.app.instagram.world import Post, feed_post, reel
from devices.sim.app.screen import Screen
from devices.sim.hierarchy import Node

if TYPE_CHECKING:
    from devices.sim.app.instagram.app import InstagramApp

SAMPLE_COMMENTS = ("so good 😍", "need this", "the light here ✨", "obsessed", "where is this??")


def _media(app: InstagramApp, post: Post, top: int, bottom: int) -> Node:
    """The photo, carousel or video of a post card; a double tap likes it."""
    like = lambda: app.tap_media(post.code)  # noqa: E731 - one tap; two in a row are a double tap
    if post.kind == "carousel":
        indicator = view(
            TEXT, (940, top + 20, 1060, top + 80), "carousel_index_indicator_text_view", text=f"1/{post.slides}"
        )
        return view(
            FRAME,
            (0, top, W, bottom),
            "carousel_media_group",
            action=like,
            desc=f"Photo 1 of {post.slides} by {post.author}, {post.likes} likes, {post.comments} comments",
            children=[view(IMAGE, (0, top, W, bottom), "carousel_image"), indicator],
        )
    if post.kind in ("video", "reel"):
        return view(FRAME, (0, top, W, bottom), "zoomable_view_container", desc=f"Video by {post.author}", action=like)
    return view(
        IMAGE, (0, top, W, bottom), "row_feed_photo_imageview", desc=f"Photo by {post.author} at Row 1", action=like
    )


def post_card(app: InstagramApp, post: Post, top: int) -> list[Node]:
    """A post as the feed and a post's page show it: header, media, the action row, likes and caption."""
    account = app.account
    liked, saved = post.code in account.likes, post.code in account.saves
    header = view(
        LINEAR,
        (0, top, W, top + 130),
        "row_feed_profile_header",
        children=[
            view(
                IMAGE,
                (30, top + 20, 120, top + 110),
                "row_feed_photo_profile_imageview",
                desc=f"Profile picture of {post.author}",
                action=lambda: app.open_profile(post.author),
            ),
            view(
                TEXT,
                (140, top + 25, 700, top + 75),
                "row_feed_photo_profile_name",
                text=f"{post.author} •",
                action=lambda: app.open_profile(post.author),
            ),
            view(TEXT, (140, top + 75, 700, top + 115), "secondary_label", text="Suggested for you"),
            view(
                IMAGE,
                (960, top + 30, 1050, top + 100),
                "media_option_button",
                desc="More actions for this post",
                clickable=True,
            ),
        ],
    )
    media_bottom = top + 130 + 1080
    buttons = view(
        LINEAR,
        (0, media_bottom, W, media_bottom + 120),
        "row_feed_view_group_buttons",
        children=[
            view(
                IMAGE,
                (20, media_bottom + 10, 120, media_bottom + 110),
                "row_feed_button_like",
                desc="Liked" if liked else "Like",
                selected=liked,
                action=lambda: app.toggle_like(post.code),
            ),
            view(
                IMAGE,
                (140, media_bottom + 10, 240, media_bottom + 110),
                "row_feed_button_comment",
                desc="Comment",
                action=lambda: app.push(CommentsSheet(post=post)),
            ),
            view(
                IMAGE,
                (260, media_bottom + 10, 360, media_bottom + 110),
                "row_feed_button_share",
                desc="Send Post",
                clickable=True,
            ),
            view(
                IMAGE,
                (960, media_bottom + 10, 1060, media_bottom + 110),
                "row_feed_button_save",
                desc="Remove from Saved" if saved else "Add to Saved",
                selected=saved,
                action=lambda: app.toggle_save(post.code),
            ),
        ],
    )
    likes = post.likes + liked
    return [
        header,
        _media(app, post, top + 130, media_bottom),
        buttons,
        view(
            TEXT,
            (30, media_bottom + 130, 1050, media_bottom + 180),
            "row_feed_textview_likes",
            text=f"{count_text(likes)} likes",
        ),
        view(
            TEXT,
            (30, media_bottom + 190, 1050, media_bottom + 290),
            "row_feed_comment_textview_layout",
            text=f"{post.author} {post.caption}",
        ),
    ]


@dataclass(eq=False)
class Home(Screen):
    """The home feed: the action bar (Create at its left), the stories tray, one post at a time (swipe for the
    next), the tab bar."""

    name = "home"
    index: int = 0

    def current(self, app: InstagramApp) -> Post:
        """The post on screen."""
        return feed_post(app.host.seed, app.account.username, self.index)

    def render(self, app: InstagramApp) -> list[Node]:
        bar = view(
            FRAME,
            (0, TOP, W, TOP + 130),
            "main_feed_action_bar",
            children=[
                view(
                    FRAME,
                    (0, TOP, 140, TOP + 130),
                    "action_bar_buttons_container_left",
                    children=[view(IMAGE, (20, TOP + 20, 120, TOP + 110), desc="Create", action=app.open_create)],
                ),
                view(TEXT, (300, TOP + 30, 780, TOP + 100), "title_logo", desc="Instagram"),
                view(
                    IMAGE,
                    (960, TOP + 20, 1060, TOP + 110),
                    "action_bar_inbox_button",
                    desc="Notifications",
                    clickable=True,
                ),
            ],
        )
        tray = view(
            LINEAR,
            (0, TOP + 140, W, TOP + 360),
            "reels_tray_container",
            children=[
                view(
                    FRAME,
                    (20, TOP + 150, 220, TOP + 350),
                    desc="Your story",
                    action=app.open_create,
                    children=[
                        view(IMAGE, (150, TOP + 270, 210, TOP + 330), "reel_empty_badge", desc="Add to story"),
                        view(TEXT, (20, TOP + 300, 220, TOP + 350), text="Your story"),
                    ],
                )
            ],
        )
        nodes = [bar, tray]
        notice = app.upload_notice()
        if notice:
            nodes.append(view(TEXT, (30, TOP + 370, 1050, TOP + 430), "upload_progress_text", text=notice))
        feed = view(
            FRAME,
            (0, TOP + 440, W, BAR_TOP),
            "feed_timeline",
            children=post_card(app, self.current(app), TOP + 450),
            scrollable=True,
        )
        return [*nodes, feed, tab_bar(app, "home")]

    def swipe(self, app: InstagramApp, direction: str) -> None:
        if direction == "up":
            self.index += 1
            app.account.views.append(self.current(app).code)
        elif direction == "down" and self.index > 0:
            self.index -= 1


@dataclass(eq=False)
class PostPage(Screen):
    """A post opened by its link (or from a grid): the card under a back arrow; a gone post says so."""

    name = "post"
    post: Post | None = None

    def render(self, app: InstagramApp) -> list[Node]:
        nodes = [back_button(app), view(TEXT, (160, TOP + 30, 900, TOP + 100), "action_bar_title", text="Posts")]
        if self.post is None:
            return nodes + [
                view(TEXT, (100, 1000, 980, 1080), text=UNAVAILABLE),
                view(TEXT, (100, 1100, 980, 1250), text=UNAVAILABLE_BODY),
            ]
        return nodes + post_card(app, self.post, TOP + 150)


@dataclass(eq=False)
class Reels(Screen):
    """The clips viewer: the Reels tab, a reel opened by link, or a topic's reels; swipe up for the next."""

    name = "reels"
    reels: list[Post] = field(default_factory=list)  # a fixed list (a link, a search); empty: the Reels tab
    index: int = 0
    opened: bool = False  # opened by a link or a search: a back arrow shows
    tab: bool = False

    def current(self, app: InstagramApp) -> Post | None:
        """The reel on screen (None: a link to a reel that is gone)."""
        if self.reels:
            return self.reels[self.index] if self.index < len(self.reels) else None
        return reel(app.host.seed, app.account.username, self.index) if self.tab else None

    def render(self, app: InstagramApp) -> list[Node]:
        post = self.current(app)
        top_buttons = (
            [
                view(
                    LINEAR,
                    (0, TOP, 300, TOP + 130),
                    "clips_action_bar_start_action_buttons",
                    children=[view(IMAGE, (0, TOP, 140, TOP + 130), desc="Back", action=app.back)],
                )
            ]
            if self.opened
            else []
        )
        if post is None:
            return [
                *top_buttons,
                view(TEXT, (100, 1000, 980, 1080), text=UNAVAILABLE),
                view(TEXT, (100, 1100, 980, 1250), text=UNAVAILABLE_BODY),
            ]
        account = app.account
        liked, saved = post.code in account.likes, post.code in account.saves
        bottom = BAR_TOP if self.tab else 2274
        ufi = view(
            LINEAR,
            (940, 1100, 1060, 1900),
            "ufi_stack",
            children=[
                view(
                    IMAGE,
                    (950, 1110, 1050, 1210),
                    "like_button",
                    desc="Like",
                    selected=liked,
                    action=lambda: app.toggle_like(post.code),
                ),
                view(TEXT, (950, 1210, 1050, 1260), "like_count", text=count_text(post.likes + liked)),
                view(
                    IMAGE,
                    (950, 1300, 1050, 1400),
                    "comment_button",
                    desc="Comment",
                    action=lambda: app.push(CommentsSheet(post=post)),
                ),
                view(IMAGE, (950, 1480, 1050, 1580), "direct_share_button", desc="Share", clickable=True),
                view(
                    IMAGE,
                    (950, 1640, 1050, 1740),
                    "save_button",
                    desc="Remove from Saved" if saved else "Add to Saved",
                    selected=saved,
                    action=lambda: app.toggle_save(post.code),
                ),
            ],
        )
        pager = view(
            "androidx.viewpager.widget.ViewPager",
            (0, 0, W, bottom),
            "clips_viewer_view_pager",
            scrollable=True,
            children=[
                view(
                    FRAME,
                    (0, 0, W, bottom),
                    "clips_video_container",
                    desc=f"Reel by {post.author}. Double tap to like.",
                    action=lambda: app.tap_media(post.code),
                ),
                ufi,
                view(
                    TEXT,
                    (40, bottom - 330, 800, bottom - 260),
                    "clips_author_username",
                    text=post.author,
                    action=lambda: app.open_profile(post.author),
                ),
                view(TEXT, (40, bottom - 250, 900, bottom - 130), "clips_caption_component", text=post.caption),
            ],
        )
        nodes = [view(FRAME, (0, 0, W, bottom), "root_clips_layout", children=[pager]), *top_buttons]
        return nodes + ([tab_bar(app, "reels")] if self.tab else [])

    def swipe(self, app: InstagramApp, direction: str) -> None:
        if direction == "up" and (not self.reels or self.index + 1 < len(self.reels)):
            self.index += 1
            post = self.current(app)
            if post is not None:
                app.account.views.append(post.code)
        elif direction == "down" and self.index > 0:
            self.index -= 1


@dataclass(eq=False)
class CommentsSheet(Screen):
    """The comments of a post: the list (the farm's comments first), the composer and its Post button."""

    name = "comments"
    sheet = True
    post: Post | None = None

    def render(self, app: InstagramApp) -> list[Node]:
        post = self.post
        assert post is not None
        top = 700
        written = app.host.instagram_comments.get(post.code, [])
        rows = [*written, *((f"{post.author}_fan{i}", text) for i, text in enumerate(SAMPLE_COMMENTS))]
        listed = []
        for i, (author, text) in enumerate(rows[:6]):
            y = top + 200 + i * 160
            listed.append(
                view(
                    GROUP,
                    (0, y, W, y + 150),
                    children=[
                        view(
                            TEXT, (140, y + 10, 1000, y + 90), "row_comment_textview_comment", text=f"{author} {text}"
                        ),
                        view(
                            LINEAR,
                            (140, y + 95, 700, y + 140),
                            "row_comment_sub_items_bar",
                            children=[
                                view(
                                    TEXT,
                                    (140, y + 95, 260, y + 140),
                                    "row_comment_textview_time_ago",
                                    text="now" if i < len(written) else "2d",
                                ),
                                view(TEXT, (280, y + 95, 420, y + 140), text="Reply", clickable=True),
                            ],
                        ),
                    ],
                )
            )
        typed = self.fields.get("comment", "")
        composer = view(
            AUTOCOMPLETE,
            (140, 2150, 900, 2260),
            "layout_comment_thread_edittext_multiline",
            text=typed or "Join the conversation…",
            hint="Join the conversation…",
            field="comment",
            focused=self.focus == "comment",
            long_clickable=True,
        )
        post_button = view(
            FRAME,
            (920, 2150, 1060, 2260),
            "layout_comment_thread_post_button_click_area",
            desc="Post",
            enabled=bool(typed.strip()),
            action=lambda: self.submit(app),
        )
        children = [
            view(TEXT, (390, top + 60, 690, top + 130), "title_text_view", text="Comments"),
            view(
                "androidx.recyclerview.widget.RecyclerView",
                (0, top + 180, W, 2140),
                "sticky_header_list",
                children=listed,
                scrollable=True,
            ),
            composer,
            post_button,
        ]
        return [bottom_sheet(app, top, children, on_outside=app.pop)]

    def submit(self, app: InstagramApp) -> None:
        text = self.fields.get("comment", "").strip()
        if text and self.post is not None:
            app.comment(self.post.code, text)
            self.fields["comment"] = ""
