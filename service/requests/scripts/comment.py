"""The `comment` script's config (docs/api.md, "comment"), and how a task picks its comment.

With `comment_order` "sequential", fan-out records in each task's config `comment_line`:
the 1-based line of `comment_content` that the n-th task of the request on a device uses
(line n, cycling). Lines are the non-blank lines of `comment_content`, trimmed.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec

from service.domain.apps import INSTAGRAM, WITH_ARTICLE
from service.errors import invalid
from service.requests import targets
from service.requests.fields import read_object
from service.requests.files import FileCheck
from service.requests.post_urls import app_of_url, is_post_url
from service.requests.scripts.normalised import APP_FIELD, Normalised, filled
from service.requests.spintax import resolve_spintax
from service.requests.values import array, boolean, choice, name, show, text


class CommentConfig(msgspec.Struct, kw_only=True, frozen=True):
    """A comment config without its targets (each task gets one in target_post_urls)."""

    comment_content: str = ""
    comment_order: str = "random"
    insert_emoji: bool = False
    comment_image_path: str = ""


FIELDS = {
    "target_post_urls": array(name(2048), targets.MAX_TARGETS),
    "target_post_url": targets.split,
    "comment_content": text,
    "comment_order": choice("random", "sequential"),
    "insert_emoji": boolean,
    "comment_image_path": text,
    "app": APP_FIELD,
}


def post_url(path: str, url: str) -> str:
    """A TikTok or Instagram post URL, as given (trimmed)."""
    if not is_post_url(url):
        raise invalid(f"{path} must be a TikTok or Instagram post URL, got {show(url)}")
    return url


def post_url_on(app: str | None, app_path: str):
    """The check of a target URL when script_config.app names `app`: the URL must be that app's."""

    def check(path: str, url: str) -> str:
        post_url(path, url)
        if app is not None and app_of_url(url) != app:
            raise invalid(f"{path} is {WITH_ARTICLE[app_of_url(url)]} post URL but {app_path} is {show(app)}")
        return url

    return check


def comment_lines(content: str) -> list[str]:
    """The comments of `comment_content`: its non-blank lines, trimmed."""
    return [line.strip() for line in content.splitlines() if line.strip()]


def pick_comment(config: Mapping[str, Any], rng: random.Random) -> str:
    """The comment a task posts: its `comment_line`, else a random line; spintax resolved."""
    lines = comment_lines(config["comment_content"])
    line = config.get("comment_line")
    chosen = lines[(line - 1) % len(lines)] if line else rng.choice(lines)
    return resolve_spintax(chosen, rng)


def normalise(path: str, raw: Any, files: FileCheck) -> Normalised:
    """The config made whole and its target URLs, or the first problem as a 40001."""
    reading = read_object(path, raw, FIELDS)
    app = reading.values.get("app")
    found = targets.choose(reading, path, "target_post_urls", "target_post_url", post_url_on(app, f"{path}.app"))
    upload = Path(files.policy.data_dir) / "upload"
    reading.recheck(
        "comment_image_path",
        lambda given: files.file(f"{path}.comment_image_path", given, upload) if given.strip() else "",
    )
    config = filled(CommentConfig, reading.values)
    on_instagram = app == INSTAGRAM or (app is None and any(app_of_url(url) == INSTAGRAM for url in found))
    if config["comment_image_path"] and on_instagram:
        reading.fail(
            reading.at("comment_image_path"),
            f"{path}.comment_image_path is TikTok only: a comment on Instagram cannot carry an image",
        )
    if not comment_lines(config["comment_content"]):
        reading.fail(
            reading.at("comment_content"),
            f"{path}.comment_content is required: one or more comments, one per line",
        )
    reading.raise_first()
    return Normalised(config=config, targets=found, app=app)
