// A small helper to build DOM nodes, and the formats the pages share.

/** h("a.link", {href: "/x"}, "text", child) -> an element; attributes starting with "on" are listeners. */
export function h(spec, attrs = {}, ...children) {
  const [tag, ...classes] = spec.split(".");
  const el = document.createElement(tag || "div");
  if (classes.length) el.className = classes.join(" ");
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else if (key === "text") el.textContent = value;
    else el.setAttribute(key, value === true ? "" : value);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replace the children of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

export const STATUS = ["pending", "running", "completed", "failed"];
export const SCRIPTS = ["post", "follow", "unfollow", "comment", "account_warmup", "match_account"];

const dateTime = new Intl.DateTimeFormat(undefined, {dateStyle: "medium", timeStyle: "medium"});
const timeOnly = new Intl.DateTimeFormat(undefined, {hour: "2-digit", minute: "2-digit", second: "2-digit"});

/** A recorded time in the browser's zone (full date, or the time alone when it is today). */
export function when(iso) {
  if (!iso) return "—";
  const date = new Date(iso);
  const today = new Date().toDateString() === date.toDateString();
  const shown = today ? timeOnly.format(date) : dateTime.format(date);
  return h("time", {datetime: iso, title: dateTime.format(date)}, shown);
}

/** Milliseconds as a readable duration. */
export function duration(ms) {
  if (ms === null || ms === undefined) return "";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  return m < 60 ? `${m} min ${Math.round(s % 60)} s` : `${Math.floor(m / 60)} h ${m % 60} min`;
}

export function badge(status) {
  const text = typeof status === "number" ? STATUS[status] : status;
  return h(`span.badge.s-${text}`, {}, text);
}

/** A progress bar for a task's `progress` ({step, steps, name}). */
export function progress(task) {
  const p = task.progress;
  if (!p) return h("span.muted", {}, task.status === 0 ? (task.waiting ? "waiting" : "queued") : "—");
  const done = task.status === 2;
  const known = done || (p.steps && task.script_name !== "account_warmup");  // a warm-up's length is known at its end
  const share = done ? 1 : known ? Math.min(1, p.step / Math.max(p.steps, 1)) : null;
  return h("div.progress", {title: `step ${p.step} of ${p.steps}: ${p.name}`},
    h(`div.bar${share === null ? ".open" : ""}`, {}, h("span", {style: `width:${((share ?? 1) * 100).toFixed(0)}%`})),
    h("span.label", {}, done ? `${p.steps} steps`
      : known ? `${p.step}/${p.steps} · ${p.name}` : `step ${p.step} · ${p.name}`));
}

/** Call fn at most once per `ms`, the last call always running (a trailing edge). */
export function throttle(fn, ms) {
  let timer = null, again = false;
  const run = () => {
    timer = setTimeout(() => { timer = null; if (again) { again = false; run(); } }, ms);
    Promise.resolve().then(fn).catch(() => {});
  };
  return () => { if (timer) again = true; else run(); };
}

/** A message in the page: kind "error" or "ok". */
export function notice(kind, ...text) {
  return h(`div.notice.${kind}`, {role: kind === "error" ? "alert" : "status"}, ...text);
}
