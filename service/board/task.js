// A task's page: its facts, its failure and artifacts, the timeline of its events; stop, retry, delete.
import {ApiError, blobUrl, del, get, post} from "./api.js";
import {badge, duration, fill, h, notice, progress, throttle, when} from "./dom.js";
import {confirmBox} from "./tasks.js";

function describeEvent(event) {
  const d = event.data || {};
  switch (event.type) {
    case "created": return [`on ${d.serial}`, d.username ? ` as @${d.username}` : "",
      d.start_time ? `, due ${new Date(d.start_time).toLocaleString()}` : ""];
    case "dispatched": return `to agent ${d.agent}`;
    case "started":
      return `attempt ${d.attempt}${d.steps ? `, ${d.steps} steps planned` : ""}`
        + `${d.username ? ` as @${d.username}` : ""}`;
    case "step-completed":
      return [h("b", {}, `${d.index}. ${d.name}`), d.detail ? ` — ${d.detail}` : "", actions(d.actions)];
    case "completed": return `attempt ${d.attempt}: ${d.steps} steps`;
    case "failed": return [d.step ? h("b", {}, `${d.step}: `) : "", d.reason];
    case "retried": return `attempt ${d.attempt}${d.automatic ? " (automatic)" : ""}`
      + `${d.due_at ? `, due ${new Date(d.due_at).toLocaleString()}` : ""}`;
    case "held": return d.reason;
    case "material-used": return (d.paths || []).join(", ");
    default:
      return Object.entries(d).filter(([k]) => k !== "type").map(([k, v]) => `${k}: ${JSON.stringify(v)}`).join(", ");
  }
}

/** What a step did on the platform (["like", "like", "follow"]), counted: " · like ×2, follow". */
function actions(list) {
  if (!Array.isArray(list) || !list.length) return "";
  const counts = new Map();
  for (const action of list) counts.set(action, (counts.get(action) || 0) + 1);
  return h("span.acts", {}, [...counts].map(([action, n]) => h("span.chip", {}, n > 1 ? `${action} ×${n}` : action)));
}

function fact(label, value) {
  return h("div", {}, h("dt", {}, label), h("dd", {}, value));
}

function timeline(events) {
  let previous = null;
  return h("ol.timeline", {}, events.map((event) => {
    const at = new Date(event.recorded_at).getTime();
    const took = event.data && event.data.duration_ms !== undefined ? event.data.duration_ms
      : previous !== null ? at - previous : null;
    previous = at;
    return h(`li.t-${event.type}`, {dataset: {type: event.type}},
      h("span.when", {}, when(event.recorded_at)),
      h(`span.kind.k-${event.type}`, {}, event.type),
      h("span.what", {}, describeEvent(event)),
      h("span.took", {title: event.data && event.data.duration_ms !== undefined
        ? "the step's duration" : "since the event before"},
        took !== null && event.type !== "created" ? duration(took) : ""));
  }));
}

