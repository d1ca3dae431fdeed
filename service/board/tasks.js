// Tasks: filters kept in the URL, pages, live rows, and bulk actions on the tasks the filters match.
import {del, get, post, query} from "./api.js";
import {SCRIPTS, STATUS, badge, fill, h, notice, progress, throttle, when} from "./dom.js";

const FILTERS = ["status", "serial", "script_name", "source"];
const PAGE_SIZE = 25;
const MAX_BATCH = 10000;
const BULK = {
  stop: {label: "Stop", verb: "stop", run: (ids) => post("/task/batch/stop", {task_ids: ids}),
    said: (r) => `${r.stopped_count} stopped`
      + `${r.skipped.length ? `, ${r.skipped.length} skipped (finished already)` : ""}`},
  retry: {label: "Retry", verb: "retry", run: (ids) => post("/task/batch/retry", {task_ids: ids}),
    said: (r) => `${r.retried_count} retried${r.skipped.length ? `, ${r.skipped.length} skipped (not failed)` : ""}`},
  delete: {label: "Delete", verb: "delete", run: (ids) => del("/task/batch", {task_ids: ids}),
    said: (r) => `${r.deleted_count} deleted`},
};

function readUrl() {
  const params = new URLSearchParams(location.search);
  const state = {page: Math.max(1, Number(params.get("page")) || 1)};
  for (const key of FILTERS) state[key] = params.get(key) || "";
  return state;
}

function describe(state) {
  const parts = [];
  if (state.status !== "") parts.push(`status ${STATUS[Number(state.status)] || state.status}`);
  if (state.serial) parts.push(`phone ${state.serial}`);
  if (state.script_name) parts.push(`script ${state.script_name}`);
  if (state.source) parts.push(`source ${state.source}`);
  return parts.join(", ");
}

