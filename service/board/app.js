// The board: the header (plan, counters, connection), the router, and the live stream every page follows.
import {get} from "./api.js";
import {fill, h, throttle} from "./dom.js";
import {LogStream} from "./stream.js";
import * as phones from "./phones.js";
import * as tasks from "./tasks.js";
import * as task from "./task.js";
import * as create from "./create.js";

const stream = new LogStream();
const main = document.getElementById("main");
let current = null;  // the page shown: {onEvent, onOpen, dispose}

function pageFor(path) {
  if (path === "/" || path === "/phones") return ["phones", phones, {}];
  if (path === "/tasks") return ["tasks", tasks, {}];
  const match = path.match(/^\/tasks\/([^/]+)$/);
  if (match) return ["tasks", task, {id: decodeURIComponent(match[1])}];
  if (path === "/new") return ["new", create, {}];
  return [null, null, {}];
}

export function navigate(url, {replace = false} = {}) {
  if (replace) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  show();
}

function show() {
  if (current && current.dispose) current.dispose();
  const [name, page, params] = pageFor(location.pathname);
  for (const link of document.querySelectorAll("nav a")) {
    if (link.dataset.page === name) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  if (!page) {
    current = null;
    fill(main, h("section.panel", {}, h("h1", {}, "Not found"), h("p", {}, "The board has no page here. ",
      h("a", {href: "/"}, "See the phones"), ".")));
    return;
  }
  current = page.render(main, {params, navigate, stream}) || null;
}

// Links inside the board change the page without reloading it.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[href]");
  if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  const url = new URL(link.href, location.href);
  const outside = url.origin !== location.origin || url.pathname.startsWith("/api/");
  if (outside || link.hasAttribute("download") || link.target) return;
  event.preventDefault();
  if (url.pathname + url.search !== location.pathname + location.search) navigate(url.pathname + url.search);
});
window.addEventListener("popstate", show);

// The header: plan and device limit once, counters whenever a task changes.
const facts = document.getElementById("facts");
const counters = {};

async function loadLicense() {
  try {
    const license = await get("/license/check");
    counters.plan = `${license.plan_name} · ${license.device_limit} phones at once`;
    counters.planKnown = true;
  } catch (error) {
    counters.plan = error.message;
  }
  drawFacts();
}

const loadStats = throttle(async () => {
  try {
    counters.stats = await get("/task/stats");
  } catch {
    return;
  }
  drawFacts();
}, 500);

function drawFacts() {
  const s = counters.stats;
  fill(facts,
    counters.plan ? h("span.plan", {title: "plan and device limit"}, counters.plan) : null,
    s ? ["pending", "running", "completed", "failed"].map((key) =>
      h(`a.count.s-${key}`, {href: `/tasks?status=${["pending", "running", "completed", "failed"].indexOf(key)}`,
        title: `${s[key]} ${key}`}, h("b", {}, s[key].toLocaleString()), ` ${key}`)) : null);
}

const conn = document.getElementById("conn");
const TEXT = {connecting: "connecting…", live: "live", reconnecting: "reconnecting…"};
stream.onState((state) => {
  conn.dataset.state = state;
  conn.querySelector(".text").textContent = TEXT[state];
  if (state === "live") {
    if (!counters.planKnown) loadLicense();
    loadStats();
    if (current && current.onOpen) current.onOpen();
  }
});
stream.onEvent((event) => {
  if (event.task_id !== null && event.task_id !== undefined) loadStats();
  if (current && current.onEvent) current.onEvent(event);
});

show();
loadLicense();
loadStats();
stream.run();
