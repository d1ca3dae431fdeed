"""The `match_account` script's config: it needs nothing, so any object (even `{}`) will do; `app` (ours) says
which app's signed-in accounts it reads."""

from __future__ import annotations

from typing import Any

from service.requests.fields import read_object
from service.requests.files import FileCheck
from service.requests.scripts.normalised import APP_FIELD, Normalised


def normalise(path: str, raw: Any, files: FileCheck) -> Normalised:
    """An empty config; unknown keys are dropped like everywhere else."""
    reading = read_object(path, raw, {"app": APP_FIELD})
    reading.raise_first()
    return Normalised(config={}, app=reading.values.get("app"))
