"""The language an app shows, against the languages its selectors file drives (`drives`).

Each language of the file lists words to recognise it by; the languages not driven are
recognised only, so a phone set to one of them fails with a reason naming it.
"""

from __future__ import annotations

from devices.errors import AppProblem
from devices.selectors import AppSelectors
from devices.ui.screen import Screen
from devices.ui.session import AppSession


def speaks_driven_language(selectors: AppSelectors, screen: Screen) -> bool:
    """Whether the language recognised best on screen is driven (True when none is recognised)."""
    found = dict(selectors.recognised(screen.texts()))
    best = max(found, key=found.__getitem__, default=None)
    return best is None or best in selectors.drives


async def check_language(session: AppSession, screen: Screen) -> None:
    """AppProblem naming the language when the screen is not in one the selectors drive."""
    app = session.selectors
    found = app.recognised(screen.texts())
    if found and found[0][0] in app.drives:
        return
    driven = ", ".join(app.languages[code].name for code in app.drives)
    if found:
        name = app.languages[found[0][0]].name
        raise AppProblem(
            f"{app.app} on {session.serial} is in {name}; droidledger drives it in {driven}"
            f" only: set the app's language to {driven}"
        )
    locale, _ = await session.shell("getprop", "persist.sys.locale")
    raise AppProblem(
        f"{app.app} on {session.serial} shows none of the labels droidledger knows"
        f" (the phone's language is {locale.strip() or 'unknown'}); droidledger drives it in"
        f" {driven} only"
    )
