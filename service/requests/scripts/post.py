"""The `post` script's config (docs/api.md, "post")."""

from __future__ import annotations

from typing import Any

import msgspec

from service.domain.apps import INSTAGRAM, TIKTOK
from service.errors import invalid
from service.requests.fields import read_object
from service.requests.files import FileCheck
from service.requests.scripts.normalised import APP_FIELD, Normalised
from service.requests.values import array, choice, int_choice, integer, name, show, text

MAX_MATERIALS = 1_000
_SECONDS = integer(0, 86_400)
_PERCENT = integer(0, 100)


class PostConfig(msgspec.Struct, kw_only=True, frozen=True):
    """A post's normalised config; paths are resolved and absolute."""

    content_type: int = 0
    image_count: int = 1
    captions: str = ""
    post_way: str = "share"
    material_source: str = "materialLibrary"
    material_path: str = ""
    material_list: list[str] = []
    materials_tags: str = ""
    upload_wait_time: int = 30
    sound_wait_time: int = 10
    add_sound: str = "-1"
    sound_name: str = ""
    custom_sound_keyword: str = ""
    origin_sound_volume: int = 50
    add_sound_volume: int = 50
    add_product_link: int = 0
    placement: str = "reel"


def add_sound(path: str, value: Any) -> str:
    """-1, 0, 1 (as a number or a string) or "custom"; kept as a string."""
    if value in (-1, 0, 1) and not isinstance(value, bool):
        return str(int(value))
    if value in ("-1", "0", "1", "custom"):
        return value
    raise invalid(f'{path} must be -1, 0, 1 or "custom", got {show(value)}')


FIELDS = {
    "content_type": int_choice(0, 1),
    "image_count": integer(1),
    "captions": text,
    "post_way": choice("share", "addButton", "useSound"),
    "material_source": choice("materialLibrary", "localFolder"),
    "material_path": text,
    "material_list": array(name(4096), MAX_MATERIALS),
    "materials_tags": text,
    "upload_wait_time": _SECONDS,
    "sound_wait_time": _SECONDS,
    "add_sound": add_sound,
    "sound_name": text,
    "custom_sound_keyword": text,
    "origin_sound_volume": _PERCENT,
    "add_sound_volume": _PERCENT,
    "add_product_link": int_choice(0, 1),
    "placement": choice("reel", "story"),
    "app": APP_FIELD,
}


def normalise(path: str, raw: Any, files: FileCheck) -> Normalised:
    """The post config made whole, or the first problem in body order as a 40001."""
    reading = read_object(path, raw, FIELDS)
    data_dir = files.policy.data_dir
    reading.recheck(
        "material_list",
        lambda found: [
            files.file(f"{path}.material_list[{index}]", given, data_dir) for index, given in enumerate(found)
        ],
    )
    reading.recheck(
        "material_path",
        lambda given: files.folder(f"{path}.material_path", given, data_dir) if given.strip() else "",
    )
    app = reading.values.pop("app", None)
    config = PostConfig(**reading.values)
    if app == TIKTOK and "placement" in reading.values:
        reading.fail(reading.at("app", "placement"), f'{path}.placement is Instagram only, but {path}.app is "tiktok"')
    if config.add_product_link == 1 and (app == INSTAGRAM or (app is None and "placement" in reading.values)):
        reading.fail(
            reading.at("add_product_link", "app", "placement"),
            f"{path}.add_product_link is TikTok only: an Instagram post has no product link",
        )
    if config.post_way == "useSound" and not config.sound_name.strip():
        reading.fail(
            reading.at("post_way", "sound_name"),
            f'{path}.sound_name is required when post_way is "useSound"',
        )
    if config.add_sound == "custom" and not config.custom_sound_keyword.strip():
        reading.fail(
            reading.at("add_sound", "custom_sound_keyword"),
            f'{path}.custom_sound_keyword is required when add_sound is "custom"',
        )
    uses_folder = config.material_source == "localFolder" and not config.material_list
    if uses_folder and not config.material_path.strip():
        reading.fail(
            reading.at("material_source", "material_path", "material_list"),
            f'{path}.material_path is required when material_source is "localFolder" and material_list is empty',
        )
    reading.raise_first()
    implied = INSTAGRAM if "placement" in reading.values else None
    return Normalised(config=msgspec.structs.asdict(config), app=app or implied)
