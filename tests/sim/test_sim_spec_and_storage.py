"""The fault spec parser and the content-hash file store, on their own."""

from __future__ import annotations

import pytest

from devices.sim.faults import Change, FaultSpecError, parse_body, parse_spec
from devices.sim.vfs import BlobStore, FileSystem


def test_the_text_and_json_forms_parse_to_the_same_changes() -> None:
    text = parse_spec("disconnect=0.01, slow=R58:500, lang=*:fr, offline=R58:2, popup=R58, reset")
    body = parse_body(
        {
            "disconnect": 0.01,
            "slow": {"R58": 500},
            "lang": {"*": "fr"},
            "offline": {"R58": 2},
            "popup": ["R58"],
            "reset": True,
        }
    )
    assert (
        text
        == body
        == [
            Change("disconnect", None, 0.01),
            Change("slow", "R58", 500.0),
            Change("lang", "*", "fr"),
            Change("offline", "R58", 2.0),
            Change("popup", "R58", "rating"),
            Change("reset", None, None),
        ]
    )


@pytest.mark.parametrize(
    "spec, message",
    [
        ("dialog=1.5", "dialog must be between 0 and 1"),
        ("explode=1", "unknown fault or setting 'explode'"),
        ("slow=500", "slow needs a phone"),
        ("lang=R58:de", "lang must be one of en, fr"),
        ("version=R58:new", "version must look like 34.1.2"),
        ("popup=R58:party", "popup kind must be one of"),
        ("ratelimit=many", "ratelimit needs a number"),
    ],
)
def test_a_bad_item_is_named(spec: str, message: str) -> None:
    with pytest.raises(FaultSpecError, match=message):
        parse_spec(spec)


def test_files_share_one_copy_of_each_content_and_free_it_when_unused() -> None:
    blobs = BlobStore()
    a, b = FileSystem(blobs), FileSystem(blobs)
    a.write("/sdcard/x.bin", b"x" * 1000)
    b.write("/storage/emulated/0/DCIM/y.bin", b"x" * 1000)
    assert blobs.stored_bytes == 1000 and b.read("/sdcard/DCIM/y.bin") == b"x" * 1000
    a.write("/sdcard/x.bin", b"new")
    assert blobs.stored_bytes == 1003
    b.remove("/sdcard/DCIM", recursive=True)
    assert blobs.stored_bytes == 3 and b.stat("/sdcard/DCIM/y.bin") is None
