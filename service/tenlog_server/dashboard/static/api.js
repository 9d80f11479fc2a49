// The public REST API, with the API key the user pasted. The key lives in sessionStorage only:
// it goes out in the X-Log10-Token header, never in a URL, and sign-out removes it.
const KEY = "tenlog.apiKey";
const ORG = "tenlog.organization";

export const auth = {
  get key() { return sessionStorage.getItem(KEY) || ""; },
  get org() { return sessionStorage.getItem(ORG) || ""; },
  save(key, org) {
    sessionStorage.setItem(KEY, key);
    if (org) sessionStorage.setItem(ORG, org); else sessionStorage.removeItem(ORG);
  },
  clear() { sessionStorage.removeItem(KEY); sessionStorage.removeItem(ORG); },
};

/** An error answer of the API: HTTP status, gRPC code, message and BadRequest field violations. */
export class ApiError extends Error {
  constructor(status, body, fallback) {
    super((body && (body.message || body.error)) || fallback || `HTTP ${status}`);
    this.status = status;
    this.code = body && body.code;
    this.violations = [];
    this.reason = "";
    for (const detail of (body && body.details) || []) {
      const type = detail["@type"] || "";
      if (type.endsWith("google.rpc.BadRequest")) {
        for (const v of detail.field_violations || detail.fieldViolations || []) this.violations.push(v);
      } else if (type.endsWith("google.rpc.ErrorInfo")) {
        this.reason = detail.reason || "";
      }
    }
  }
}

let unauthorizedHandler = null;
/** Called with the error when a call is refused as unauthenticated (the key was revoked meanwhile). */
export function onUnauthorized(handler) { unauthorizedHandler = handler; }

function authHeaders(credentials) {
  const key = credentials ? credentials.key : auth.key;
  const org = credentials ? credentials.org : auth.org;
  const headers = { "X-Log10-Token": key };
  if (org) headers["X-Log10-Organization"] = org;
  return headers;
}

function buildUrl(path, query) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(query || {})) {
    if (value === undefined || value === null || value === "") continue;
    for (const one of Array.isArray(value) ? value : [value]) url.searchParams.append(name, String(one));
  }
  return url;
}

/** One JSON call. Throws ApiError on a non-2xx answer. `credentials` overrides the stored key (sign-in). */
export async function call(method, path, { query, body, signal, credentials } = {}) {
  const headers = authHeaders(credentials);
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(buildUrl(path, query), {
      method, headers, signal, cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    if (error.name === "AbortError") throw error;
    throw new ApiError(0, null, "Cannot reach the tenlog server: " + error.message);
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!response.ok) {
    const error = new ApiError(response.status, data, text.slice(0, 300));
    if (response.status === 401 && !credentials && unauthorizedHandler) unauthorizedHandler(error);
    throw error;
  }
  return data;
}

export const get = (path, query, options = {}) => call("GET", path, { ...options, query });
export const post = (path, body, options = {}) => call("POST", path, { ...options, body });

/**
 * The live tail: GET /api/v1/completions:tail is NDJSON over a long response. EventSource cannot
 * send the key header, so this reads the fetch body stream line by line and calls onEvent for each
 * `{"result": ...}`. Resolves when the stream ends; rejects with ApiError on an `{"error": ...}` line.
 */
export async function tail(query, onEvent, signal) {
  const response = await fetch(buildUrl("/api/v1/completions:tail", query), {
    headers: authHeaders(), signal, cache: "no-store",
  });
  if (!response.ok) {
    let data = null;
    try { data = await response.json(); } catch { data = null; }
    throw new ApiError(response.status, data);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += value;
    let newline;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (!line) continue;
      const item = JSON.parse(line);
      if (item.error) throw new ApiError(200, item.error);
      if (item.result) onEvent(item.result);
    }
  }
}

/** Feedback tasks by id, fetched once per page load (names for feedback and the inbox). */
let tasksPromise = null;
export function feedbackTasks(refresh = false) {
  if (refresh || !tasksPromise) {
    tasksPromise = get("/api/v1/feedback_task", { page_size: 1000 }).then((tasks) => tasks || []);
    tasksPromise.catch(() => { tasksPromise = null; });
  }
  return tasksPromise;
}
