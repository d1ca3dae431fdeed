"""Phones: discovery, the per-phone actor, the uiautomator2 driver, the scripts and the virtual farm."""
