"""The scripts the API knows: one module per supported script, each with its config Struct
and `normalise(path, raw, files) -> Normalised`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from service.requests.files import FileCheck
from service.requests.scripts import account_warmup, comment, follow, match_account, post
from service.requests.scripts.normalised import Normalised

Normaliser = Callable[[str, Any, FileCheck], Normalised]

SUPPORTED: dict[str, Normaliser] = {
    "post": post.normalise,
    "follow": follow.normalise,
    "unfollow": follow.normalise,
    "account_warmup": account_warmup.normalise,
    "comment": comment.normalise,
    "match_account": match_account.normalise,
}
COMING_SOON = frozenset({"like", "message", "super_marketing", "profile", "scrape_user"})

# The key under which each task of a script with targets carries its single target.
TARGET_KEYS = {"follow": "target_users", "unfollow": "target_users", "comment": "target_post_urls"}

__all__ = ["COMING_SOON", "SUPPORTED", "TARGET_KEYS", "Normalised", "Normaliser"]
