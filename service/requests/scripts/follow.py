"""The `follow` and `unfollow` scripts' config (docs/api.md, "follow and unfollow")."""

from __future__ import annotations

from typing import Any

import msgspec

from service.requests import targets
from service.requests.fields import read_object
from service.requests.files import FileCheck
from service.requests.scripts.normalised import APP_FIELD, Normalised, filled
from service.requests.values import choice


class FollowConfig(msgspec.Struct, kw_only=True, frozen=True):
    """A follow or unfollow config without its targets (each task gets one in target_users)."""

    access_method: str = "direct"


FIELDS = {
    "target_users": targets.users,
    "target_user": targets.split,
    "target_username": targets.split,
    "access_method": choice("direct", "search"),
    "app": APP_FIELD,
}
ALIASES = {"target_username": "target_user"}


def normalise(path: str, raw: Any, files: FileCheck) -> Normalised:
    """The config made whole and its target users, or the first problem as a 40001."""
    reading = read_object(path, raw, FIELDS, ALIASES)
    found = targets.choose(reading, path, "target_users", "target_user", targets.user)
    reading.raise_first()
    return Normalised(config=filled(FollowConfig, reading.values), targets=found, app=reading.values.get("app"))
