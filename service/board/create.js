// Creating tasks: a form for each script with every option; the API's error beside the field it names.
import {ApiError, get, post} from "./api.js";
import {SCRIPTS, fill, h, notice} from "./dom.js";

// Each option: [key, kind, label, extra]. Kinds: text, area (one string), lines (an array, one per line),
// int, number, bool, choice (extra.options; the first is the default and is always sent).
const OPTIONS = {
  post: [
    ["content_type", "choice", "Content", {options: [["0", "a video"], ["1", "images"]], int: true}],
    ["image_count", "int", "Images", {placeholder: "1", min: 1}],
    ["captions", "area", "Captions", {hint: "spintax {a|b} picks one option per task"}],
    ["post_way", "choice", "Post by",
      {options: [["share", "share"], ["addButton", "the + button"], ["useSound", "a sound"]]}],
    ["material_source", "choice", "Material",
      {options: [["materialLibrary", "the material library"], ["localFolder", "a local folder"]]}],
    ["material_path", "text", "Folder", {hint: "required for a local folder"}],
    ["material_list", "lines", "Files", {hint: "one path per line; used directly"}],
    ["materials_tags", "text", "Library tags", {hint: "comma-separated"}],
    ["upload_wait_time", "int", "Upload wait (s)", {placeholder: "30", min: 0}],
    ["sound_wait_time", "int", "Sound wait (s)", {placeholder: "10", min: 0}],
    ["add_sound", "choice", "Sound",
      {options: [["-1", "default"], ["0", "off"], ["1", "on"], ["custom", "search a sound"]]}],
    ["sound_name", "text", "Sound name or URL", {hint: "required when posting by a sound"}],
    ["custom_sound_keyword", "text", "Sound keyword", {hint: "required with a searched sound"}],
    ["origin_sound_volume", "int", "Original volume", {placeholder: "50", min: 0, max: 100}],
    ["add_sound_volume", "int", "Added volume", {placeholder: "50", min: 0, max: 100}],
    ["add_product_link", "choice", "Product link", {options: [["0", "no"], ["1", "yes"]], int: true}],
    ["placement", "choice", "Placement (Instagram)", {options: [["reel", "reel"], ["story", "story"]]}],
  ],
  follow: [
    ["target_users", "lines", "Users", {hint: "one per line; one task per user", required: true}],
    ["access_method", "choice", "Open profiles by", {options: [["direct", "their URL"], ["search", "search"]]}],
  ],
  comment: [
    ["target_post_urls", "lines", "Post URLs", {hint: "one per line; one task per URL", required: true}],
    ["comment_content", "area", "Comments", {hint: "one per line; spintax allowed", required: true}],
    ["comment_order", "choice", "Order", {options: [["random", "random"], ["sequential", "sequential"]]}],
    ["insert_emoji", "bool", "Add an emoji"],
    ["comment_image_path", "text", "Image", {hint: "TikTok only; a path on the server"}],
  ],
  account_warmup: [
    ["task_duration", "number", "Duration (s)", {placeholder: "600", min: 1}],
    ["topic", "area", "Topics", {hint: "search keywords, one per line; one is picked"}],
    ["min_duration", "number", "Min watch (s)", {placeholder: "15", min: 1}],
    ["max_duration", "number", "Max watch (s)", {placeholder: "30", min: 1}],
    ["like_probable", "number", "Like %", {placeholder: "0", min: 0, max: 100}],
    ["floow_probable", "number", "Follow %", {placeholder: "0", min: 0, max: 100}],
    ["collect_probable", "number", "Favourite %", {placeholder: "0", min: 0, max: 100}],
    ["comment_probable", "number", "Comment %", {placeholder: "0", min: 0, max: 100}],
    ["comment", "area", "Comment templates", {hint: "one per line"}],
    ["insert_emoji", "bool", "Add an emoji"],
    ["comment_order", "choice", "Order", {options: [["random", "random"], ["sequential", "sequential"]]}],
    ["generate_by_chatgpt", "bool", "Write comments with ChatGPT"],
    ["chatgpt_settings.api_key", "password", "ChatGPT API key", {hint: "required with ChatGPT; never shown again"}],
    ["chatgpt_settings.model", "text", "Model", {placeholder: "gpt-3.5-turbo"}],
    ["chatgpt_settings.prompt", "area", "Prompt"],
    ["chatgpt_settings.max_tokens", "int", "Max tokens", {placeholder: "100", min: 1}],
    ["chatgpt_settings.temperature", "number", "Temperature", {placeholder: "0.7", min: 0, max: 2, step: "0.1"}],
    ["chatgpt_settings.base_url", "text", "Base URL", {placeholder: "https://api.openai.com/v1"}],
  ],
  match_account: [],
};
OPTIONS.unfollow = OPTIONS.follow;

