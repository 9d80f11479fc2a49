// One completion: transcript, request parameters, response, usage, cost, status, metadata,
// stacktrace, feedback, raw JSON and "copy as curl".
import { useEffect, useState } from "preact/hooks";
import { feedbackTasks, get } from "../api.js";
import { html } from "../html.js";
import { formatCost, formatCount, formatDuration, formatTime } from "../format.js";
import { Transcript } from "../transcript.js";
import { ErrorBox, Json, StatusBadge, Tags } from "../widgets.js";

const shellQuote = (text) => "'" + String(text).replace(/'/g, "'\\''") + "'";

/** curl replaying the LLM request against an OpenAI-compatible endpoint (the key stays a variable). */
export function replayCurl(completion) {
  const body = JSON.stringify(completion.request || {}, null, 2);
  const path = completion.kind === "prompt" ? "/v1/completions" : "/v1/chat/completions";
  return `curl https://api.openai.com${path} \\\n  -H "Authorization: Bearer $OPENAI_API_KEY" \\\n  -H "Content-Type: application/json" \\\n  -d ${shellQuote(body)}`;
}

/** curl reading this completion back from tenlog's REST API (the key stays a variable). */
export function fetchCurl(completion) {
  return `curl ${shellQuote(location.origin + "/api/v1/completions/" + encodeURIComponent(completion.id))} \\\n  -H "X-Log10-Token: $TENLOG_API_KEY"`;
}

function Field({ label, children }) {
  return html`<div class="field-row"><dt>${label}</dt><dd>${children}</dd></div>`;
}

function Params({ request }) {
  const entries = Object.entries(request || {}).filter(([name]) => !["messages", "prompt", "tools"].includes(name));
  if (!entries.length) return html`<p class="muted">No parameters.</p>`;
  return html`<dl class="params" id="request-params">${entries.map(([name, value]) => html`
    <${Field} label=${name}>${typeof value === "object" ? html`<code>${JSON.stringify(value)}</code>` : String(value)}<//>`)}</dl>`;
}

function Stacktrace({ frames }) {
  if (!frames || !frames.length) return null;
  return html`<section><h3>Stacktrace</h3><table class="grid stack">
    <thead><tr><th>file</th><th>line</th><th>function</th><th>source</th></tr></thead>
    <tbody>${frames.map((f) => html`<tr><td>${f.file}</td><td class="num">${f.lineno}</td><td>${f.name}</td><td><code>${f.line}</code></td></tr>`)}</tbody>
  </table></section>`;
}

function FeedbackList({ id }) {
  const [state, setState] = useState({ items: null, tasks: {}, error: null });
  useEffect(() => {
    Promise.all([get("/api/v1/feedback", { completion_id: id, page_size: 100 }), feedbackTasks()])
      .then(([page, tasks]) => setState({ items: page.feedback || [], tasks: Object.fromEntries(tasks.map((t) => [t.id, t])), error: null }))
      .catch((error) => setState({ items: [], tasks: {}, error }));
  }, [id]);
  if (state.error) return html`<${ErrorBox} error=${state.error} />`;
  if (!state.items) return html`<p class="muted">Loading feedback…</p>`;
  if (!state.items.length) return html`<p class="muted" id="no-feedback">No feedback yet.</p>`;
  return html`<div id="feedback">${state.items.map((f) => html`
    <div class="card feedback">
      <div><strong>${(state.tasks[f.task_id] && state.tasks[f.task_id].name) || f.task_id}</strong>
        <span class="muted"> · ${formatTime(f.created_at)}</span></div>
      <${Json} value=${f.json_values} />
      ${f.comment && html`<p>${f.comment}</p>`}
    </div>`)}</div>`;
}

function CopyButton({ label, text }) {
  const [shown, setShown] = useState(false);
  const [copied, setCopied] = useState("");
  const copy = async () => {
    setShown(true);
    try {
      await navigator.clipboard.writeText(text);
      setCopied("copied");
    } catch (error) {
      setCopied(`not copied (${error.message}): select the text below`);
    }
  };
  return html`<span>
    <button type="button" onClick=${copy}>${label}</button>${copied && html` <span class="muted" role="status">${copied}</span>`}
    ${shown && html`<pre class="json curl">${text}</pre>`}</span>`;
}

export function CompletionPage({ id }) {
  const [state, setState] = useState({ completion: null, error: null });
  const [raw, setRaw] = useState(false);
  useEffect(() => {
    setState({ completion: null, error: null });
    get("/api/v1/completions/" + encodeURIComponent(id))
      .then((completion) => setState({ completion, error: null }))
      .catch((error) => setState({ completion: null, error }));
  }, [id]);
  if (state.error) return html`<${ErrorBox} error=${state.error} />`;
  const c = state.completion;
  if (!c) return html`<p class="muted">Loading…</p>`;
  const response = c.response || {};
  const usage = response.usage || {};
  return html`
    <article class="completion" id="completion">
      <p><a href="#/completions" onClick=${(e) => { if (history.length > 1) { e.preventDefault(); history.back(); } }}>← back</a></p>
      <h2>${c.model || "completion"} <${StatusBadge} status=${c.status} /> <small class="muted">${c.id}</small></h2>
      <div class="columns">
        <div class="main-column">
          <h3>Conversation</h3>
          <${Transcript} completion=${c} />
        </div>
        <aside class="side-column">
          <dl class="facts">
            <${Field} label="created">${formatTime(c.created_at)}<//>
            <${Field} label="updated">${formatTime(c.updated_at)}<//>
            <${Field} label="status"><${StatusBadge} status=${c.status} /><//>
            ${(c.failure_kind || c.failure_reason) && html`<${Field} label="failure"><span class="error-text" id="failure">${c.failure_kind}${c.failure_kind && c.failure_reason ? ": " : ""}${c.failure_reason}</span><//>`}
            <${Field} label="duration">${formatDuration(c.duration) || "-"}<//>
            <${Field} label="tokens">${formatCount(c.prompt_tokens)} prompt + ${formatCount(c.completion_tokens)} completion = ${formatCount(c.total_tokens)}<//>
            <${Field} label="cost">${formatCost(c.cost) || "-"}<//>
            <${Field} label="kind">${c.kind}<//>
            <${Field} label="source">${c.source}<//>
            <${Field} label="session">${c.session_id ? html`<a href=${"#/sessions/" + encodeURIComponent(c.session_id)}>${c.session_id}</a>` : "-"}<//>
            <${Field} label="tags"><${Tags} tags=${c.tags} /><//>
          </dl>
          <h3>Request parameters</h3>
          <${Params} request=${c.request} />
          ${c.request && c.request.tools && html`<details><summary>Tools (${c.request.tools.length})</summary><${Json} value=${c.request.tools} /></details>`}
          <h3>Response</h3>
          <dl class="params">
            ${response.id && html`<${Field} label="id">${response.id}<//>`}
            ${response.model && html`<${Field} label="model">${response.model}<//>`}
            ${(response.choices || []).map((ch, i) => html`<${Field} label=${"choice " + (ch.index ?? i)}>finish_reason ${ch.finish_reason || "-"}<//>`)}
          </dl>
          <h3>Usage</h3>
          <${Json} value=${usage} />
          <h3>Metadata</h3>
          ${c.metadata && Object.keys(c.metadata).length ? html`<${Json} value=${c.metadata} />` : html`<p class="muted">None.</p>`}
          ${c.extra && Object.keys(c.extra).length > 0 && html`<h3>Other fields</h3><${Json} value=${c.extra} />`}
        </aside>
      </div>
      <${Stacktrace} frames=${c.stacktrace} />
      <section><h3>Feedback</h3><${FeedbackList} id=${c.id} /></section>
      <section class="actions">
        <${CopyButton} label="Copy as curl" text=${replayCurl(c)} />
        <${CopyButton} label="Copy API curl" text=${fetchCurl(c)} />
        <button type="button" id="show-raw" onClick=${() => setRaw(!raw)}>${raw ? "Hide raw JSON" : "Raw JSON"}</button>
        ${raw && html`<pre class="json" id="raw-json">${JSON.stringify(c, null, 2)}</pre>`}
      </section>
    </article>`;
}
