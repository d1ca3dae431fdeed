"""The board in a real browser (headless Chromium) against `serve --sim 4` processes: what an operator
sees and does, each test waiting for conditions (never a fixed sleep)."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.sim_server import SimServer

expect.set_options(timeout=30_000)


def root(server: SimServer) -> str:
    return f"http://127.0.0.1:{server.port}"


def test_the_phones_page_shows_the_four_phones_with_their_accounts_tasks_and_screens(
    start_server, page, save_screenshot
):
    server = start_server(time_scale=0.05)
    matched = server.create(server.serials, "match_account", {})
    server.wait_done(matched)
    warmups = server.create(server.serials[:2], "account_warmup", {"task_duration": 3600, "like_probable": 50})
    page.goto(root(server) + "/")
    cards = page.locator("article.phone")
    expect(cards).to_have_count(4)
    for serial in server.serials:
        card = page.locator(f'article.phone[data-serial="{serial}"]')
        expect(card.locator("h2")).to_have_text(serial)
        expect(card).to_contain_text("@" + server.phone(serial)["current_account"])
        expect(card.locator(".screen img")).to_be_visible()  # a screenshot came through
    for serial, task_id in zip(server.serials[:2], warmups, strict=False):
        expect(page.locator(f'article.phone[data-serial="{serial}"] .current a')).to_have_text(
            f"#{task_id} account_warmup"
        )
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    for serial in server.serials[:2]:  # followed live: the warm-ups' steps show as they complete
        expect(page.locator(f'article.phone[data-serial="{serial}"] .current')).to_contain_text("watch-video")
    save_screenshot(page, "board-phones.png")
    page.get_by_role("link", name="Tasks", exact=True).click()
    expect(page.locator("table.tasks tbody tr")).to_have_count(6)
    save_screenshot(page, "board-tasks.png")
    for task_id in warmups:
        server.ok(server.client.post(f"/task/{task_id}/stop"))


def test_a_task_created_from_the_form_runs_to_completed_and_its_page_follows_without_a_reload(
    start_server, page, save_screenshot
):
    server = start_server()
    page.goto(root(server) + "/new?script=account_warmup")
    page.evaluate("window.sameDocument = true")
    page.locator(f'input[name="serials"][value="{server.serials[0]}"]').check()
    page.fill("#f-script_config-like_probable", "140")
    page.click("button[type=submit]")
    error = page.locator("#f-script_config-like_probable-error")
    expect(error).to_contain_text("script_config.like_probable must be between 0 and 100")
    expect(page.locator("#f-script_config-like_probable")).to_have_attribute("aria-invalid", "true")

    page.get_by_role("tab", name="Follow", exact=True).click()
    page.locator(f'input[name="serials"][value="{server.serials[0]}"]').check()
    page.fill("#f-script_config-target_users", "alice")
    save_screenshot(page, "board-new.png")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{root(server)}/tasks/1")
    expect(page.locator(".page-head .badge")).to_have_text("completed")
    expect(page.locator(".timeline li[data-type=completed]")).to_have_count(1)
    expect(page.locator(".timeline li[data-type=step-completed]").first).to_contain_text("prepare")
    assert page.evaluate("window.sameDocument") is True  # followed by the stream, not by reloading
    assert server.task(1)["status_text"] == "completed"


def test_a_failing_tasks_page_shows_its_reason_and_its_screenshot(start_server, page, save_screenshot):
    server = start_server()
    task_id = server.create_one(server.serials[2], "follow", {"target_user": "nosuchuser1"})
    failed = server.wait_done([task_id])[task_id]
    assert failed["status_text"] == "failed"
    page.goto(f"{root(server)}/tasks/{task_id}")
    expect(page.locator(".failure .reason")).to_have_text(failed["error"])
    expect(page.locator(".failure h2")).to_contain_text(failed["failed_step"])
    shot = page.locator(".failure .artifacts img")
    expect(shot).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=shot.element_handle())
    xml = next(name for name in failed["artifacts"] if name.endswith(".xml"))
    expect(page.locator(".failure a.file")).to_have_text(f"⤓ {xml}")
    expect(page.locator(".timeline li[data-type=failed]")).to_contain_text(failed["error"])
    expect(page.get_by_role("button", name="Retry")).to_be_enabled()
    save_screenshot(page, "board-task.png")


def test_a_bulk_stop_with_a_filter_stops_exactly_the_tasks_it_counted(start_server, page):
    server = start_server()
    first, second = server.serials[:2]
    for serial in (first, second):  # their tasks stay pending
        server.ok(server.client.post(f"/device/{serial}/pause"))
    ours = server.create([first], "follow", {"target_users": [f"user{i}" for i in range(5)]})
    others = server.create([second], "follow", {"target_users": ["x1", "x2"]})
    page.goto(root(server) + "/tasks")
    expect(page.locator("table.tasks tbody tr")).to_have_count(7)

    page.click("[data-bulk=stop]")  # no filter: refused
    expect(page.locator(".message .notice.error")).to_contain_text("Choose a filter first")

    page.select_option("select[name=serial]", first)
    expect(page).to_have_url(f"{root(server)}/tasks?serial={first}")
    page.select_option("select[name=status]", "0")
    expect(page.locator("table.tasks tbody tr")).to_have_count(5)
    page.click("[data-bulk=stop]")
    dialog = page.locator("dialog.confirm")
    expect(dialog).to_contain_text("5 tasks match status pending, phone " + first)
    dialog.get_by_role("button", name="Stop 5 tasks").click()
    expect(page.locator(".message .notice.ok")).to_contain_text("5 stopped")
    expect(page.locator("table.tasks tbody tr")).to_have_count(0)  # live: none pending any more
    assert {server.task(i)["error"] for i in ours} == {"stopped"}
    assert [server.task(i)["status_text"] for i in others] == ["pending", "pending"]


def test_after_the_server_restarts_the_board_reconnects_by_itself(start_server, page):
    server = start_server()
    page.goto(root(server) + "/tasks")
    conn = page.locator("#conn")
    expect(conn).to_have_attribute("data-state", "live")
    page.evaluate("window.sameDocument = true")
    assert server.stop() == 0
    expect(conn).to_contain_text("reconnecting…")

    again = start_server(port=server.port, data_dir=server.data_dir)
    expect(conn).to_have_attribute("data-state", "live")
    task_id = again.create_one(again.serials[0], "follow", {"target_user": "after.restart"})
    expect(page.locator(f'table.tasks tbody tr[data-id="{task_id}"]')).to_be_visible()
    assert page.evaluate("window.sameDocument") is True


def test_with_an_api_key_the_board_asks_for_it_once_and_uses_it_for_calls_screens_and_the_stream(start_server, page):
    server = start_server("--api-key", "board-key-1")
    page.goto(root(server) + "/")
    dialog = page.locator("dialog.keybox")
    expect(dialog).to_be_visible()
    page.fill("#api-key", "wrong")
    page.keyboard.press("Enter")
    expect(dialog).to_contain_text("The key was refused")
    page.fill("#api-key", "board-key-1")
    page.keyboard.press("Enter")
    expect(page.locator("article.phone")).to_have_count(4)
    expect(page.locator("article.phone .screen img").first).to_be_visible()
    expect(page.locator("#conn")).to_have_attribute("data-state", "live")
    page.reload()  # kept in the browser: not asked again
    expect(page.locator("article.phone")).to_have_count(4)
    expect(dialog).to_have_count(0)
    task_id = server.create_one(server.serials[0], "follow", {"target_user": "keyed"})
    page.goto(f"{root(server)}/tasks/{task_id}")
    expect(page.locator(".page-head .badge")).to_have_text("completed")