export function render(main, {params}) {
  const id = Number(params.id);
  let disposed = false;
  const head = h("div.page-head", {}, h("h1", {}, `Task #${params.id}`));
  const actions = h("div.actions", {});
  const message = h("div.message", {});
  const body = h("div.task", {});
  fill(main, h("p.crumbs", {}, h("a", {href: "/tasks"}, "← Tasks")), head, actions, message, body);
  const images = new Map();  // artifact name -> object URL (kept across refreshes)

  async function act(label, run) {
    try {
      await run();
      fill(message, notice("ok", label));
    } catch (error) {
      fill(message, notice("error", error.message));
    }
    refresh();
  }

  async function load() {
    let task = null, events;
    try {
      [task, {events}] = await Promise.all([get(`/task/${id}`).catch((error) => {
        if (error instanceof ApiError && error.code === 40401) return null;
        throw error;
      }), get(`/task/${id}/events`)]);
    } catch (error) {
      fill(body, notice("error", error.message));
      return;
    }
    if (disposed) return;
    const created = events.find((e) => e.type === "created");
    const script = task ? task.script_name : created && created.data.script_name;
    fill(head, h("h1", {}, `Task #${id}`, h("span.sub", {}, ` ${script || ""}`)),
      task ? badge(task.status) : h("span.badge.s-deleted", {}, "deleted"));
    fill(actions, task ? [
      h("button.ghost", {type: "button", disabled: task.status > 1 || task.stop_requested,
        onclick: () => act(`Task #${id}: stop asked`, () => post(`/task/${id}/stop`))}, "Stop"),
      h("button.ghost", {type: "button", disabled: task.status !== 3,
        onclick: () => act(`Task #${id} retried`, () => post(`/task/${id}/retry`))}, "Retry"),
      h("button.danger", {type: "button", onclick: async () => {
        if (await confirmBox(`Delete task #${id}?`, "It leaves every list and count; its events stay for audit.",
          "Delete", true)) act(`Task #${id} deleted`, () => del(`/task/${id}`));
      }}, "Delete"),
    ] : []);
    const config = task ? task.script_config : created && created.data.script_config;
    fill(body,
      task && task.status === 3 ? failure(task) : null,
      task && task.waiting ? notice("ok", `Waiting (${task.waiting.kind}): ${task.waiting.reason}`) : null,
      h("section.panel.facts-grid", {},
        h("dl", {},
          fact("Phone", task ? h("a", {href: `/tasks?serial=${encodeURIComponent(task.serial)}`}, task.serial)
            : created && created.data.serial),
          fact("Account", task && task.username ? `@${task.username}` : "whichever is signed in"),
          fact("Progress", task ? progress(task) : "—"),
          fact("Created", when(task ? task.created_at : created && created.recorded_at)),
          fact("Due", task && task.start_time ? when(task.start_time) : "at once"),
          fact("Started", when(task && task.started_at)),
          fact("Finished", when(task && task.finished_at)),
          fact("Attempt", task ? `${task.attempt} (${task.retry_count} retries)` : "—"),
          fact("Source", task ? task.source : "—")),
        h("details", {}, h("summary", {}, "Configuration"), h("pre", {}, JSON.stringify(config, null, 2)))),
      h("section.panel", {}, h("h2", {}, "Timeline"), timeline(events)));
  }

  function failure(task) {
    const box = h("section.panel.failure", {"aria-label": "failure"},
      h("h2", {}, "Failed", task.failed_step ? ` at ${task.failed_step}` : ""),
      h("p.reason", {}, task.error));
    const files = h("div.artifacts", {});
    for (const name of task.artifacts) {
      const path = `/task/${id}/artifacts/${encodeURIComponent(name)}`;
      if (/\.(png|jpe?g)$/i.test(name)) {
        const img = h("img", {alt: `screenshot when it failed (${name})`});
        const figure = h("figure", {}, img, h("figcaption", {}, name));
        files.append(figure);
        const known = images.get(name);
        if (known) img.src = known;
        else blobUrl(path).then((url) => { images.set(name, url); img.src = url; })
          .catch((error) => figure.replaceChildren(notice("error", `${name}: ${error.message}`)));
      } else {
        files.append(h("a.file", {href: `/api/v1${path}`, onclick: (event) => download(event, path, name)},
          `⤓ ${name}`));
      }
    }
    if (task.artifacts.length) box.append(files);
    return box;
  }

  async function download(event, path, name) {
    event.preventDefault();
    try {
      const url = await blobUrl(path);
      const link = h("a", {href: url, download: name});
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (error) {
      fill(message, notice("error", error.message));
    }
  }

  const refresh = throttle(load, 300);
  load();
  return {
    onEvent: (event) => { if (event.task_id === id) refresh(); },
    onOpen: () => refresh(),
    dispose() {
      disposed = true;
      for (const url of images.values()) URL.revokeObjectURL(url);
    },
  };
}
