// The API client: the envelope, the API key (asked once, kept in localStorage), files as blobs.
import {h} from "./dom.js";

const KEY = "droidledger.apiKey";
export const BASE = "/api/v1";

export class ApiError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
  }
}

export function authHeaders() {
  const key = localStorage.getItem(KEY);
  return key ? {Authorization: `Bearer ${key}`} : {};
}

let asking = null;

/** Ask for the API key (one dialog however many calls need it); resolves once a key is entered. */
export function askKey(reason) {
  if (asking) return asking;
  asking = new Promise((resolve) => {
    const input = h("input", {type: "password", id: "api-key", autocomplete: "current-password", required: true});
    const dialog = h("dialog.keybox", {"aria-labelledby": "key-title"},
      h("form", {method: "dialog", onsubmit: () => {
        localStorage.setItem(KEY, input.value.trim());
        asking = null;
        setTimeout(() => dialog.remove());
        resolve();
      }},
        h("h2", {id: "key-title"}, "API key"),
        h("p", {}, "This server asks for an API key (", h("code", {}, "serve --api-key"),
          "). It is kept in this browser and sent with every call."),
        reason && localStorage.getItem(KEY) ? h("p.field-error", {}, "The key was refused: ", reason) : null,
        h("label", {for: "api-key"}, "Key"), input,
        h("div.actions", {}, h("button.primary", {type: "submit"}, "Use this key"))));
    dialog.addEventListener("cancel", (event) => event.preventDefault());  // no way around it
    document.body.append(dialog);
    dialog.showModal();
    input.focus();
  });
  return asking;
}

/** One call; its `data`, or an ApiError with the envelope's code and message. */
export async function call(method, path, body) {
  const init = {method, headers: {...authHeaders()}};
  if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(BASE + path, init);
  } catch (error) {
    throw new ApiError(0, "the server cannot be reached");
  }
  let payload;
  try {
    payload = await response.json();
  } catch {
    throw new ApiError(0, `the server answered HTTP ${response.status} without an envelope`);
  }
  if (payload.code === 40101) {
    await askKey(payload.message);
    return call(method, path, body);
  }
  if (payload.code !== 0) throw new ApiError(payload.code, payload.message);
  return payload.data;
}

export const get = (path) => call("GET", path);
export const post = (path, body) => call("POST", path, body);
export const del = (path, body) => call("DELETE", path, body);

/** A file of the API (a screenshot, an artifact) as an object URL; ApiError when it answers an envelope. */
export async function blobUrl(path) {
  const response = await fetch(BASE + path, {headers: authHeaders()});
  const type = response.headers.get("content-type") || "";
  if (type.startsWith("application/json")) {
    const payload = await response.json();
    if (payload.code === 40101) {
      await askKey(payload.message);
      return blobUrl(path);
    }
    throw new ApiError(payload.code, payload.message);
  }
  if (!response.ok) throw new ApiError(0, `HTTP ${response.status}`);
  return URL.createObjectURL(await response.blob());
}

/** Encode query parameters, leaving out empty values. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.set(key, value);
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}
