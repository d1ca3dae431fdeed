"""The farm's Instagram-like app (`com.instagram.android`), with the resource ids and English labels of the real app.

parts.py     ids, labels and the pieces every screen draws (bars, the tab bar, sheets)
world.py     the deterministic world: users (private ones, missing ones), posts, reels, search results
account.py   a signed-in account and what it did (follows, requests, posts, comments, likes, saves)
feed.py      the home feed, a post by link, the Reels viewer, the comments sheet
people.py    search, a user's profile, the Following sheet, the own profile, the account switcher
create.py    the create flow: gallery, POST / REEL / STORY, the caption, Share
dialogs.py   what pops up: "Save your login info?", notifications, the action block
app.py       InstagramApp: the process, its back stack and accounts
"""
