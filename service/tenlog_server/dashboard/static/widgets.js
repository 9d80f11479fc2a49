// Small pieces several pages share: the filter bar, error boxes, status badges, tag chips, JSON.
import { useEffect, useState } from "preact/hooks";
import { html } from "./html.js";

/** An API error with its field violations (a bad filter names its position and token). */
export function ErrorBox({ error }) {
  if (!error) return null;
  return html`
    <div class="error" role="alert">
      <strong>${error.status ? `${error.status}: ` : ""}</strong>${error.message}
      ${error.violations && error.violations.length > 0 && html`
        <ul>${error.violations.map((v) => html`<li><code>${v.field}</code>: ${v.description}</li>`)}</ul>`}
    </div>`;
}

export function StatusBadge({ status }) {
  return status ? html`<span class=${"badge status-" + status}>${status}</span>` : null;
}

/** Tags as chips; clicking one calls onPick (adds it to the filter). */
export function Tags({ tags, onPick }) {
  return html`<span class="tags">${(tags || []).map((tag) => html`
    <button type="button" class="chip" title=${onPick ? `Filter by tag ${tag}` : tag}
      onClick=${(e) => { e.preventDefault(); e.stopPropagation(); onPick && onPick(tag); }}>${tag}</button>`)}</span>`;
}

/** The one bar for filter language and search; submits on Enter. */
export function FilterBar({ value, onSubmit, placeholder }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  return html`
    <form class="filterbar" onSubmit=${(e) => { e.preventDefault(); onSubmit(draft.trim()); }}>
      <input id="filter-bar" type="search" value=${draft} onInput=${(e) => setDraft(e.target.value)} spellcheck="false"
        placeholder=${placeholder || 'Filter and search: tags:"checkout" AND cost > 0.01 refund'} aria-label="Filter and search" />
      <button type="submit">Apply</button>
    </form>`;
}

/** Pretty JSON in a scrollable block. */
export function Json({ value }) {
  return html`<pre class="json">${JSON.stringify(value, null, 2)}</pre>`;
}
