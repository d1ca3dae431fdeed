// The global event log, followed through GET /api/v1/events/stream (Server-Sent Events) read with
// fetch, so that the API key goes in a header. After a drop it reconnects with Last-Event-ID: no
// gap, no duplicate. Listeners get each event ({position, type, task_id, stream, data, ...}) and
// each change of state: "connecting", "live", "reconnecting".
import {BASE, askKey, authHeaders} from "./api.js";

const MAX_DELAY_MS = 5000;

export class LogStream {
  constructor() {
    this.last = null;  // the position of the last event received
    this.state = "connecting";
    this.listeners = new Set();
    this.stateListeners = new Set();
  }

  onEvent(fn) { this.listeners.add(fn); return () => this.listeners.delete(fn); }
  onState(fn) { this.stateListeners.add(fn); return () => this.stateListeners.delete(fn); }

  setState(state) {
    if (state === this.state) return;
    this.state = state;
    for (const fn of this.stateListeners) fn(state);
  }

  async run() {
    let delay = 250;
    for (;;) {
      try {
        await this.connect(() => { delay = 250; });
      } catch (error) {
        if (error && error.keyRefused) {
          await askKey(error.message);
          continue;
        }
      }
      this.setState("reconnecting");
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, MAX_DELAY_MS);
    }
  }

  async connect(opened) {
    const headers = {Accept: "text/event-stream", ...authHeaders()};
    if (this.last !== null) headers["Last-Event-ID"] = String(this.last);
    const response = await fetch(`${BASE}/events/stream`, {headers, cache: "no-store"});
    const type = response.headers.get("content-type") || "";
    if (!type.startsWith("text/event-stream")) {
      const payload = await response.json().catch(() => ({}));
      const error = new Error(payload.message || `HTTP ${response.status}`);
      error.keyRefused = payload.code === 40101;
      throw error;
    }
    opened();
    this.setState("live");
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const {value, done} = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        this.dispatch(block);
      }
    }
  }

  dispatch(block) {
    let id = null, data = "";
    for (const line of block.split("\n")) {
      if (!line || line.startsWith(":")) continue;  // a keep-alive comment
      const colon = line.indexOf(":");
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
      if (field === "id") id = value;
      else if (field === "data") data += (data ? "\n" : "") + value;
    }
    if (!data) return;
    const event = JSON.parse(data);
    if (id !== null) this.last = Number(id);
    for (const fn of this.listeners) fn(event);
  }
}
