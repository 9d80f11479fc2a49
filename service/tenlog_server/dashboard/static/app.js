// The dashboard shell: sign-in, navigation, and the page of the current route.
import { render } from "preact";
import { useEffect, useRef, useState } from "preact/hooks";
import { auth, ApiError, get, onUnauthorized } from "./api.js";
import { html } from "./html.js";
import { navigate, useRoute } from "./router.js";
import { CompletionsPage } from "./pages/completions.js";
import { CompletionPage } from "./pages/completion.js";
import { SessionsPage, SessionPage } from "./pages/sessions.js";
import { AnalyticsPage } from "./pages/analytics.js";
import { TasksPage } from "./pages/tasks.js";
import { InboxPage } from "./pages/inbox.js";

/** What the sign-in form says about a refused key: the server's own reason, in plain words. */
function signInMessage(error) {
  if (error.status === 401) return `This API key was refused: ${error.message}. Paste the whole key, as \`tenlog keys create\` printed it.`;
  if (error.status === 403) return `This key may not read that organization: ${error.message}. Leave the organization empty to use the key's own.`;
  if (error.status === 0) return error.message;
  return `The server answered ${error.status}: ${error.message}`;
}

function SignIn({ onSignedIn, notice }) {
  const [key, setKey] = useState("");
  const [org, setOrg] = useState("");
  const [error, setError] = useState(notice || "");
  const [busy, setBusy] = useState(false);

  async function submit(event) {
    event.preventDefault();
    const credentials = { key: key.trim(), org: org.trim() };
    if (!credentials.key) { setError("Paste an API key first."); return; }
    setBusy(true);
    setError("");
    try {
      // Any authenticated read proves the key (and the organization) before it is kept.
      await get("/api/v1/sessions", { page_size: 1 }, { credentials });
      auth.save(credentials.key, credentials.org);
      onSignedIn();
    } catch (e) {
      setError(e instanceof ApiError ? signInMessage(e) : String(e));
    } finally {
      setBusy(false);
    }
  }

  return html`
    <main class="signin">
      <h1>tenlog</h1>
      <p class="muted">Sign in with an API key. It is kept in this tab's session storage only, and sent to this server in a header.</p>
      <form onSubmit=${submit} autocomplete="off">
        <label>API key
          <input id="api-key" type="password" value=${key} onInput=${(e) => setKey(e.target.value)} placeholder="tlk_…" autofocus spellcheck="false" />
        </label>
        <label>Organization <span class="muted">(optional: the key's own by default)</span>
          <input id="organization" value=${org} onInput=${(e) => setOrg(e.target.value)} spellcheck="false" />
        </label>
        ${error && html`<p class="error" role="alert" id="signin-error">${error}</p>`}
        <button type="submit" disabled=${busy}>${busy ? "Checking…" : "Sign in"}</button>
      </form>
    </main>`;
}

const NAV = [
  ["/completions", "Completions"],
  ["/sessions", "Sessions"],
  ["/analytics", "Analytics"],
  ["/tasks", "Feedback tasks"],
  ["/inbox", "Inbox"],
];

function Page({ route }) {
  const parts = route.path.split("/").filter(Boolean).map(decodeURIComponent);
  const [section, id] = parts;
  if (section === "completions" && id) return html`<${CompletionPage} id=${id} />`;
  if (section === "sessions" && id) return html`<${SessionPage} id=${id} />`;
  if (section === "sessions") return html`<${SessionsPage} params=${route.params} />`;
  if (section === "analytics") return html`<${AnalyticsPage} params=${route.params} />`;
  if (section === "tasks") return html`<${TasksPage} params=${route.params} />`;
  if (section === "inbox") return html`<${InboxPage} params=${route.params} />`;
  return html`<${CompletionsPage} params=${route.params} />`;
}

/** Errors no page caught (a bug, or a failure nobody expected) are shown, not left in the console. */
function useUncaughtErrors() {
  const [errors, setErrors] = useState([]);
  useEffect(() => {
    const add = (message) => setErrors((list) => [...list.slice(-2), String(message)]);
    const onError = (e) => add(e.message || e.error || "script error");
    const onRejection = (e) => { if (!(e.reason && e.reason.name === "AbortError")) add((e.reason && e.reason.message) || e.reason); };
    window.addEventListener("error", onError);
    window.addEventListener("unhandledrejection", onRejection);
    return () => { window.removeEventListener("error", onError); window.removeEventListener("unhandledrejection", onRejection); };
  }, []);
  return [errors, () => setErrors([])];
}

function App() {
  const route = useRoute();
  const [signedIn, setSignedIn] = useState(Boolean(auth.key));
  const [notice, setNotice] = useState("");
  const [uncaught, dismiss] = useUncaughtErrors();
  // A new page takes the keyboard focus, so Tab continues from its content, not the old page's.
  const firstRoute = useRef(true);
  useEffect(() => {
    if (firstRoute.current) { firstRoute.current = false; return; }
    document.getElementById("main")?.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }, [route.path]);

  useEffect(() => onUnauthorized((error) => {
    auth.clear();
    setNotice(`Signed out: ${error.message}`);
    setSignedIn(false);
  }), []);

  if (!signedIn) return html`<${SignIn} notice=${notice} onSignedIn=${() => { setNotice(""); setSignedIn(true); }} />`;

  const signOut = () => {
    auth.clear();
    setSignedIn(false);
    navigate("/completions");
  };
  const section = "/" + (route.path.split("/")[1] || "completions");
  return html`
    <header class="top">
      <a class="brand" href="#/completions">tenlog</a>
      <nav>${NAV.map(([path, label]) => html`<a href=${"#" + path} class=${section === path ? "active" : ""}>${label}</a>`)}</nav>
      <span class="who">${auth.org || "key's organization"}</span>
      <button class="link" id="sign-out" onClick=${signOut}>Sign out</button>
    </header>
    ${uncaught.length > 0 && html`<div class="error uncaught" role="alert" id="uncaught-error">
      Something went wrong on this page: ${uncaught.join("; ")}
      <button type="button" class="link" onClick=${dismiss}>Dismiss</button></div>`}
    <main class="page" id="main" tabindex="-1"><${Page} route=${route} key=${route.path} /></main>`;
}

const root = document.getElementById("app");
root.replaceChildren();
render(html`<${App} />`, root);
