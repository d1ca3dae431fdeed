"""comment: open the target post by URL (a TikTok video, an Instagram post or reel), attach an image if asked
(TikTok only), write the comment."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from devices.errors import ScriptFailed
from devices.scripts.base import ScriptContext
from devices.scripts.texts import with_emoji
from service.domain.apps import TIKTOK
from service.requests.scripts.comment import pick_comment

IMAGE_FOLDER = "/sdcard/Pictures/droidledger"


def target_url(config: dict[str, Any]) -> str:
    """The task's single post URL."""
    urls = [u for u in config.get("target_post_urls") or [] if str(u).strip()]
    if not urls:
        raise ScriptFailed("the task names no post URL")
    return str(urls[0]).strip()


def image_path(config: dict[str, Any], data_dir: Path) -> Path | None:
    """The image to attach: absolute, or relative to <data-dir>/upload/."""
    given = str(config.get("comment_image_path") or "").strip()
    if not given:
        return None
    path = Path(given)
    return path if path.is_absolute() else data_dir / "upload" / path


class CommentScript:
    """Steps open-post, [push-image], comment."""

    name = "comment"

    def planned_steps(self, config: dict[str, Any], app: str = TIKTOK) -> int:
        """Two steps, three with an image."""
        return 3 if str(config.get("comment_image_path") or "").strip() else 2

    async def run(self, ctx: ScriptContext) -> None:
        """The line is the task's `comment_line` (sequential) or a random one, spintax resolved, emoji added."""
        url = target_url(ctx.config)
        text = pick_comment(ctx.config, ctx.rng)
        if ctx.config.get("insert_emoji"):
            text = with_emoji(text, ctx.rng)
        image = image_path(ctx.config, ctx.data_dir)
        remote: list[str] = []

        async def open_post() -> str:
            await ctx.ui.feed.open_post(url)
            return f"opened {url}"

        async def push_image() -> str:
            assert image is not None
            if not image.is_file():
                raise ScriptFailed(f"the comment image {image} does not exist")
            remote.extend(await ctx.ui.media.push([image], f"t{ctx.task_id}_", IMAGE_FOLDER))
            return f"pushed {image.name} to {remote[0]}"

        async def comment() -> str:
            await ctx.ui.comments.write(text, image=remote[0] if remote else None)
            ctx.did("comment")
            return f"commented {text!r}" + (" with an image" if remote else "")

        await ctx.step("open-post", open_post)
        if image is not None:
            await ctx.step("push-image", push_image)
        await ctx.step("comment", comment)
