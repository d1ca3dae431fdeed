"""An Instagram account signed in on a phone, and what it did there."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class IgPost:
    """A post the account shared: a photo, a carousel, a reel or a story."""

    code: str
    kind: str  # photo, carousel, reel, story
    placement: str  # feed, reel or story: where it was shared
    caption: str
    media: list[str]
    status: str = "uploading"
    ready_at: float = 0.0

    def as_state(self) -> dict[str, Any]:
        """The post as the farm's state shows it."""
        return {
            "code": self.code,
            "kind": self.kind,
            "placement": self.placement,
            "caption": self.caption,
            "media": list(self.media),
            "status": self.status,
        }


@dataclass(slots=True)
class IgAccount:
    """One signed-in Instagram account: follows, follow requests, posts, comments, likes, saves, views, searches."""

    username: str
    follows: list[str] = field(default_factory=list)
    requested: list[str] = field(default_factory=list)
    follow_times: list[float] = field(default_factory=list)
    posts: list[IgPost] = field(default_factory=list)
    comments: dict[str, list[str]] = field(default_factory=dict)
    likes: list[str] = field(default_factory=list)
    saves: list[str] = field(default_factory=list)
    views: list[str] = field(default_factory=list)
    searches: list[str] = field(default_factory=list)

    def as_state(self) -> dict[str, Any]:
        """The account as the farm's state shows it."""
        return {
            "username": self.username,
            "follows": list(self.follows),
            "requested": list(self.requested),
            "posts": [p.as_state() for p in self.posts],
            "comments": {code: list(texts) for code, texts in self.comments.items()},
            "likes": list(self.likes),
            "saves": list(self.saves),
            "views": list(self.views),
            "searches": list(self.searches),
        }
