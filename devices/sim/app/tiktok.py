"""The TikTok-like app: a back stack of screens, the signed-in accounts, text input, intents, timers and overlays."""

from __future__ import annotations

from devices.sim.app import links, overlays
from devices.sim.app.account import Account, Post
from devices.sim.app.create_screens import Camera, Editor, Gallery, SoundPage, publish_duration
from devices.sim.app.host import MEDIA_KINDS, AppHost
from devices.sim.app.own_screens import FriendsPage, Inbox, OwnProfile
from devices.sim.app.people_screens import Search, UserProfile
from devices.sim.app.screen import Draft, Screen
from devices.sim.app.screen_stack import ScreenStackApp
from devices.sim.app.ui import ACTIVITIES, PACKAGE, UI
from devices.sim.app.video_screens import Detail, Feed, Player
from devices.sim.app.watch_time import WatchTime
from devices.sim.app.world import Sound, Video, clean_handle, video_id
from devices.sim.hierarchy import Node
from devices.sim.window_frame import activity_window


class TikTokApp(ScreenStackApp):
    """The app's process: alive or not, its back stack, its accounts, and what is drawn over it."""

    package = PACKAGE

    def __init__(self, host: AppHost, accounts: list[Account]) -> None:
        self.host = host
        self.accounts = accounts
        self.current = 0
        self.running = False
        self.stack: list[Screen] = []
        self.dialog: str | None = None
        self.toast: str | None = None
        self.last_toast: str | None = None
        self.uploading: Post | None = None
        self.upload_started = 0.0
        self.upload_done = False
        self.watch_time = WatchTime(host.clock, host.time_scale)
        self.visible = False
        self.upload_lost = False

    # -- what the phone and the screens read -------------------------------------------------------------
    @property
    def ui(self) -> UI:
        """Labels and ids of this phone's language and app version."""
        return self.host.ui

    @property
    def seed(self) -> int:
        """The farm's seed (feeds are derived from it)."""
        return self.host.seed

    @property
    def animating(self) -> bool:
        """Whether the drawing changes with time alone (an upload or a sound loading)."""
        return (self.uploading is not None and not self.upload_done) or any(
            getattr(s, "draft", None) is not None and s.draft.loading_sound for s in self.stack
        )

    def activity(self) -> str:
        """The activity of the front screen."""
        return ACTIVITIES[self.top.activity] if self.stack else ACTIVITIES["main"]

    def windows(self) -> list[Node]:
        """The app window and what is drawn over it."""
        nodes: list[Node] = []
        for screen in self.stack[self._base_index() :]:
            nodes.extend(screen.render(self))
        window = activity_window(PACKAGE, [self.ui.node("content", (0, 0, 1080, 2400), children=nodes)])
        return [window, *overlays.render(self)]

    # -- lifecycle ------------------------------------------------------------------------------------
    def launch(self) -> None:
        """Start the app (or bring it back with its back stack, as the launcher does)."""
        if not self.running:
            self.running = True
            self.stack = [Feed()]
            if self.upload_lost:
                self.show_toast(self.ui.s("upload_failed"))
                self.upload_lost = False
        self.visible = True
        self.sync_view()

    def stop(self) -> None:
        """Kill the process: the back stack and dialogs are lost; an unfinished upload fails (said at next launch)."""
        self.visible = False
        self.sync_view()
        if self.uploading is not None and not self.upload_done:
            self.uploading.status, self.upload_lost = "failed", True
        self.running, self.stack, self.dialog, self.toast, self.uploading = False, [], None, None, None

    def tick(self) -> bool:
        """Apply what time alone changes; returns whether anything did."""
        now, changed = self.host.clock(), False
        if self.uploading is not None and not self.upload_done and now >= self.uploading.ready_at:
            self.uploading.status, self.upload_done, changed = "published", True, True
        for screen in self.stack:
            draft = getattr(screen, "draft", None)
            if draft is not None and draft.loading_sound and now >= draft.sound_ready_at:
                draft.sound, draft.loading_sound, changed = draft.loading_sound, None, True
        return changed

    # -- navigation -------------------------------------------------------------------------------------
    def open_tab(self, tab: str) -> None:
        """A bottom-bar tab."""
        if tab == "create":
            self.push(Camera(draft=Draft(media=[])))
            return
        pages = {"home": [], "friends": [FriendsPage()], "inbox": [Inbox()], "profile": [OwnProfile()]}
        self.stack = [Feed(), *pages[tab]]
        self.sync_view()

    def open_profile(self, handle: str) -> None:
        """A user's profile (one's own opens the Profile tab)."""
        handle = clean_handle(handle)
        self.push(OwnProfile() if handle == self.account.username else UserProfile(handle=handle))

    def open_video(self, videos: list[Video], index: int = 0) -> None:
        """A video player over a list of videos (swipe for the others)."""
        self.push(Detail(videos=videos, index=index))

    def open_search(self) -> None:
        """The search page, its input focused."""
        self.push(Search(fields={"query": ""}, focus="query"))

    def open_sound_page(self, sound: Sound) -> None:
        """A sound's page (Use this sound)."""
        self.push(SoundPage(sound=sound))

    def pick_comment_image(self, comment_sheet: Screen) -> None:
        """The gallery, to attach one image to a comment."""
        self.push(Gallery(draft=Draft(media=[]), for_comment=comment_sheet))

    def open_url(self, url: str) -> None:
        """A VIEW intent for a TikTok link (the app is running): profile, video, short link or sound page."""
        screen = links.screen_for(url, self.account.username)
        if screen is not None:
            self.push(screen)

    def open_shared_media(self, paths: list[str]) -> None:
        """A SEND intent from the gallery (the app is running): the editor opens with those files."""
        missing = [p for p in paths if not self.host.file_exists(p)]
        if missing or not paths:
            self.show_toast(self.ui.s("media_missing"))
            return
        self.push(Editor(draft=Draft(media=list(paths))))

    # -- accounts and social actions ---------------------------------------------------------------------
    def switch_account(self, username: str) -> None:
        """Make another signed-in account current; its profile shows."""
        names = [a.username for a in self.accounts]
        self.watch_time.stop(self.account)
        self.current = names.index(username)
        self.stack = [Feed(), OwnProfile()]
        self.sync_view()

    def follow_label(self, handle: str) -> str:
        """Follow, Following, or Friends when the follow is mutual."""
        if handle not in self.account.follows:
            return self.ui.s("follow")
        return self.ui.s(
            "friends_mutual" if self.host.directory.follows_back(handle, self.account.username) else "following"
        )

    def follow(self, handle: str) -> None:
        """Follow a user, unless the rate limit of follows per minute is reached (a toast), or the
        action-block threshold (a dialog)."""
        account, now = self.account, self.host.clock()
        if handle in account.follows or handle == account.username:
            return
        limit, block = self.host.ratelimit(), self.host.actionblock()
        if limit or block:
            window = 60.0 * self.host.time_scale
            account.follow_times = [t for t in account.follow_times if now - t < window]
            if limit and len(account.follow_times) >= limit:
                self.show_toast(self.ui.s("rate_limited"))
                return
            if block and len(account.follow_times) >= block:
                self.interrupt("blocked")
                return
        account.follows.append(handle)
        account.follow_times.append(now)

    def unfollow(self, handle: str) -> None:
        """Stop following a user."""
        if handle in self.account.follows:
            self.account.follows.remove(handle)

    def toggle(self, collection: list[str], video_id_: str) -> None:
        """Like/unlike or favourite/unfavourite."""
        if video_id_ in collection:
            collection.remove(video_id_)
        else:
            collection.append(video_id_)

    def publish(self, draft: Draft, caption: str) -> None:
        """Post: the upload runs in the background, the feed shows its progress."""
        account, now = self.account, self.host.clock()
        kinds = {MEDIA_KINDS.get(p[p.rfind(".") :].lower(), "video") for p in draft.media}
        post = Post(
            video_id(self.seed, account.username, "post", len(account.posts)),
            caption,
            list(draft.media),
            "video" if "video" in kinds else "photo",
            draft.sound,
            draft.original_volume,
            draft.added_volume if draft.sound else 0,
            draft.product_link,
        )
        post.ready_at = now + publish_duration(len(draft.media)) * self.host.time_scale
        account.posts.append(post)
        self.uploading, self.upload_started, self.upload_done = post, now, False
        self.stack = [Feed()]
        self.sync_view()

    # -- input ---------------------------------------------------------------------------------------
    def before_input(self) -> None:
        """A new touch or key: a finished upload notice and a toast go away."""
        self.toast = None
        if self.upload_done:
            self.uploading, self.upload_done = None, False

    def show_toast(self, text: str) -> None:
        """A message over the app until the next touch."""
        self.toast = self.last_toast = text

    # -- watch time ------------------------------------------------------------------------------------
    def sync_view(self) -> None:
        """Tell the watch time which video shows now (none when hidden or on another screen), and if it plays."""
        showing, playing = None, False
        if self.visible and self.stack:
            base = self.stack[self._base_index()]
            if isinstance(base, Player):
                showing, playing = base.current(self), not base.paused
        self.watch_time.showing(showing, self.account, playing)
