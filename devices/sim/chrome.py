"""Chrome, the phone's browser."""

from __future__ import annotations

CHROME_PACKAGE = "com.android.chrome"
CHROME_ACTIVITY = "com.google.android.apps.chrome.Main"
