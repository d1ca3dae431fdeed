"""The UI layer: a hierarchy dump parsed once (Screen), and the TikTok app driven over it (TikTokUI)."""

from devices.ui.screen import Element, Screen
from devices.ui.tiktok import PACKAGE, TikTokUI

__all__ = ["PACKAGE", "Element", "Screen", "TikTokUI"]
