"""What a script's normalisation returns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import msgspec


class Normalised(msgspec.Struct, kw_only=True, frozen=True):
    """A script_config made whole: defaults filled in, targets and secrets set apart.

    `config` holds no target and shows each secret as "***"; `secrets` maps a secret's
    name to its value.
    """

    config: dict[str, Any]
    targets: tuple[str, ...] = ()
    secrets: dict[str, str] = {}

    def __repr__(self) -> str:
        hidden = {key: "***" for key in self.secrets}
        return f"Normalised(config={self.config!r}, targets={self.targets!r}, secrets={hidden!r})"


def filled(shape: type[msgspec.Struct], values: Mapping[str, Any]) -> dict[str, Any]:
    """The values that are fields of `shape`, with its defaults for the rest, in its order."""
    known = shape.__struct_fields__
    return msgspec.structs.asdict(shape(**{k: v for k, v in values.items() if k in known}))
