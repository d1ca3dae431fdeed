"""InstagramApp: the process, its back stack, its signed-in accounts, and what the screens ask of it."""

from __future__ import annotations

import time
from urllib.parse import urlparse

from devices.sim.app.host import MEDIA_KINDS
from devices.sim.app.instagram import dialogs
from devices.sim.app.instagram.account import IgAccount, IgPost
from devices.sim.app.instagram.create import CreateGallery
from devices.sim.app.instagram.feed import Home, PostPage, Reels
from devices.sim.app.instagram.parts import ACTIVITY, PACKAGE, H, W
from devices.sim.app.instagram.people import OwnProfile, SearchPage, UserProfile
from devices.sim.app.instagram.world import Post, accepts_requests, is_private, post_by_code, post_exists
from devices.sim.app.screen import Screen
from devices.sim.app.screen_stack import ScreenStackApp
from devices.sim.hierarchy import Node
from devices.sim.window_frame import activity_window

DOUBLE_TAP_S = 1.5  # two taps on the same media within this (real seconds) are a double tap
SHARE_S = 2.0  # app seconds a share takes per file
_CODE_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


class InstagramApp(ScreenStackApp):
    """The app's process: alive or not, its back stack, its accounts, a dialog, a share in progress."""

    package = PACKAGE

    def __init__(self, host, accounts: list[IgAccount]) -> None:
        self.host = host
        self.accounts = accounts
        self.current = 0
        self.running = False
        self.visible = False
        self.stack: list[Screen] = []
        self.dialog: str | None = None
        self.last_destination = "post"
        self.sharing: IgPost | None = None
        self.shared_notice = False
        self.launches = 0
        self._last_media_tap: tuple[str, float] | None = None

    # -- what the phone and the screens read ----------------------------------------------------------------
    @property
    def animating(self) -> bool:
        """Whether the drawing changes with time alone (a share in progress)."""
        return self.sharing is not None and self.sharing.status == "uploading"

    def activity(self) -> str:
        """The activity in front."""
        return ACTIVITY

    def windows(self) -> list[Node]:
        """The app window and what is drawn over it."""
        nodes: list[Node] = []
        for screen in self.stack[self._base_index() :]:
            nodes.extend(screen.render(self))
        window = activity_window(PACKAGE, [Node("android.widget.FrameLayout", (0, 0, W, H), children=nodes)])
        return [window, *dialogs.render(self)]

    def upload_notice(self) -> str | None:
        """What the feed says of a share: in progress, or done (until the next touch)."""
        if self.sharing is None:
            return None
        if self.sharing.status == "uploading":
            return "Posting…"
        return "Shared to your story" if self.sharing.kind == "story" else "Your post has been shared."

    # -- lifecycle ---------------------------------------------------------------------------------------
    def launch(self) -> None:
        """Start the app (or bring it back as it was)."""
        if not self.running:
            self.running = True
            self.stack = [Home()]
            self.launches += 1
        self.visible = True

    def stop(self) -> None:
        """Kill the process: the back stack and a dialog are lost; a share in progress fails."""
        self.visible = False
        if self.sharing is not None and self.sharing.status == "uploading":
            self.sharing.status = "failed"
        self.running, self.stack, self.dialog, self.sharing = False, [], None, None

    def tick(self) -> bool:
        """Apply what time alone changes; whether anything did."""
        sharing = self.sharing
        if sharing is not None and sharing.status == "uploading" and self.host.clock() >= sharing.ready_at:
            self.sharing.status, self.shared_notice = "published", True
            return True
        return False

    # -- navigation -----------------------------------------------------------------------------------------
    def open_tab(self, tab: str) -> None:
        """A bottom tab."""
        pages = {
            "home": [],
            "reels": [Reels(tab=True)],
            "direct": [],
            "search": [SearchPage(focus="query")],
            "profile": [OwnProfile()],
        }
        self.stack = [Home(), *pages[tab]]

    def open_create(self) -> None:
        """Create (top-left of Home) or the own story bubble: the gallery, on the last destination."""
        self.push(CreateGallery(destination=self.last_destination))

    def open_profile(self, handle: str) -> None:
        """A user's profile (one's own opens the Profile tab)."""
        handle = handle.strip().lstrip("@").rstrip(" •").lower()
        self.push(OwnProfile() if handle == self.account.username else UserProfile(handle=handle))

    def open_reels(self, reels: list[Post], index: int) -> None:
        """The clips viewer over a list of reels (a search's)."""
        self.push(Reels(reels=reels, index=index, opened=True))
        self.account.views.append(reels[index].code)

    def open_url(self, url: str) -> None:
        """A VIEW intent for an instagram.com link: a profile, a post (/p/), a reel (/reel/, /tv/)."""
        parts = [p for p in urlparse(url.strip()).path.split("/") if p]
        if not parts:
            return
        if parts[0] in ("p", "reel", "tv") and len(parts) >= 2:
            code = parts[1]
            post = post_by_code(code, parts[0] != "p") if post_exists(code) else None
            if post is not None:
                self.account.views.append(code)
            self.push(PostPage(post=post) if parts[0] == "p" else Reels(reels=[post] if post else [], opened=True))
        elif parts[0] not in ("explore", "stories", "direct", "accounts"):
            self.open_profile(parts[0])

    # -- accounts and actions ---------------------------------------------------------------------------------
    def switch_account(self, username: str) -> None:
        """Another signed-in account becomes current; its profile shows."""
        self.current = [a.username for a in self.accounts].index(username)
        self.stack = [Home(), OwnProfile()]

    def follow(self, handle: str) -> None:
        """Follow (a private account: request, unless it accepts at once); past the farm's follows-per-minute
        threshold, the action block."""
        account, now = self.account, self.host.clock()
        if handle in account.follows or handle in account.requested or handle == account.username:
            return
        threshold = min((n for n in (self.host.ratelimit(), self.host.actionblock()) if n), default=0)
        if threshold:
            window = 60.0 * self.host.time_scale
            account.follow_times = [t for t in account.follow_times if now - t < window]
            if len(account.follow_times) >= threshold:
                self.dialog = "blocked"
                return
        account.follow_times.append(now)
        pending = is_private(handle) and not accepts_requests(handle)
        (account.requested if pending else account.follows).append(handle)

    def unfollow(self, handle: str) -> None:
        """Stop following."""
        if handle in self.account.follows:
            self.account.follows.remove(handle)

    def withdraw_request(self, handle: str) -> None:
        """Tapping Requested takes the follow request back."""
        if handle in self.account.requested:
            self.account.requested.remove(handle)

    def toggle_like(self, code: str) -> None:
        """The heart: like or unlike."""
        likes = self.account.likes
        likes.remove(code) if code in likes else likes.append(code)

    def toggle_save(self, code: str) -> None:
        """The bookmark: save or unsave."""
        saves = self.account.saves
        saves.remove(code) if code in saves else saves.append(code)

    def tap_media(self, code: str) -> None:
        """A tap on a post's media; the second of two quick taps likes it (a double tap never unlikes)."""
        now = time.monotonic()
        last, self._last_media_tap = self._last_media_tap, (code, now)
        if last is not None and last[0] == code and now - last[1] <= DOUBLE_TAP_S:
            self._last_media_tap = None
            if code not in self.account.likes:
                self.account.likes.append(code)

    def comment(self, code: str, text: str) -> None:
        """A comment, seen by every phone that opens the post."""
        self.account.comments.setdefault(code, []).append(text)
        self.host.instagram_comments.setdefault(code, []).insert(0, (self.account.username, text))

    def publish(self, media: list[str], destination: str, caption: str) -> None:
        """Share: the post uploads in the background; the feed shows its progress."""
        account, now = self.account, self.host.clock()
        kinds = {MEDIA_KINDS.get(p[p.rfind(".") :].lower(), "video") for p in media}
        kind = {"story": "story", "reel": "reel"}.get(destination) or (
            "carousel" if len(media) > 1 else ("reel" if "video" in kinds else "photo")
        )
        number = sum(ord(c) for c in account.username) * 1000 + len(account.posts)
        code = "D" + "".join(_CODE_CHARS[(number // 62**i) % 62] for i in range(10))
        post = IgPost(code, kind, destination, caption, list(media))
        post.ready_at = now + SHARE_S * len(media) * self.host.time_scale
        account.posts.append(post)
        self.sharing, self.shared_notice = post, False
        self.stack = [Home()]

    # -- input -------------------------------------------------------------------------------------------------
    def before_input(self) -> None:
        """A touch or a key: the notice of a finished share goes away."""
        if self.shared_notice:
            self.sharing, self.shared_notice = None, False

    def state(self) -> dict:
        """The app as the farm's state shows it."""
        self.tick()
        return {
            "running": self.running,
            "screen": self.screen_name(),
            "dialog": self.dialog,
            "current_account": self.account.username,
            "accounts": {a.username: a.as_state() for a in self.accounts},
        }
