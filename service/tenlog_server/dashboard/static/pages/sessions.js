// Sessions: the list, and one session's completions as a timeline.
import { useEffect, useState } from "preact/hooks";
import { get } from "../api.js";
import { html } from "../html.js";
import { navigate } from "../router.js";
import { previousToken, rememberPrevious } from "../paging.js";
import { clip, contentText, formatCost, formatDuration, formatTime } from "../format.js";
import { ErrorBox, StatusBadge } from "../widgets.js";

const SESSION_PAGE = 50;
const TIMELINE_LIMIT = 1000;

export function SessionsPage({ params }) {
  const token = params.get("page") || "";
  const [state, setState] = useState({ sessions: null, next: "", error: null });
  useEffect(() => {
    get("/api/v1/sessions", { page_size: SESSION_PAGE, page_token: token })
      .then((page) => setState({ sessions: page.sessions || [], next: page.next_page_token || "", error: null }))
      .catch((error) => setState({ sessions: [], next: "", error }));
  }, [token]);
  return html`
    <section>
      <h2>Sessions</h2>
      <${ErrorBox} error=${state.error} />
      ${state.sessions === null ? html`<p class="muted">Loading…</p>` : html`
        <table class="grid" id="sessions">
          <thead><tr><th>Session</th><th>Started</th></tr></thead>
          <tbody>${state.sessions.map((s) => html`
            <tr class="row" onClick=${() => navigate("/sessions/" + encodeURIComponent(s.id))}>
              <td><a href=${"#/sessions/" + encodeURIComponent(s.id)}>${s.id}</a></td><td>${formatTime(s.created_at)}</td></tr>`)}</tbody>
        </table>
        ${state.sessions.length === 0 && html`<p class="muted">No sessions yet.</p>`}`}
      <div class="pager">
        <button type="button" id="previous" disabled=${!token} onClick=${() => navigate("/sessions", { page: previousToken(token) })}>← Previous</button>
        <button type="button" id="next" disabled=${!state.next} onClick=${() => { rememberPrevious(state.next, token); navigate("/sessions", { page: state.next }); }}>Next →</button>
      </div>
    </section>`;
}

function lastUserText(c) {
  const messages = (c.request && c.request.messages) || [];
  const user = [...messages].reverse().find((m) => m.role === "user");
  return user ? contentText(user.content) : contentText(c.request && c.request.prompt);
}

function replyText(c) {
  const choice = ((c.response && c.response.choices) || [])[0];
  if (!choice) return "";
  const message = choice.message || {};
  const calls = (message.tool_calls || []).map((t) => `${(t.function || {}).name}(…)`).join(", ");
  return contentText(message.content ?? choice.text) || (calls && `→ ${calls}`);
}

/** All of a session's completions, oldest first, on one time axis with their durations drawn as bars. */
export function SessionPage({ id }) {
  const [state, setState] = useState({ rows: null, error: null, more: false });
  useEffect(() => {
    (async () => {
      const rows = [];
      let token = "";
      do {
        const page = await get("/api/v1/completions", { session_id: id, page_size: 200, page_token: token });
        rows.push(...(page.completions || []));
        token = page.next_page_token || "";
      } while (token && rows.length < TIMELINE_LIMIT);
      rows.sort((a, b) => String(a.created_at).localeCompare(String(b.created_at)));
      setState({ rows, error: null, more: Boolean(token) });
    })().catch((error) => setState({ rows: [], error, more: false }));
  }, [id]);
  if (state.error) return html`<${ErrorBox} error=${state.error} />`;
  if (!state.rows) return html`<p class="muted">Loading…</p>`;
  const rows = state.rows;
  const start = rows.length ? Date.parse(rows[0].created_at) : 0;
  const end = Math.max(...rows.map((c) => Date.parse(c.created_at) + Number(c.duration || 0) * 1000), start + 1);
  const span = end - start;
  const cost = rows.reduce((sum, c) => sum + Number(c.cost || 0), 0);
  return html`
    <section>
      <h2>Session <code>${id}</code></h2>
      <p class="muted">${rows.length}${state.more ? "+" : ""} completions · ${formatDuration(span / 1000) || "0 s"} from first to last · ${formatCost(cost) || "no cost"}</p>
      <ol class="timeline" id="timeline">
        ${rows.map((c) => {
          const offset = Date.parse(c.created_at) - start;
          const left = (offset / span) * 100;
          const width = Math.max((Number(c.duration || 0) * 1000 / span) * 100, 0.5);
          return html`
            <li class="timeline-item" onClick=${() => navigate("/completions/" + encodeURIComponent(c.id))}>
              <div class="when">+${formatDuration(offset / 1000) || "0 s"}<br /><span class="muted">${formatTime(c.created_at)}</span></div>
              <div class="what">
                <div><a href=${"#/completions/" + encodeURIComponent(c.id)}>${c.model || c.id}</a> <${StatusBadge} status=${c.status} />
                  <span class="muted">${formatDuration(c.duration)} ${formatCost(c.cost)}</span></div>
                <div class="bar-track"><div class=${"bar status-" + c.status} style=${`left:${left}%;width:${Math.min(width, 100 - left)}%`}></div></div>
                <div class="snippet"><span class="muted">user:</span> ${clip(lastUserText(c), 160)}</div>
                <div class="snippet"><span class="muted">reply:</span> ${clip(replyText(c), 160)}</div>
              </div>
            </li>`;
        })}
      </ol>
    </section>`;
}
