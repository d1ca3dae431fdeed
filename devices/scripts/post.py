"""post: media onto the phone, into the editor by the chosen post way, sound, caption, Post, upload.

Our reading of the options where the vendor is silent (docs/api.md, "post"): add_sound -1 (default) and 0 (off) add no
sound; 1 adds a recommended sound (one drawn with ctx.rng); `custom` searches
custom_sound_keyword and takes the best match. With post_way `useSound` the post uses
sound_name's sound and add_sound is not applied on top. The volumes are set in the editor's
Volume panel whenever the post has an added sound, or origin_sound_volume is not 50.
`placement` is Instagram's and is ignored on TikTok.

On Instagram (docs/instagram.md): placement `story` shares to the story; otherwise a video becomes a reel and
photos a post (a carousel when image_count > 1). The sound options, post_way and add_product_link are TikTok's
and are not applied there; the steps are pick-material, push-media, open-editor, caption, publish, wait-upload.
"""

from __future__ import annotations

from typing import Any

from devices.scripts.base import ScriptContext
from devices.scripts.post_media import choose_media, wanted
from devices.ui.instagram.create import destination
from service.domain.apps import INSTAGRAM, TIKTOK
from service.requests.spintax import resolve_spintax

MEDIA_FOLDER = "/sdcard/DCIM/droidledger"


def adds_sound(config: dict[str, Any]) -> bool:
    """Whether the post gets a sound besides its own."""
    return config.get("post_way") == "useSound" or str(config.get("add_sound", "-1")) in ("1", "custom")


def has_sound_step(config: dict[str, Any]) -> bool:
    """Whether the run has a `sound` step (a sound to add or volumes to set)."""
    return adds_sound(config) or int(config.get("origin_sound_volume", 50)) != 50


class PostScript:
    """Steps pick-material, push-media, open-editor, [sound], caption, publish, wait-upload."""

    name = "post"

    def planned_steps(self, config: dict[str, Any], app: str = TIKTOK) -> int:
        """Six steps, seven with a sound step (TikTok)."""
        return 7 if app == TIKTOK and has_sound_step(config) else 6

    async def run(self, ctx: ScriptContext) -> None:
        """Post the material with the resolved caption and wait for the upload."""
        if ctx.app == INSTAGRAM:
            await share_on_instagram(ctx)
            return
        config, ui = ctx.config, ctx.ui
        kind, _ = wanted(config)
        way = config.get("post_way", "share")
        caption = resolve_spintax(str(config.get("captions", "")), ctx.rng)
        files: list[Any] = []
        remotes: list[str] = []
        sound: list[str] = []

        async def pick() -> str:
            chosen, source = await choose_media(ctx)
            files.extend(chosen)
            return f"picked {', '.join(f.name for f in chosen)} from {source}"

        async def push() -> str:
            remotes.extend(await ui.media.push(files, f"t{ctx.task_id}_", MEDIA_FOLDER))
            return f"pushed {len(remotes)} file{'s' if len(remotes) > 1 else ''} to {MEDIA_FOLDER}"

        async def open_editor() -> str:
            if way == "share":
                await ui.create.open_editor_by_share(remotes, kind)
                return f"shared {len(remotes)} {kind}{'s' if len(remotes) > 1 else ''} to TikTok"
            if way == "useSound":
                sound.append(await ui.sounds.open_page(str(config.get("sound_name", ""))))
            else:
                await ui.create.open_camera()
            await ui.create.open_editor_from_gallery(remotes)
            how = f"used the sound {sound[0]!r}" if sound else "tapped +"
            return f"{how}, picked {len(remotes)} from the gallery"

        async def add_sound() -> str:
            mode = str(config.get("add_sound", "-1"))
            if way != "useSound" and mode in ("1", "custom"):
                keyword = str(config.get("custom_sound_keyword", "")) if mode == "custom" else None
                sound.append(
                    await ui.sounds.add(keyword, float(config.get("sound_wait_time", 10)), pick=ctx.rng.randrange)
                )
            added = int(config.get("add_sound_volume", 50)) if sound else None
            volumes = await ui.sounds.set_volumes(int(config.get("origin_sound_volume", 50)), added)
            what = f"sound {sound[0]!r}" if sound else "no added sound"
            return f"{what}; volume {volumes}"

        async def write() -> str:
            await ui.create.to_composer()
            if caption:
                await ui.create.write_caption(caption)
            link = int(config.get("add_product_link", 0)) == 1
            await ui.create.set_product_link(link)
            return (f"caption {caption!r}" if caption else "no caption") + ("; product link on" if link else "")

        async def publish() -> str:
            await ui.create.publish()
            ctx.did("post")  # sent: the platform has it, even if the upload fails later
            return "tapped Post"

        async def wait_upload() -> str:
            return await ui.create.wait_upload(float(config.get("upload_wait_time", 30)), caption)

        await ctx.step("pick-material", pick)
        await ctx.step("push-media", push)
        await ctx.step("open-editor", open_editor)
        if has_sound_step(config):
            await ctx.step("sound", add_sound)
        await ctx.step("caption", write)
        await ctx.step("publish", publish)
        await ctx.step("wait-upload", wait_upload)


async def share_on_instagram(ctx: ScriptContext) -> None:
    """Instagram's post: the gallery on POST, REEL or STORY, the files, Next, the caption, Share, the upload."""
    config, ui = ctx.config, ctx.ui
    kind, _ = wanted(config)
    caption = resolve_spintax(str(config.get("captions", "")), ctx.rng)
    placement = str(config.get("placement", "reel"))
    files: list[Any] = []
    remotes: list[str] = []
    where: list[str] = []

    async def pick() -> str:
        chosen, source = await choose_media(ctx)
        files.extend(chosen)
        return f"picked {', '.join(f.name for f in chosen)} from {source}"

    async def push() -> str:
        remotes.extend(await ui.media.push(files, f"t{ctx.task_id}_", MEDIA_FOLDER))
        return f"pushed {len(remotes)} file{'s' if len(remotes) > 1 else ''} to {MEDIA_FOLDER}"

    async def open_editor() -> str:
        where.append(destination(kind, len(remotes), placement))
        await ui.create.open_gallery(where[0])
        await ui.create.pick(len(remotes))
        if where[0] != "story":
            await ui.create.to_caption()
        what = "a photo" if kind == "image" else "a video"
        if where[0] == "post" and len(remotes) > 1:
            what = "a carousel"
        return f"{what} of {len(remotes)} file{'s' if len(remotes) > 1 else ''} on the {where[0].upper()} tab"

    async def write() -> str:
        if where[0] == "story":
            return "no caption (a story has none)" if caption else "no caption"
        if caption:
            await ui.create.write_caption(caption)
        return f"caption {caption!r}" if caption else "no caption"

    async def publish() -> str:
        await ui.create.share(story=where[0] == "story")
        ctx.did("post")  # sent: the platform has it, even if the upload fails later
        return "tapped Your story" if where[0] == "story" else "tapped Share"

    async def wait_upload() -> str:
        return await ui.create.wait_upload(float(config.get("upload_wait_time", 30)))

    await ctx.step("pick-material", pick)
    await ctx.step("push-media", push)
    await ctx.step("open-editor", open_editor)
    await ctx.step("caption", write)
    await ctx.step("publish", publish)
    await ctx.step("wait-upload", wait_upload)
