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

from service.errors import invalid
from service.requests import targets
from service.requests.fields import read_object
from service.requests.files import FileCheck
from service.requests.post_urls import is_post_url
from service.requests.scripts.normalised import Normalised, filled
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
}


def post_url(path: str, url: str) -> str:
    """A TikTok or Instagram post URL, as given (trimmed)."""
    if not is_post_url(url):
        raise invalid(f"{path} must be a TikTok or Instagram post URL, got {show(url)}")
    return url


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
    found = targets.choose(reading, path, "target_post_urls", "target_post_url", post_url)
    upload = Path(files.policy.data_dir) / "upload"
    reading.recheck(
        "comment_image_path",
        lambda given: files.file(f"{path}.comment_image_path", given, upload)
        if given.strip()
        else "",
    )
    config = filled(CommentConfig, reading.values)
    if not comment_lines(config["comment_content"]):
        reading.fail(
            reading.at("comment_content"),
            f"{path}.comment_content is required: one or more comments, one per line",
        )
    reading.raise_first()
    return Normalised(config=config, targets=found)