const LABELS = {post: "Post", follow: "Follow", unfollow: "Unfollow", comment: "Comment",
  account_warmup: "Account warm-up", match_account: "Match accounts"};

function control(path, kind, label, extra = {}) {
  const id = `f-${path.replace(/\./g, "-")}`;
  let input;
  if (kind === "choice") {
    input = h("select", {id, name: path}, extra.options.map(([value, text], i) =>
      h("option", {value, selected: i === 0}, i === 0 ? `${text} (default)` : text)));
  } else if (kind === "bool") {
    input = h("input", {id, name: path, type: "checkbox"});
  } else if (kind === "area" || kind === "lines") {
    input = h("textarea", {id, name: path, rows: 3, placeholder: extra.placeholder});
  } else {
    const type = kind === "int" || kind === "number" ? "number" : kind === "password" ? "password" : "text";
    input = h("input", {id, name: path, type,
      placeholder: extra.placeholder, min: extra.min, max: extra.max,
      step: kind === "int" ? "1" : kind === "number" ? (extra.step || "any") : undefined, autocomplete: "off"});
  }
  const hintId = `${id}-hint`;
  const error = h("p.field-error", {id: `${id}-error`, hidden: true});
  if (extra.hint) input.setAttribute("aria-describedby", `${hintId} ${id}-error`);
  else input.setAttribute("aria-describedby", `${id}-error`);
  const field = h(`div.field.k-${kind}`, {dataset: {path, kind, int: extra.int ? "1" : ""}},
    kind === "bool" ? h("label.check", {for: id}, input, ` ${label}`)
      : [h("label", {for: id}, label, extra.required ? " *" : ""), input],
    extra.hint ? h("p.hint", {id: hintId}, extra.hint) : null, error);
  return field;
}

function valueOf(field) {
  const input = field.querySelector("input, select, textarea");
  const kind = field.dataset.kind;
  if (kind === "bool") return input.checked ? true : undefined;
  if (kind === "choice") return field.dataset.int ? Number(input.value) : input.value;
  const text = input.value;
  if (kind === "lines") {
    const lines = text.split("\n").map((line) => line.trim()).filter(Boolean);
    return lines.length ? lines : undefined;
  }
  if (kind === "int" || kind === "number") return text.trim() === "" ? undefined : Number(text);
  return text.trim() === "" ? undefined : text;
}

function setPath(target, path, value) {
  const keys = path.split(".");
  let node = target;
  for (const key of keys.slice(0, -1)) node = node[key] = node[key] || {};
  node[keys[keys.length - 1]] = value;
}

