"""The `match_account` script's config: it needs nothing, so any object (even `{}`) will do."""

from __future__ import annotations

from typing import Any

from service.requests.fields import read_object
from service.requests.files import FileCheck
from service.requests.scripts.normalised import Normalised


def normalise(path: str, raw: Any, files: FileCheck) -> Normalised:
    """An empty config; unknown keys are dropped like everywhere else."""
    read_object(path, raw, {})
    return Normalised(config={})
