"""account_warmup: watch videos like a person for `task_duration`, reacting with seeded probabilities.

The feed is the For You feed, or with `topic` the videos of one topic (a line picked at random)
found by search; when that list runs out, the For You feed follows. Each video is one step:
swipe (from the second on), watch a random time in [min_duration, max_duration] (clock.sleep,
scaled by --time-scale), then like / follow the creator / favourite / comment, each when its
draw (percent, from ctx.rng) says so. The draws happen for every video in the same order,
so a run replays from its seed. Watching stops when the watch times add up to task_duration.
An action the account may not do now (its daily limit reached, outside its working hours) is
skipped, and the step says so; the watching goes on.

On Instagram the feed is the home feed for the first half of task_duration and the Reels tab for the
second (without a topic); likes are double taps on the media, "favourite" is Save, and following the
creator goes through their profile.
"""

from __future__ import annotations

from typing import Any

from devices.scripts.base import ScriptContext
from devices.scripts.chatgpt import generate_comment
from devices.scripts.texts import TemplateComments, lines_of, with_emoji
from service.domain.apps import INSTAGRAM, TIKTOK

ACTIONS = ("like_probable", "floow_probable", "collect_probable", "comment_probable")


class AccountWarmupScript:
    """Steps open-feed, then watch-video once per video."""

    name = "account_warmup"

    def planned_steps(self, config: dict[str, Any], app: str = TIKTOK) -> int:
        """Depends on the random watch times."""
        return 0

    async def run(self, ctx: ScriptContext) -> None:
        """Watch and react until the watch times reach task_duration."""
        config, rng, feed = ctx.config, ctx.rng, ctx.ui.feed
        topics = lines_of(config.get("topic", ""))
        topic = rng.choice(topics) if topics else None
        templates = TemplateComments(
            config.get("comment", ""), config.get("comment_order", "random"), bool(config.get("insert_emoji")), rng
        )

        async def open_feed() -> str:
            if topic:
                await feed.open_topic(topic)
                return f"searched {topic!r}"
            await feed.open_for_you()
            return "opened the home feed" if ctx.app == INSTAGRAM else "opened the For You feed"

        async def open_reels() -> str:
            await feed.open_reels()
            return "opened the Reels tab"

        async def comment_text(caption: str) -> str | None:
            if config.get("generate_by_chatgpt"):
                text = await generate_comment(
                    config.get("chatgpt_settings") or {}, ctx.secrets.get("chatgpt_api_key", ""), caption
                )
                return with_emoji(text, rng) if config.get("insert_emoji") else text
            return templates.next()

        def allowed(action: str, done: list[str]) -> bool:
            refusal = ctx.refusal(action)
            if refusal is not None:
                done.append(f"no {action} ({refusal})")
            return refusal is None

        await ctx.step("open-feed", open_feed)
        low, high = float(config.get("min_duration", 15)), float(config.get("max_duration", 30))
        remaining = float(config.get("task_duration", 600))
        reels_after = remaining / 2 if ctx.app == INSTAGRAM and not topic else None  # then the Reels tab
        number = 0
        while remaining > 0:
            if reels_after is not None and remaining <= reels_after:
                await ctx.step("open-reels", open_reels)
                reels_after, number = None, 0
            number += 1
            watch = min(rng.uniform(low, high), remaining)
            like, follow, collect, comment = (rng.random() * 100 < float(config.get(key, 0)) for key in ACTIONS)

            async def one(
                number: int = number,
                watch: float = watch,
                like: bool = like,
                follow: bool = follow,
                collect: bool = collect,
                comment: bool = comment,
            ) -> str:
                if number > 1 and not await feed.next_video():
                    await feed.open_for_you()  # the topic's list ran out
                video = await feed.current_video()
                await ctx.clock.sleep(watch)
                done = []
                like, follow, collect, comment = (
                    drawn and allowed(action, done)
                    for drawn, action in (
                        (like, "like"),
                        (follow, "follow"),
                        (collect, "collect"),
                        (comment, "comment"),
                    )
                )
                if like and await feed.like():
                    ctx.did("like")
                    done.append("liked")
                if follow and await feed.follow_creator():
                    ctx.did("follow")
                    done.append(f"followed @{video.author}")
                if collect and await feed.favourite():
                    ctx.did("collect")
                    done.append("saved" if ctx.app == INSTAGRAM else "favourited")
                if comment:
                    text = await comment_text(video.caption)
                    if text is None:
                        done.append("no comment (no templates)")
                    else:
                        await ctx.ui.comments.write(text)
                        ctx.did("comment")
                        done.append(f"commented {text!r}")
                by = f" by @{video.author}" if video.author else ""
                return f"watched video {number}{by} for {watch:.0f} s" + "".join(", " + d for d in done)

            await ctx.step("watch-video", one)
            remaining -= watch