export function render(main, {navigate}) {
  const params = new URLSearchParams(location.search);
  let script = SCRIPTS.includes(params.get("script")) ? params.get("script") : "follow";
  let disposed = false;
  const tabs = h("div.tabs", {role: "tablist", "aria-label": "Script"});
  const phones = h("div.phone-picks", {role: "group", "aria-labelledby": "phones-label"},
    h("span.muted", {}, "Loading…"));
  const general = h("div.message", {});
  const scriptFields = h("fieldset.grid", {}, h("legend", {}, "Options"));
  const mode = h("select", {id: "f-mode", name: "mode", onchange: () => showMode()},
    h("option", {value: "serials"}, "on phones"), h("option", {value: "usernames"}, "as accounts"));
  const usernames = control("usernames", "lines", "Accounts", {hint: "one username per line; each runs on its phone"});
  const serialsField = h("div.field.k-serials", {dataset: {path: "serials"}},
    h("span.label", {id: "phones-label"}, "Phones *"), phones,
    h("p.field-error", {id: "f-serials-error", hidden: true}));
  const common = h("fieldset.grid", {}, h("legend", {}, "Where and when"),
    h("div.field", {}, h("label", {for: "f-mode"}, "Run"), mode),
    serialsField, usernames,
    control("enable_multi_account", "bool", "One task per account on each phone"),
    control("min_interval", "int", "Min interval (min)", {placeholder: "0", min: 0}),
    control("max_interval", "int", "Max interval (min)", {placeholder: "0", min: 0}),
    control("start_time", "text", "Start at (HH:MM)", {placeholder: "now", hint: "the server's clock, 24-hour"}));
  const submit = h("button.primary", {type: "submit"}, "Create");
  const form = h("form.create", {novalidate: true, onsubmit: (event) => { event.preventDefault(); send(); }},
    tabs, common, scriptFields, general, h("div.actions", {}, submit));
  fill(main, h("div.page-head", {}, h("h1", {}, "New task")), form);

  function showMode() {
    const byAccount = mode.value === "usernames";
    serialsField.hidden = byAccount;
    usernames.hidden = !byAccount;
  }

  function drawTabs() {
    fill(tabs, SCRIPTS.map((name) => h("button", {type: "button", role: "tab", "aria-selected": String(name === script),
      tabindex: name === script ? "0" : "-1", dataset: {script: name},
      onclick: () => choose(name), onkeydown: (event) => {
        const step = {ArrowRight: 1, ArrowLeft: -1}[event.key];
        if (!step) return;
        const next = SCRIPTS[(SCRIPTS.indexOf(name) + step + SCRIPTS.length) % SCRIPTS.length];
        choose(next);
        tabs.querySelector(`[data-script="${next}"]`).focus();
      }}, LABELS[name])));
  }

  function choose(name) {
    script = name;
    history.replaceState(null, "", `/new?script=${name}`);
    drawTabs();
    const options = OPTIONS[name];
    fill(scriptFields, h("legend", {}, `${LABELS[name]} options`),
      options.length ? options.map(([key, kind, label, extra]) => control(`script_config.${key}`, kind, label, extra))
        : h("p.muted", {}, "No options: it reads the accounts signed in on each phone into the registry."));
    clearErrors();
  }

  function clearErrors() {
    fill(general);
    for (const el of form.querySelectorAll(".field-error")) { el.hidden = true; el.textContent = ""; }
    for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  }

  /** The field an API message names: the earliest mention of a field's path (or its last key) in it. */
  function fieldNamed(message) {
    let best = null;
    for (const field of form.querySelectorAll(".field[data-path]")) {
      if (field.hidden) continue;
      const path = field.dataset.path;
      for (const name of new Set([path, path.split(".").pop()])) {
        const found = new RegExp(`(^|[^\\w.])${name.replace(/\./g, "\\.")}(\\[|[^\\w.]|$)`).exec(message);
        if (found && (!best || found.index < best.index || (found.index === best.index && name === path)))
          best = {field, index: found.index};
      }
    }
    return best && best.field;
  }

  async function send() {
    clearErrors();
    const body = {script_name: script, script_config: {}};
    for (const field of form.querySelectorAll(".field[data-path]")) {
      const path = field.dataset.path;
      if (field.hidden || path === "serials") continue;
      const value = valueOf(field);
      if (value !== undefined) setPath(body, path, value);
    }
    if (mode.value === "serials") {
      body.serials = [...phones.querySelectorAll("input:checked")].map((input) => input.value);
      if (!body.serials.length) delete body.serials;
    }
    submit.disabled = true;
    try {
      const created = await post("/task", body);
      if (created.task_ids.length === 1) {
        navigate(`/tasks/${created.task_ids[0]}`);
        return;
      }
      fill(general, notice("ok", `Created ${created.created_count} tasks: `,
        created.task_ids.slice(0, 20).map((id, i) => [i ? ", " : "", h("a", {href: `/tasks/${id}`}, `#${id}`)]),
        created.task_ids.length > 20 ? "…" : "",
        created.offline_serials.length ? ` (offline, they wait: ${created.offline_serials.join(", ")})` : ""));
    } catch (error) {
      const field = error instanceof ApiError ? fieldNamed(error.message) : null;
      if (field) {
        const slot = field.querySelector(".field-error");
        slot.textContent = error.message;
        slot.hidden = false;
        const input = field.querySelector("input, select, textarea");
        if (input) { input.setAttribute("aria-invalid", "true"); input.focus(); }
      } else {
        fill(general, notice("error", error.message));
      }
    } finally {
      submit.disabled = false;
    }
  }

  get("/device").then(({devices}) => {
    if (disposed) return;
    fill(phones, devices.length ? devices.map((d) => h("label.pick", {},
      h("input", {type: "checkbox", name: "serials", value: d.serial}),
      ` ${d.serial}`, h("span.muted", {}, ` ${d.model}${d.online ? "" : " · offline"}`)))
      : h("span.muted", {}, "no phone known"));
  }).catch((error) => fill(phones, notice("error", error.message)));

  drawTabs();
  choose(script);
  showMode();
  return {dispose: () => { disposed = true; }};
}
