"""The post script's config: defaults, choices, ranges, conditional requirements."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.errors import ApiError
from service.requests import FilePolicy, parse_create_task
from tests.support.script_configs import POST_DEFAULTS as DEFAULTS


@pytest.fixture
def policy(tmp_path: Path) -> FilePolicy:
    (tmp_path / "clips").mkdir()
    (tmp_path / "clips" / "a.mp4").write_bytes(b"video")
    return FilePolicy(data_dir=tmp_path)


def config_of(policy: FilePolicy, config: dict) -> dict:
    body = {"serials": ["s"], "script_name": "post", "script_config": config}
    return parse_create_task(json.dumps(body).encode(), policy).config


def refusal(policy: FilePolicy, config: dict) -> str:
    with pytest.raises(ApiError) as caught:
        config_of(policy, config)
    assert int(caught.value.code) == 40001
    return caught.value.message


def test_an_empty_config_gets_every_default(policy: FilePolicy) -> None:
    assert config_of(policy, {}) == DEFAULTS


def test_keys_come_in_table_order_and_unknown_keys_are_dropped(policy: FilePolicy) -> None:
    config = config_of(policy, {"placement": "story", "colour": "red", "content_type": 1})
    assert list(config) == list(DEFAULTS)
    assert (config["placement"], config["content_type"]) == ("story", 1)


def test_null_means_the_default(policy: FilePolicy) -> None:
    assert config_of(policy, {key: None for key in DEFAULTS}) == DEFAULTS


def test_captions_keep_their_spintax_unresolved(policy: FilePolicy) -> None:
    captions = "{Hello|Hi} world {#fyp|#{viral|trend}}"
    assert config_of(policy, {"captions": captions})["captions"] == captions


@pytest.mark.parametrize(
    ("given", "stored"),
    [(-1, "-1"), (0, "0"), (1, "1"), (1.0, "1"), ("-1", "-1"), ("0", "0"), ("1", "1"), ("custom", "custom")],
)
def test_add_sound_takes_a_number_or_a_string(policy: FilePolicy, given: object, stored: str) -> None:
    extra = {"custom_sound_keyword": "rain"} if given == "custom" else {}
    assert config_of(policy, {"add_sound": given, **extra})["add_sound"] == stored


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"content_type": 2}, "script_config.content_type must be 0 or 1, got 2"),
        ({"content_type": True}, "script_config.content_type must be 0 or 1, got true"),
        ({"content_type": "1"}, 'script_config.content_type must be 0 or 1, got "1"'),
        ({"image_count": 0}, "script_config.image_count must be at least 1, got 0"),
        ({"image_count": 2**63}, "script_config.image_count must be a 64-bit integer, got 9223372036854775808"),
        ({"captions": ["a"]}, "script_config.captions must be a string, got an array"),
        ({"post_way": "Share"}, 'script_config.post_way must be one of "share", "addButton", "useSound", got "Share"'),
        (
            {"material_source": "cloud"},
            'script_config.material_source must be one of "materialLibrary", "localFolder", got "cloud"',
        ),
        ({"material_list": "a.mp4"}, 'script_config.material_list must be an array, got "a.mp4"'),
        ({"material_list": [""]}, 'script_config.material_list[0] must be a non-empty string, got ""'),
        ({"upload_wait_time": -1}, "script_config.upload_wait_time must be between 0 and 86400, got -1"),
        ({"sound_wait_time": 1.5}, "script_config.sound_wait_time must be an integer, got 1.5"),
        ({"add_sound": 2}, 'script_config.add_sound must be -1, 0, 1 or "custom", got 2'),
        ({"add_sound": "Custom"}, 'script_config.add_sound must be -1, 0, 1 or "custom", got "Custom"'),
        ({"add_sound": True}, 'script_config.add_sound must be -1, 0, 1 or "custom", got true'),
        ({"origin_sound_volume": 101}, "script_config.origin_sound_volume must be between 0 and 100, got 101"),
        ({"add_sound_volume": -5}, "script_config.add_sound_volume must be between 0 and 100, got -5"),
        ({"add_product_link": 2}, "script_config.add_product_link must be 0 or 1, got 2"),
        ({"placement": "feed"}, 'script_config.placement must be one of "reel", "story", got "feed"'),
    ],
)
def test_bad_values_are_named(policy: FilePolicy, config: dict, message: str) -> None:
    assert refusal(policy, config) == message


def test_integral_floats_count_as_integers(policy: FilePolicy) -> None:
    config = config_of(policy, {"image_count": 3.0, "origin_sound_volume": 20.0})
    assert (config["image_count"], config["origin_sound_volume"]) == (3, 20)
    assert type(config["image_count"]) is int


def test_use_sound_needs_a_sound_name(policy: FilePolicy) -> None:
    assert refusal(policy, {"post_way": "useSound"}) == (
        'script_config.sound_name is required when post_way is "useSound"'
    )
    assert refusal(policy, {"post_way": "useSound", "sound_name": "  "}) == (
        'script_config.sound_name is required when post_way is "useSound"'
    )
    assert config_of(policy, {"post_way": "useSound", "sound_name": "Espresso"})["sound_name"] == "Espresso"


def test_a_custom_sound_needs_a_keyword(policy: FilePolicy) -> None:
    assert refusal(policy, {"add_sound": "custom"}) == (
        'script_config.custom_sound_keyword is required when add_sound is "custom"'
    )


def test_a_local_folder_needs_a_material_path_unless_a_list_is_given(policy: FilePolicy) -> None:
    assert refusal(policy, {"material_source": "localFolder"}) == (
        'script_config.material_path is required when material_source is "localFolder" and material_list is empty'
    )
    given = {"material_source": "localFolder", "material_list": ["clips/a.mp4"]}
    assert config_of(policy, given)["material_list"] == [str(policy.data_dir / "clips" / "a.mp4")]


def test_a_rule_comes_after_an_earlier_bad_field(policy: FilePolicy) -> None:
    config = {"post_way": "useSound", "image_count": 0}
    assert refusal(policy, config) == "script_config.image_count must be at least 1, got 0"
    config = {"image_count": 0, "post_way": "useSound", "sound_name": ""}
    assert refusal(policy, config) == "script_config.image_count must be at least 1, got 0"
    config = {"post_way": "useSound", "sound_name": "", "image_count": 0}
    assert refusal(policy, config) == 'script_config.sound_name is required when post_way is "useSound"'
