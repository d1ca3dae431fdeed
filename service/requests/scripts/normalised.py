"""What a script's normalisation returns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec

from service.domain.apps import APPS
from service.requests.values import choice

APP_FIELD = choice(*APPS)  # script_config.app (ours): which app the task runs on


class Normalised(msgspec.Struct, kw_only=True, frozen=True):
    """A script_config made whole: defaults filled in, targets and secrets set apart.

    `config` holds no target and shows each secret as "***"; `secrets` maps a secret's
    name to its value; `app` is the app the config itself names (`app`, or an option only one
    app has, such as Instagram's `placement`), None when it names none.
    """

    config: dict[str, Any]
    targets: tuple[str, ...] = ()
    secrets: dict[str, str] = {}
    app: str | None = None

    def __repr__(self) -> str:
        hidden = {key: "***" for key in self.secrets}
        return f"Normalised(config={self.config!r}, targets={self.targets!r}, secrets={hidden!r}, app={self.app!r})"


def filled(shape: type[msgspec.Struct], values: Mapping[str, Any]) -> dict[str, Any]:
    """The values that are fields of `shape`, with its defaults for the rest, in its order."""
    known = shape.__struct_fields__
    return msgspec.structs.asdict(shape(**{k: v for k, v in values.items() if k in known}))
