// Phones: every phone with its state, agent, accounts, current task and a small live screen.
import {ApiError, blobUrl, get} from "./api.js";
import {fill, h, notice, progress, throttle} from "./dom.js";

const SCREEN_EVERY_MS = 5000;

export function render(main, {stream}) {
  const grid = h("div.phones", {});
  const summary = h("p.muted", {}, "Loading the phones…");
  fill(main, h("div.page-head", {}, h("h1", {}, "Phones"), summary), grid);
  const cards = new Map();  // serial -> {el, info, screen}
  let disposed = false;

  const observer = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const card = cards.get(entry.target.dataset.serial);
      if (!card) continue;
      card.visible = entry.isIntersecting;
      if (card.visible) schedule(card, 0);
      else clearTimeout(card.timer);
    }
  });

  function schedule(card, delay) {
    clearTimeout(card.timer);
    card.timer = setTimeout(() => shoot(card), delay);
  }

  async function shoot(card) {
    if (disposed || !card.visible) return;
    const started = Date.now();
    try {
      const url = await blobUrl(`/device/${encodeURIComponent(card.serial)}/screenshot`);
      const old = card.img.src;
      card.img.src = url;
      card.img.hidden = false;
      card.screenNote.hidden = true;
      if (old.startsWith("blob:")) URL.revokeObjectURL(old);
    } catch (error) {
      card.img.hidden = true;
      card.screenNote.hidden = false;
      card.screenNote.textContent = error instanceof ApiError ? error.message : "no screen";
    }
    if (!disposed && card.visible) schedule(card, Math.max(0, SCREEN_EVERY_MS - (Date.now() - started)));
  }

  function cardFor(serial) {
    let card = cards.get(serial);
    if (card) return card;
    const img = h("img", {alt: `screen of ${serial}`, hidden: true});
    const screenNote = h("span.screen-note", {}, "…");
    const info = h("div.info", {});
    const el = h("article.phone", {dataset: {serial}, "aria-label": `phone ${serial}`},
      h("div.screen", {}, img, screenNote), info);
    card = {serial, el, img, screenNote, info, visible: false, timer: null};
    cards.set(serial, card);
    grid.append(el);
    observer.observe(el);
    return card;
  }

  async function load() {
    let devices, accounts;
    try {
      [{devices}, {accounts}] = await Promise.all([get("/device"), get("/account")]);
    } catch (error) {
      fill(summary, notice("error", `Could not read the phones: ${error.message}`));
      return;
    }
    const running = await Promise.all(devices.map((d) => d.current_task_id
      ? get(`/task/${d.current_task_id}`).catch(() => null) : null));
    if (disposed) return;
    const online = devices.filter((d) => d.online).length;
    const busy = devices.filter((d) => d.busy).length;
    fill(summary, `${devices.length} phones · ${online} online · ${busy} running a task`);
    if (!devices.length) {
      grid.replaceChildren(notice("ok", "No phone yet: connect one over adb, or start with --sim 4."));
    }
    const seen = new Set();
    devices.forEach((device, index) => {
      seen.add(device.serial);
      const card = cardFor(device.serial);
      draw(card, device, accounts.filter((a) => a.serial === device.serial), running[index]);
    });
    for (const [serial, card] of cards) {
      if (!seen.has(serial)) { observer.unobserve(card.el); card.el.remove(); cards.delete(serial); }
    }
  }

  function draw(card, device, accounts, task) {
    const state = !device.online ? device.state : device.paused ? "paused" : device.busy ? "busy" : "idle";
    card.el.dataset.state = state;
    fill(card.info,
      h("header", {}, h("h2", {}, device.serial), h(`span.badge.d-${state}`, {}, state)),
      h("dl", {},
        h("dt", {}, "Model"), h("dd", {}, device.model || "—"),
        h("dt", {}, "Agent"), h("dd", {}, device.agent
          ? [device.agent, device.agent_lost ? h("span.badge.d-offline", {}, "lost") : null] : "—"),
        h("dt", {}, "Accounts"), h("dd.accounts", {}, accounts.length
          ? accounts.map((a) => h("span.chip", {title: a.restricted ? `resting: ${a.restricted.reason}` : a.package},
            `@${a.username}`, a.restricted ? " ⏸" : "")) : h("span.muted", {}, "none known"))),
      h("div.current", {}, task
        ? [h("a", {href: `/tasks/${task.id}`}, `#${task.id} ${task.script_name}`), progress(task)]
        : h("span.muted", {}, device.online ? "no task running" : "offline")),
      h("footer", {},
        h("span.ok", {title: "completed"}, `✓ ${device.tasks_completed}`),
        h("span.bad", {title: "failed"}, `✗ ${device.tasks_failed}`),
        h("a", {href: `/tasks?serial=${encodeURIComponent(device.serial)}`}, "its tasks →")));
  }

  const refresh = throttle(load, 700);
  load();
  return {
    onEvent: () => refresh(),
    onOpen: () => refresh(),
    dispose() {
      disposed = true;
      observer.disconnect();
      for (const card of cards.values()) {
        clearTimeout(card.timer);
        if (card.img.src.startsWith("blob:")) URL.revokeObjectURL(card.img.src);
      }
    },
  };
}
