"""The apps a task runs on, and the Android package of each (the account registry keeps packages)."""

from __future__ import annotations

TIKTOK, INSTAGRAM = "tiktok", "instagram"
APPS = (TIKTOK, INSTAGRAM)
PACKAGES = {TIKTOK: "com.zhiliaoapp.musically", INSTAGRAM: "com.instagram.android"}
NAMES = {TIKTOK: "TikTok", INSTAGRAM: "Instagram"}
WITH_ARTICLE = {TIKTOK: "a TikTok", INSTAGRAM: "an Instagram"}
_BY_PACKAGE = {package: app for app, package in PACKAGES.items()}


def app_of_package(package: str) -> str | None:
    """The app an account's package is (None: a package droidledger does not drive)."""
    return _BY_PACKAGE.get(package)
