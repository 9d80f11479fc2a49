// Feedback tasks: the list, and a new task written as JSON Schema with a live preview of its form.
import { useEffect, useMemo, useState } from "preact/hooks";
import { feedbackTasks, get, post } from "../api.js";
import { html } from "../html.js";
import { navigate } from "../router.js";
import { formatTime } from "../format.js";
import { SchemaForm, initialValue, validate } from "../schema_form.js";
import { ErrorBox, Json } from "../widgets.js";

const EXAMPLE_SCHEMA = {
  type: "object",
  required: ["rating"],
  properties: {
    rating: { type: "integer", minimum: 1, maximum: 5, title: "Rating" },
    verdict: { enum: ["correct", "partly correct", "wrong"] },
    harmful: { type: "boolean" },
    note: { type: "string", maxLength: 500 },
  },
};

/** Tags seen on recent completions, offered by the tag selector. */
function useRecentTags() {
  const [state, setState] = useState({ tags: [], error: null });
  useEffect(() => {
    get("/api/v1/completions", { page_size: 200 })
      .then((page) => setState({ tags: [...new Set((page.completions || []).flatMap((c) => c.tags || []))].sort(), error: null }))
      .catch((error) => setState({ tags: [], error }));
  }, []);
  return state;
}

/** Chosen tags as removable chips, an input to add one (Enter or comma), suggestions from recent completions. */
export function TagSelector({ value, onChange, id }) {
  const [draft, setDraft] = useState("");
  const { tags: suggestions, error } = useRecentTags();
  const add = (tag) => {
    const t = tag.trim();
    if (t && !value.includes(t)) onChange([...value, t]);
    setDraft("");
  };
  return html`<div class="tag-selector">
    ${value.map((tag) => html`<span class="chip on">${tag}
      <button type="button" class="link" aria-label=${"remove " + tag} onClick=${() => onChange(value.filter((t) => t !== tag))}>×</button></span>`)}
    <input id=${id} list=${id + "-suggestions"} value=${draft} placeholder="add a tag" spellcheck="false"
      onInput=${(e) => setDraft(e.target.value)}
      onChange=${(e) => { if (suggestions.includes(e.target.value)) add(e.target.value); }}
      onKeyDown=${(e) => { if (e.key === "Enter" || e.key === ",") { e.preventDefault(); add(draft); } }} />
    ${error && html`<span class="error-text" role="alert">No tag suggestions: ${error.message}</span>`}
    <datalist id=${id + "-suggestions"}>${suggestions.filter((t) => !value.includes(t)).map((t) => html`<option value=${t} />`)}</datalist>
  </div>`;
}

function NewTask({ onCreated }) {
  const [name, setName] = useState("");
  const [instruction, setInstruction] = useState("");
  const [tags, setTags] = useState([]);
  const [schemaText, setSchemaText] = useState(JSON.stringify(EXAMPLE_SCHEMA, null, 2));
  const [preview, setPreview] = useState(undefined);
  const [previewErrors, setPreviewErrors] = useState({});
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);
  const parsed = useMemo(() => {
    try {
      const schema = JSON.parse(schemaText);
      if (!schema || typeof schema !== "object" || Array.isArray(schema)) return { problem: "A JSON Schema is a JSON object." };
      return { schema };
    } catch (e) {
      return { problem: e.message };
    }
  }, [schemaText]);
  useEffect(() => { if (parsed.schema) { setPreview(initialValue(parsed.schema)); setPreviewErrors({}); } }, [parsed.schema]);

  async function create(event) {
    event.preventDefault();
    if (!parsed.schema) return;
    setBusy(true);
    setError(null);
    try {
      const task = await post("/api/v1/feedback_task", {
        name, instruction, json_schema: parsed.schema, completion_tags_selector: tags,
      });
      feedbackTasks(true);
      onCreated(task);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return html`
    <form class="card new-task" id="new-task" onSubmit=${create}>
      <h3>New feedback task</h3>
      <div class="columns">
        <div class="main-column">
          <label>Name <input id="task-name" value=${name} onInput=${(e) => setName(e.target.value)} required /></label>
          <label>Instruction <textarea id="task-instruction" rows="2" value=${instruction} onInput=${(e) => setInstruction(e.target.value)}></textarea></label>
          <label>Completions carrying every tag <${TagSelector} id="task-tags" value=${tags} onChange=${setTags} /></label>
          <label>JSON Schema
            <textarea id="task-schema" class="code" rows="16" spellcheck="false" value=${schemaText} onInput=${(e) => setSchemaText(e.target.value)}></textarea></label>
          ${parsed.problem && html`<p class="error" id="schema-problem">Not JSON yet: ${parsed.problem}</p>`}
          <${ErrorBox} error=${error} />
          <button type="submit" id="create-task" disabled=${busy || !parsed.schema || !name}>Create task</button>
        </div>
        <div class="side-column">
          <h4>Preview of the grading form</h4>
          ${parsed.schema && html`<div id="schema-preview">
            <${SchemaForm} schema=${parsed.schema} value=${preview} onChange=${setPreview} errors=${previewErrors} idPrefix="preview" />
            <button type="button" onClick=${() => setPreviewErrors(validate(parsed.schema, preview))}>Check these values</button>
            <${Json} value=${preview ?? {}} /></div>`}
        </div>
      </div>
    </form>`;
}

export function TasksPage({ params }) {
  const creating = params.get("new") === "1";
  const [state, setState] = useState({ tasks: null, error: null });
  const load = () => feedbackTasks(true)
    .then((tasks) => setState({ tasks: [...tasks].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at))), error: null }))
    .catch((error) => setState({ tasks: [], error }));
  useEffect(() => { load(); }, []);
  return html`
    <section>
      <div class="toolbar"><h2>Feedback tasks</h2>
        ${!creating && html`<button type="button" id="new-task-button" onClick=${() => navigate("/tasks", { new: "1" })}>New task</button>`}</div>
      ${creating && html`<${NewTask} onCreated=${() => { navigate("/tasks", {}, { replace: true }); load(); }} />`}
      <${ErrorBox} error=${state.error} />
      ${state.tasks === null ? html`<p class="muted">Loading…</p>` : html`
        <table class="grid" id="tasks">
          <thead><tr><th>Name</th><th>Selector</th><th>Created</th><th>Fields</th><th></th></tr></thead>
          <tbody>${state.tasks.map((t) => html`<tr>
            <td><strong>${t.name}</strong><div class="muted">${t.instruction}</div></td>
            <td>${(t.completion_tags_selector || []).map((tag) => html`<span class="chip">${tag}</span>`)}</td>
            <td class="nowrap">${formatTime(t.created_at)}</td>
            <td>${Object.keys((t.json_schema && t.json_schema.properties) || {}).sort().join(", ")}</td>
            <td><a class="button" href=${"#/inbox?task=" + encodeURIComponent(t.id)}>Grade</a></td></tr>`)}</tbody>
        </table>
        ${state.tasks.length === 0 && html`<p class="muted">No tasks yet.</p>`}`}
    </section>`;
}