export function render(main, {navigate}) {
  let state = readUrl();
  let disposed = false;
  const select = (name, label, options) => h("label.filter", {}, label,
    h("select", {name, onchange: (e) => apply({[name]: e.target.value, page: 1})},
      h("option", {value: ""}, "any"),
      options.map(([value, text]) => h("option", {value, selected: String(state[name]) === String(value)}, text))));
  const phoneSelect = select("serial", "Phone", state.serial ? [[state.serial, state.serial]] : []);
  const filters = h("form.filters", {role: "search", onsubmit: (e) => e.preventDefault()},
    select("status", "Status", STATUS.map((s, i) => [i, s])),
    phoneSelect,
    select("script_name", "Script", SCRIPTS.map((s) => [s, s])),
    select("source", "Source", [["api", "api"], ["ui", "ui"]]),
    h("button.ghost", {type: "button",
      onclick: () => apply({status: "", serial: "", script_name: "", source: "", page: 1})},
      "Clear"));
  const bulk = h("div.bulk", {role: "group", "aria-label": "Act on every task matching the filters"},
    h("span.muted", {}, "Matching tasks:"),
    Object.entries(BULK).map(([kind, spec]) => h(`button.${kind === "delete" ? "danger" : "ghost"}`,
      {type: "button", onclick: () => ask(kind), dataset: {bulk: kind}}, `${spec.label}…`)));
  const message = h("div.message", {});
  const table = h("div.table-wrap", {});
  const pager = h("nav.pager", {"aria-label": "Pages"});
  fill(main, h("div.page-head", {}, h("h1", {}, "Tasks"), h("a.button.primary", {href: "/new"}, "New task")),
    filters, bulk, message, table, pager);

  get("/device").then(({devices}) => {
    const selectEl = phoneSelect.querySelector("select");
    fill(selectEl, h("option", {value: ""}, "any"),
      devices.map((d) => h("option", {value: d.serial, selected: d.serial === state.serial}, d.serial)));
  }).catch(() => {});

  function apply(change) {
    state = {...state, ...change};
    const params = {};
    for (const key of [...FILTERS, "page"]) params[key] = key === "page" && state.page === 1 ? "" : state[key];
    navigate(`/tasks${query(params)}`);
  }

  let shown = new Map();  // id -> status, to mark rows that changed
  async function load() {
    const params = {page: state.page, page_size: PAGE_SIZE};
    for (const key of FILTERS) params[key] = state[key];
    let page;
    try {
      page = await get(`/task${query(params)}`);
    } catch (error) {
      fill(table, notice("error", `Could not read the tasks: ${error.message}`));
      return;
    }
    if (disposed) return;
    const before = shown;
    shown = new Map(page.tasks.map((t) => [t.id, t.status]));
    fill(table, page.tasks.length ? h("table.tasks", {},
      h("thead", {}, h("tr", {}, ["Task", "Script", "Phone", "Account", "Status", "Progress", "Created", "Finished",
        "Error"].map((title) => h("th", {scope: "col", class: `c-${title.toLowerCase()}`}, title)))),
      h("tbody", {}, page.tasks.map((t) => h("tr", {
        class: before.size && before.get(t.id) !== t.status ? "changed" : undefined,
        dataset: {id: t.id, status: t.status}},
      h("td.c-task", {}, h("a", {href: `/tasks/${t.id}`}, `#${t.id}`)),
      h("td.c-script", {}, t.script_name),
      h("td.c-phone", {}, t.serial),
      h("td.c-account", {}, t.username ? `@${t.username}` : h("span.muted", {}, "—")),
      h("td.c-status", {}, badge(t.status)),
      h("td.c-progress", {}, progress(t)),
      h("td.c-created", {}, when(t.created_at)),
      h("td.c-finished", {}, when(t.finished_at)),
      h("td.c-error", {title: t.error || ""}, t.error || (t.waiting ? h("span.muted", {}, t.waiting.reason) : ""))))))
      : notice("ok", describe(state) ? `No task matches ${describe(state)}.` : "No task yet. ",
        h("a", {href: "/new"}, "Create one"), "."));
    const pages = Math.max(1, Math.ceil(page.total / PAGE_SIZE));
    fill(pager,
      h("button.ghost", {type: "button", disabled: state.page <= 1, onclick: () => apply({page: state.page - 1})},
        "← Newer"),
      h("span", {}, `page ${state.page} of ${pages} · ${page.total.toLocaleString()} tasks`),
      h("button.ghost", {type: "button", disabled: state.page >= pages, onclick: () => apply({page: state.page + 1})},
        "Older →"));
  }

  async function ask(kind) {
    const spec = BULK[kind];
    const filter = describe(state);
    if (!filter) {
      fill(message, notice("error", `Choose a filter first: a bulk ${spec.verb} never applies to every task.`));
      return;
    }
    const params = {};
    for (const key of FILTERS) params[key] = state[key];
    let matching;
    try {
      matching = await get(`/task/ids${query(params)}`);
    } catch (error) {
      fill(message, notice("error", error.message));
      return;
    }
    if (!matching.total) {
      fill(message, notice("ok", `No task matches ${filter}: nothing to ${spec.verb}.`));
      return;
    }
    if (matching.total > MAX_BATCH) {
      fill(message, notice("error", `${matching.total.toLocaleString()} tasks match ${filter}; at most `,
        `${MAX_BATCH.toLocaleString()} at once: narrow the filter.`));
      return;
    }
    const count = matching.total === 1 ? "1 task" : `${matching.total.toLocaleString()} tasks`;
    const confirmed = await confirmBox(`${spec.label} ${count}?`,
      `${count} match ${filter}. ${spec.label} exactly these (ids ${matching.task_ids.slice(0, 8).join(", ")}`
      + `${matching.total > 8 ? ", …" : ""})?`, `${spec.label} ${count}`, kind === "delete");
    if (!confirmed) return;
    try {
      const result = await spec.run(matching.task_ids);
      fill(message, notice("ok", `${spec.label}: ${spec.said(result)}`
        + `${result.not_found.length ? `, ${result.not_found.length} gone meanwhile` : ""}.`));
    } catch (error) {
      fill(message, notice("error", error.message));
    }
    load();
  }

  const refresh = throttle(load, 400);
  load();
  return {
    onEvent: (event) => { if (event.task_id !== null && event.task_id !== undefined) refresh(); },
    onOpen: () => refresh(),
    dispose: () => { disposed = true; },
  };
}

/** A modal confirmation; resolves true when confirmed. */
export function confirmBox(title, text, action, danger = false) {
  return new Promise((resolve) => {
    const dialog = h("dialog.confirm", {"aria-labelledby": "confirm-title"},
      h("form", {method: "dialog"},
        h("h2", {id: "confirm-title"}, title), h("p", {}, text),
        h("div.actions", {},
          h("button.ghost", {value: "cancel", type: "submit"}, "Cancel"),
          h(`button.${danger ? "danger" : "primary"}`, {value: "confirm", type: "submit"}, action))));
    dialog.addEventListener("close", () => { resolve(dialog.returnValue === "confirm"); dialog.remove(); });
    document.body.append(dialog);
    dialog.showModal();
  });
}
