"""Files named in a task: bases of relative paths, existence, and roots when restricted."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from service.errors import ApiError
from service.requests import FilePolicy, parse_create_task


@pytest.fixture
def farm(tmp_path: Path) -> dict[str, Path]:
    """A data dir with materials and an upload folder, a material root, and a secret outside."""
    data = tmp_path / "data"
    (data / "clips").mkdir(parents=True)
    (data / "clips" / "a.mp4").write_bytes(b"a")
    (data / "upload").mkdir()
    (data / "upload" / "pic.png").write_bytes(b"p")
    root = tmp_path / "library"
    root.mkdir()
    (root / "b.mp4").write_bytes(b"b")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("do not read")
    return {"data": data, "root": root, "outside": outside}


def policy(farm: dict[str, Path], *, restricted: bool) -> FilePolicy:
    return FilePolicy(data_dir=farm["data"], material_roots=(farm["root"],), restricted=restricted)


def post(farm: dict, config: dict, *, restricted: bool = False) -> dict:
    body = {"serials": ["s"], "script_name": "post", "script_config": config}
    return parse_create_task(json.dumps(body).encode(), policy(farm, restricted=restricted)).config


def comment(farm: dict, image: str, *, restricted: bool = False) -> dict:
    config = {"target_post_url": "https://vm.tiktok.com/ZM1/", "comment_content": "hi", "comment_image_path": image}
    body = {"serials": ["s"], "script_name": "comment", "script_config": config}
    return parse_create_task(json.dumps(body).encode(), policy(farm, restricted=restricted)).config


def refusal(call, *args, **kwargs) -> str:  # noqa: ANN001
    with pytest.raises(ApiError) as caught:
        call(*args, **kwargs)
    assert int(caught.value.code) == 40001
    return caught.value.message


def test_relative_material_paths_are_relative_to_the_data_dir_and_stored_resolved(farm: dict) -> None:
    config = post(farm, {"material_list": ["clips/a.mp4", " clips/../clips/a.mp4 "], "material_path": "clips"})
    expected = str(farm["data"].resolve() / "clips" / "a.mp4")
    assert config["material_list"] == [expected, expected]
    assert config["material_path"] == str(farm["data"].resolve() / "clips")


def test_a_missing_material_is_refused_by_index(farm: dict) -> None:
    assert refusal(post, farm, {"material_list": ["clips/a.mp4", "clips/nope.mp4"]}) == (
        'script_config.material_list[1] must name an existing file, got "clips/nope.mp4"'
    )


def test_a_folder_is_not_a_material_file_and_a_file_is_not_a_folder(farm: dict) -> None:
    assert refusal(post, farm, {"material_list": ["clips"]}) == (
        'script_config.material_list[0] must name an existing file, got "clips"'
    )
    assert refusal(post, farm, {"material_path": "clips/a.mp4"}) == (
        'script_config.material_path must name an existing folder, got "clips/a.mp4"'
    )


def test_a_material_path_is_checked_even_when_the_library_is_used(farm: dict) -> None:
    assert refusal(post, farm, {"material_source": "materialLibrary", "material_path": "gone"}) == (
        'script_config.material_path must name an existing folder, got "gone"'
    )


def test_on_loopback_any_readable_file_may_be_named(farm: dict) -> None:
    secret = str(farm["outside"] / "secret.txt")
    assert post(farm, {"material_list": [secret]})["material_list"] == [str(Path(secret).resolve())]
    assert post(farm, {"material_list": ["../outside/secret.txt"]})["material_list"] == [str(Path(secret).resolve())]


def test_when_restricted_files_under_the_data_dir_and_material_roots_are_allowed(farm: dict) -> None:
    given = ["clips/a.mp4", str(farm["root"] / "b.mp4")]
    assert post(farm, {"material_list": given}, restricted=True)["material_list"] == [
        str(farm["data"].resolve() / "clips" / "a.mp4"),
        str(farm["root"].resolve() / "b.mp4"),
    ]


@pytest.mark.parametrize(
    "given",
    ["../outside/secret.txt", "clips/../../outside/secret.txt", "{outside}/secret.txt", "{data}/../outside/secret.txt"],
)
def test_when_restricted_paths_out_of_the_roots_are_refused(farm: dict, given: str) -> None:
    given = given.format(outside=farm["outside"], data=farm["data"])
    assert refusal(post, farm, {"material_list": [given]}, restricted=True).startswith(
        'script_config.material_list[0] must be inside the data directory or a --material-root folder, got "'
    )


def test_when_restricted_the_roots_are_checked_before_existence(farm: dict) -> None:
    message = refusal(post, farm, {"material_path": "/no/such/folder"}, restricted=True)
    assert "must be inside the data directory" in message


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_when_restricted_a_link_out_of_the_roots_is_refused(farm: dict) -> None:
    (farm["data"] / "clips" / "innocent.mp4").symlink_to(farm["outside"] / "secret.txt")
    (farm["data"] / "escape").symlink_to(farm["outside"], target_is_directory=True)
    assert post(farm, {"material_list": ["clips/innocent.mp4"]})["material_list"] == [
        str((farm["outside"] / "secret.txt").resolve())
    ]
    assert "must be inside" in refusal(post, farm, {"material_list": ["clips/innocent.mp4"]}, restricted=True)
    assert "must be inside" in refusal(post, farm, {"material_path": "escape"}, restricted=True)


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_link_loop_is_refused_not_crashed_on(farm: dict) -> None:
    (farm["data"] / "loop").symlink_to(farm["data"] / "loop")
    message = refusal(post, farm, {"material_list": ["loop"]})
    assert message.startswith("script_config.material_list[0] ")


def test_a_comment_image_is_relative_to_the_upload_folder(farm: dict) -> None:
    assert comment(farm, "pic.png")["comment_image_path"] == str(farm["data"].resolve() / "upload" / "pic.png")
    absolute = str(farm["data"] / "upload" / "pic.png")
    assert comment(farm, absolute, restricted=True)["comment_image_path"] == str(Path(absolute).resolve())
    assert comment(farm, "")["comment_image_path"] == ""


def test_a_missing_or_escaping_comment_image_is_refused(farm: dict) -> None:
    assert refusal(comment, farm, "nope.png") == (
        'script_config.comment_image_path must name an existing file, got "nope.png"'
    )
    assert "must be inside" in refusal(comment, farm, "../../outside/secret.txt", restricted=True)
