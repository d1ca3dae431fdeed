"""The virtual phone farm: the ADB host protocol, the uiautomator2 on-device server and a TikTok-like app."""
