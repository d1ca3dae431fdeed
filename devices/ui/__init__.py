"""The UI layer: apps on phones, each a set of small parts over one AppSession.

App-neutral (this folder):
    screen.py         a hierarchy dump, parsed once, searched client-side
    session.py        AppSession: one app on one phone; look, wait, tap, type, shell
    interruptions.py  dialogs dismissed, and the app's messages that end a step
    navigation.py     Navigation: launch, restart, the home screen, a URL in the app
    language.py       the language the app shows, against those its selectors drive
    prepare.py        Preparation: screen on, unlocked, app installed, known version, language
    media.py          PhoneMedia: files into the phone's gallery (push, media scan)
    app.py            PhoneApp: the session and those parts; what a task run asks of any app

One folder per app, its flows by name (tiktok/: search, profiles, accounts, feed, comments,
gallery, sounds, create). The scripts call them as `ctx.ui.profiles.open(user)`,
`ctx.ui.feed.like()`, `ctx.ui.create.publish()`. How a new app plugs in: devices/ui/app.py.
"""
