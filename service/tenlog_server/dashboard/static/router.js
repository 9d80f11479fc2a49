// Hash routes (#/completions?q=...): the page and its state live in the URL, so a view can be
// shared and reloaded, and the server only ever serves `/`.
import { useEffect, useState } from "preact/hooks";

/** {path, params} of the current location. */
export function currentRoute() {
  const hash = location.hash.replace(/^#/, "") || "/completions";
  const [path, query = ""] = hash.split("?", 2);
  return { path, params: new URLSearchParams(query) };
}

/** The hash href of a path with parameters (empty values dropped). */
export function href(path, params = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") query.set(name, value);
  }
  const text = query.toString();
  return "#" + path + (text ? "?" + text : "");
}

/** Go to a path; `replace` keeps the history entry (typing in a bar), otherwise a new one. */
export function navigate(path, params = {}, { replace = false } = {}) {
  const target = href(path, params);
  if (replace) history.replaceState(history.state, "", target);
  else history.pushState(null, "", target);
  window.dispatchEvent(new HashChangeEvent("hashchange"));
}

/** The current route, re-rendered on every change. */
export function useRoute() {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const update = () => setRoute(currentRoute());
    window.addEventListener("hashchange", update);
    return () => window.removeEventListener("hashchange", update);
  }, []);
  return route;
}
