// The ungraded inbox: one completion at a time beside the task's generated form. Ctrl+Enter
// submits, Alt+N skips; a graded completion leaves the inbox and the count of what is left drops.
import { useEffect, useRef, useState } from "preact/hooks";
import { ApiError, feedbackTasks, get, post } from "../api.js";
import { html } from "../html.js";
import { formatCost, formatDuration, formatTime } from "../format.js";
import { SchemaForm, errorsFromViolations, initialValue, validate } from "../schema_form.js";
import { Transcript } from "../transcript.js";
import { ErrorBox, StatusBadge, Tags } from "../widgets.js";

const BATCH = 50;

/** The filter counting what is left: carries every selector tag and has no feedback yet. */
export function leftFilter(task) {
  const clauses = (task.completion_tags_selector || []).map((tag) => `tags:"${tag.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`);
  return [...clauses, "graded = false"].join(" AND ");
}

function TaskChooser() {
  const [tasks, setTasks] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => { feedbackTasks(true).then(setTasks).catch(setError); }, []);
  return html`<section><h2>Ungraded inbox</h2><p>Choose a feedback task to grade:</p>
    <${ErrorBox} error=${error} />
    <ul class="task-list">${(tasks || []).map((t) => html`<li><a href=${"#/inbox?task=" + encodeURIComponent(t.id)}>${t.name}</a>
      <span class="muted"> ${(t.completion_tags_selector || []).join(", ")}</span></li>`)}</ul>
    ${tasks && tasks.length === 0 && html`<p class="muted">No tasks yet: <a href="#/tasks?new=1">create one</a>.</p>`}</section>`;
}

export function InboxPage({ params }) {
  const taskId = params.get("task");
  if (!taskId) return html`<${TaskChooser} />`;
  return html`<${Inbox} key=${taskId} taskId=${taskId} />`;
}

function Inbox({ taskId }) {
  const [task, setTask] = useState(null);
  const [queue, setQueue] = useState(null);
  const [nextToken, setNextToken] = useState("");
  const [left, setLeft] = useState(null);
  const [countError, setCountError] = useState(null);
  const [value, setValue] = useState(undefined);
  const [comment, setComment] = useState("");
  const [errors, setErrors] = useState({});
  const [error, setError] = useState(null);
  const [notice, setNotice] = useState("");
  const [busy, setBusy] = useState(false);
  const skipped = useRef(new Set());
  const formRef = useRef(null);

  const countLeft = (t) => get("/api/v1/completions:aggregate", { filter: leftFilter(t) })
    .then((answer) => { setLeft(Number(((answer.groups || [])[0] || {}).count || 0)); setCountError(null); })
    .catch((e) => { setLeft(null); setCountError(e); });

  const fetchPage = async (token) => {
    const page = await get("/api/v1/completions/ungraded", { task_id: taskId, page_size: BATCH, page_token: token });
    setNextToken(page.next_page_token || "");
    return (page.completions || []).filter((c) => !skipped.current.has(c.id));
  };

  useEffect(() => {
    (async () => {
      const t = await get("/api/v1/feedback_task/" + encodeURIComponent(taskId));
      setTask(t);
      setValue(initialValue(t.json_schema || {}));
      setQueue(await fetchPage(""));
      countLeft(t);
    })().catch(setError);
  }, [taskId]);

  const current = queue && queue[0];
  const reset = () => {
    setValue(initialValue(task.json_schema || {}));
    setComment("");
    setErrors({});
  };
  const advance = async (rest) => {
    if (rest.length === 0 && nextToken) rest = await fetchPage(nextToken);
    setQueue(rest);
  };

  // After a refusal the keyboard lands on the first field that has an error.
  const focusFirstInvalid = () => setTimeout(() => {
    formRef.current?.querySelector(".invalid input, .invalid select, .invalid textarea")?.focus();
  }, 0);

  async function submit() {
    if (!current || busy) return;
    const found = validate(task.json_schema || {}, value);
    setErrors(found);
    setNotice("");
    if (Object.keys(found).length) {
      focusFirstInvalid();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await post("/api/v1/feedback", { task_id: task.id, json_values: value ?? {}, completion_ids: [current.id], comment });
    } catch (e) {
      const atFields = e instanceof ApiError ? errorsFromViolations(e.violations) : {};
      if (Object.keys(atFields).length) { setErrors(atFields); focusFirstInvalid(); }
      setError(e);
      setBusy(false);
      return;
    }
    setNotice(`Graded ${current.id}.`);
    setLeft((n) => (n === null ? null : Math.max(n - 1, 0)));
    reset();
    try {
      await advance(queue.slice(1));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  async function skip() {
    if (!current || busy) return;
    skipped.current.add(current.id);
    setNotice(`Skipped ${current.id}.`);
    reset();
    setError(null);
    try { await advance(queue.slice(1)); } catch (e) { setError(e); }
  }

  // Keyboard: Ctrl/Cmd+Enter submits, Alt+N skips; both work while typing in the form.
  const actions = useRef({});
  actions.current = { submit, skip };
  useEffect(() => {
    const onKey = (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key === "Enter") { e.preventDefault(); actions.current.submit(); }
      else if (e.altKey && e.code === "KeyN") { e.preventDefault(); actions.current.skip(); }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  if (error && !task) return html`<${ErrorBox} error=${error} />`;
  if (!task || !queue) return html`<p class="muted">Loading…</p>`;
  return html`
    <section class="inbox">
      <div class="toolbar">
        <h2>${task.name}</h2>
        <span class="count" id="left-count">${left === null ? `${queue.length}${nextToken ? "+" : ""} in this batch` : `${left} left`}</span>
      </div>
      ${task.instruction && html`<p class="instruction">${task.instruction}</p>`}
      ${countError && html`<p class="error" role="alert" id="count-error">Cannot count what is left: ${countError.message}</p>`}
      ${notice && html`<p class="notice" id="notice" role="status">${notice}</p>`}
      ${!current ? html`<p class="done" id="inbox-empty">Nothing left to grade for this task.</p>` : html`
        <div class="columns">
          <div class="main-column" id="inbox-completion" data-id=${current.id}>
            <p><a href=${"#/completions/" + encodeURIComponent(current.id)}>${current.model || current.id}</a>
              <${StatusBadge} status=${current.status} /> <span class="muted">${formatTime(current.created_at)} · ${formatDuration(current.duration)} ${formatCost(current.cost)}</span>
              <${Tags} tags=${current.tags} /></p>
            <${Transcript} completion=${current} />
          </div>
          <form class="side-column grade-form" id="grade-form" ref=${formRef} novalidate onSubmit=${(e) => { e.preventDefault(); submit(); }}>
            <${SchemaForm} schema=${task.json_schema || {}} value=${value} onChange=${setValue} errors=${errors} idPrefix="grade" />
            <label>Comment <textarea id="grade-comment" rows="2" value=${comment} onInput=${(e) => setComment(e.target.value)}></textarea></label>
            <${ErrorBox} error=${error} />
            <div class="buttons">
              <button type="submit" id="submit-grade" disabled=${busy}>Submit <kbd>Ctrl+Enter</kbd></button>
              <button type="button" id="skip" onClick=${skip}>Skip <kbd>Alt+N</kbd></button>
            </div>
          </form>
        </div>`}
    </section>`;
}
