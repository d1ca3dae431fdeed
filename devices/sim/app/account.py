"""Signed-in accounts and what they did, plus the farm-wide directory that lets phones see each other's accounts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Post:
    """A post made from the create flow."""

    id: str
    caption: str
    media: list[str]
    kind: str
    sound: str | None
    original_volume: int
    added_volume: int
    product_link: bool
    status: str = "uploading"
    ready_at: float = 0.0

    def as_state(self) -> dict[str, Any]:
        """The post as the farm's state shows it."""
        return {
            "id": self.id,
            "caption": self.caption,
            "media": list(self.media),
            "kind": self.kind,
            "sound": self.sound,
            "original_volume": self.original_volume,
            "added_volume": self.added_volume,
            "product_link": self.product_link,
            "status": self.status,
        }


@dataclass(slots=True)
class Comment:
    """A comment written on a video."""

    author: str
    text: str
    image: str | None = None


@dataclass(slots=True)
class Account:
    """One signed-in account: who it follows, what it posted, commented, liked, favourited, watched, searched."""

    username: str
    follows: list[str] = field(default_factory=list)
    follow_times: list[float] = field(default_factory=list)
    posts: list[Post] = field(default_factory=list)
    comments: dict[str, list[Comment]] = field(default_factory=dict)
    likes: list[str] = field(default_factory=list)
    favourites: list[str] = field(default_factory=list)
    views: list[dict[str, Any]] = field(default_factory=list)
    searches: list[str] = field(default_factory=list)

    def as_state(self) -> dict[str, Any]:
        """The account as the farm's state shows it."""
        return {
            "username": self.username,
            "follows": list(self.follows),
            "posts": [p.as_state() for p in self.posts],
            "comments": {vid: [{"text": c.text, "image": c.image} for c in cs] for vid, cs in self.comments.items()},
            "likes": list(self.likes),
            "favourites": list(self.favourites),
            "views": [dict(v) for v in self.views],
            "searches": list(self.searches),
        }


class Directory:
    """Every account of the farm and every comment written, so one phone's app sees what others did."""

    def __init__(self) -> None:
        self.accounts: dict[str, Account] = {}
        self.comments: dict[str, list[Comment]] = {}

    def add(self, account: Account) -> None:
        """Register a signed-in account."""
        self.accounts[account.username] = account

    def follows_back(self, handle: str, me: str) -> bool:
        """Whether `handle` is a farm account following `me` (so the button reads Friends)."""
        other = self.accounts.get(handle)
        return other is not None and me in other.follows

    def followers_in_farm(self, handle: str) -> int:
        """How many farm accounts follow `handle`."""
        return sum(handle in a.follows for a in self.accounts.values())

    def published_posts(self, handle: str) -> list[Post]:
        """The published posts of a farm account, newest first."""
        account = self.accounts.get(handle)
        return [p for p in reversed(account.posts) if p.status == "published"] if account else []

    def record_comment(self, video_id: str, comment: Comment) -> None:
        """Make a comment visible to every phone opening that video."""
        self.comments.setdefault(video_id, []).append(comment)
