// The completions table: filter + search bar, chips, sorting, paging by token, live tail.
import { useEffect, useRef, useState } from "preact/hooks";
import { get, tail } from "../api.js";
import { html } from "../html.js";
import { navigate } from "../router.js";
import { requiredTagsOf, splitBar, statusOf, tagsOf, withStatus, withTag, withoutTag } from "../filter_bar.js";
import { formatCost, formatCount, formatDuration, formatTime } from "../format.js";
import { previousToken, rememberPrevious } from "../paging.js";
import { ErrorBox, FilterBar, StatusBadge, Tags } from "../widgets.js";

const PAGE_SIZE = 50;
const DEFAULT_ORDER = "created_at desc";
const STATUSES = ["", "finished", "failed", "started"];

/** Completion ids of `rows` that match the view's filter and search, asked of the server itself. */
async function matching(ids, view) {
  const idClause = ids.map((id) => `id = "${id.replace(/"/g, '\\"')}"`).join(" OR ");
  const filter = view.filter ? `(${view.filter}) AND (${idClause})` : `(${idClause})`;
  const page = await get("/api/v1/completions", { filter, search: view.search, page_size: ids.length });
  return page.completions || [];
}

function SortHeader({ field, label, order, onOrder }) {
  const [current, direction] = order.split(" ");
  const active = current === field;
  const next = !active ? `${field} desc` : direction === "desc" ? `${field} asc` : DEFAULT_ORDER;
  const arrow = active ? (direction === "desc" ? " ↓" : " ↑") : "";
  return html`<th class="num"><button type="button" class="link sort" data-sort=${field} onClick=${() => onOrder(next)}>${label}${arrow}</button></th>`;
}

/** True when a key press is text being typed (shortcuts then stay out of the way). */
export function isTyping(target) {
  return Boolean(target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)));
}

export function CompletionRow({ c, onTag, highlight }) {
  const open = () => navigate("/completions/" + encodeURIComponent(c.id));
  const onKeyDown = (e) => { if (e.key === "Enter" && e.target === e.currentTarget) { e.preventDefault(); open(); } };
  return html`
    <tr class=${"row" + (highlight ? " fresh" : "")} data-id=${c.id} tabindex="-1" onClick=${open} onKeyDown=${onKeyDown}>
      <td class="nowrap"><a href=${"#/completions/" + encodeURIComponent(c.id)} onClick=${(e) => e.stopPropagation()}>${formatTime(c.created_at)}</a></td>
      <td>${c.model}</td>
      <td><${StatusBadge} status=${c.status} /></td>
      <td class="num">${formatDuration(c.duration)}</td>
      <td class="num" title=${`prompt ${c.prompt_tokens || 0} + completion ${c.completion_tokens || 0}`}>${c.total_tokens ? formatCount(c.total_tokens) : ""}</td>
      <td class="num">${formatCost(c.cost)}</td>
      <td><${Tags} tags=${c.tags} onPick=${onTag} /></td>
      <td>${c.source}</td>
      <td>${c.session_id && html`<a href=${"#/sessions/" + encodeURIComponent(c.session_id)} onClick=${(e) => e.stopPropagation()}>${c.session_id}</a>`}</td>
    </tr>`;
}

export function CompletionsTable({ rows, order, onOrder, onTag, fresh, busy, tableRef }) {
  return html`
    <table class="grid" id="completions" ref=${tableRef} aria-busy=${busy ? "true" : "false"}>
      <thead><tr>
        <th>Time</th><th>Model</th><th>Status</th>
        <${SortHeader} field="duration" label="Duration" order=${order} onOrder=${onOrder} />
        <${SortHeader} field="total_tokens" label="Tokens" order=${order} onOrder=${onOrder} />
        <${SortHeader} field="cost" label="Cost" order=${order} onOrder=${onOrder} />
        <th>Tags</th><th>Source</th><th>Session</th>
      </tr></thead>
      <tbody>${rows.map((c) => html`<${CompletionRow} key=${c.id} c=${c} onTag=${onTag} highlight=${fresh && fresh.has(c.id)} />`)}</tbody>
    </table>`;
}

export function CompletionsPage({ params }) {
  const q = params.get("q") || "";
  const order = params.get("order") || DEFAULT_ORDER;
  const token = params.get("page") || "";
  const pageNumber = Number(params.get("n") || 1);
  const [state, setState] = useState({ view: null, rows: [], next: "", error: null });
  const [live, setLive] = useState(false);
  const [liveError, setLiveError] = useState(null);
  const [fresh, setFresh] = useState(new Set());
  const view = splitBar(q);
  const viewRef = useRef(view);
  viewRef.current = view;

  const go = (changes, options) => navigate("/completions", { q, order: order === DEFAULT_ORDER ? "" : order, ...changes }, options);

  // The rows shown belong to `state.view`; until it is this view's key the table is marked busy
  // (the old rows stay, dimmed), so neither a reader nor a test mistakes them for the answer.
  const viewKey = JSON.stringify([q, order, token]);
  const loading = state.view !== viewKey;
  useEffect(() => {
    const controller = new AbortController();
    get("/api/v1/completions", {
      page_size: PAGE_SIZE, filter: view.filter, search: view.search,
      order_by: order === DEFAULT_ORDER ? "" : order, page_token: token,
    }, { signal: controller.signal })
      .then((page) => setState({ view: viewKey, rows: page.completions || [], next: page.next_page_token || "", error: null }))
      .catch((error) => { if (error.name !== "AbortError") setState({ view: viewKey, rows: [], next: "", error }); });
    return () => controller.abort();
  }, [viewKey]);

  // Keyboard: "/" focuses the bar; j / k move between rows (Enter on a row opens it).
  const tableRef = useRef(null);
  useEffect(() => {
    const onKey = (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      if (e.key === "/") {
        e.preventDefault();
        document.getElementById("filter-bar")?.focus();
      } else if ((e.key === "j" || e.key === "k") && tableRef.current) {
        const rows = [...tableRef.current.querySelectorAll("tbody tr")];
        if (!rows.length) return;
        e.preventDefault();
        const at = rows.indexOf(document.activeElement);
        const next = at < 0 ? 0 : Math.min(Math.max(at + (e.key === "j" ? 1 : -1), 0), rows.length - 1);
        rows[next].focus();
      }
    };
    document.addEventListener("keydown", onKey);
    return () => document.removeEventListener("keydown", onKey);
  }, []);

  // Live mode: follow the tail and prepend what matches the view (asked of the server, so the
  // filter language and search mean exactly what they mean for the table).
  const liveAllowed = !token && order === DEFAULT_ORDER;
  useEffect(() => {
    if (!live || !liveAllowed) return undefined;
    const controller = new AbortController();
    let pending = [];
    let timer = null;
    const flush = async () => {
      timer = null;
      const batch = pending;
      pending = [];
      const current = viewRef.current;
      let found = batch;
      if (current.filter || current.search) {
        try { found = await matching(batch.map((c) => c.id), current); } catch (error) { setLiveError(error); return; }
      }
      if (!found.length || controller.signal.aborted) return;
      setFresh((s) => new Set([...s, ...found.map((c) => c.id)]));
      setState((s) => {
        const byId = new Map(found.map((c) => [c.id, c]));
        const kept = s.rows.filter((r) => !byId.has(r.id));
        const newest = [...byId.values()].sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
        return { ...s, rows: [...newest, ...kept] };
      });
    };
    const onEvent = (event) => {
      const c = event.completion;
      if (!c) return;
      if (event.event === "updated") {
        setState((s) => ({ ...s, rows: s.rows.map((r) => (r.id === c.id ? c : r)) }));
        return;
      }
      pending.push(c);
      if (!timer) timer = setTimeout(flush, 300);
    };
    setLiveError(null);
    (async () => {
      // The tail ends when the server restarts or a proxy cuts it: follow it again after a pause.
      while (!controller.signal.aborted) {
        try {
          await tail({ tags: requiredTagsOf(q) }, onEvent, controller.signal);
        } catch (error) {
          if (error.name === "AbortError") return;
          setLiveError(error);
        }
        await new Promise((resolve) => setTimeout(resolve, 2000));
      }
    })();
    return () => { controller.abort(); if (timer) clearTimeout(timer); };
  }, [live, liveAllowed, q]);

  const status = statusOf(q);
  const tags = tagsOf(q);
  const older = () => { rememberPrevious(state.next, token); go({ page: state.next, n: pageNumber + 1 }); };
  const newer = () => {
    const previous = previousToken(token);
    go(previous ? { page: previous, n: Math.max(pageNumber - 1, 1) } : {});
  };

  return html`
    <section>
      <div class="toolbar">
        <${FilterBar} value=${q} onSubmit=${(text) => go({ q: text })} />
        <label class="live"><input type="checkbox" id="live" checked=${live && liveAllowed} disabled=${!liveAllowed}
          onChange=${(e) => setLive(e.target.checked)} /> Live</label>
      </div>
      <div class="chips">
        ${STATUSES.map((s) => html`
          <button type="button" class=${"chip status-chip" + (status === s ? " on" : "")} data-status=${s || "any"}
            onClick=${() => go({ q: withStatus(q, s) })}>${s || "any status"}</button>`)}
        ${tags.map((tag) => html`
          <span class="chip on tag-chip">${tag}
            <button type="button" class="link" aria-label=${"remove tag " + tag} onClick=${() => go({ q: withoutTag(q, tag) })}>×</button></span>`)}
        <label class="order">Sort
          <select id="order" value=${order} onChange=${(e) => go({ order: e.target.value === DEFAULT_ORDER ? "" : e.target.value })}>
            <option value="created_at desc">newest first</option>
            <option value="created_at asc">oldest first</option>
            <option value="cost desc">cost, highest first</option>
            <option value="cost asc">cost, lowest first</option>
            <option value="duration desc">duration, longest first</option>
            <option value="duration asc">duration, shortest first</option>
            <option value="total_tokens desc">tokens, most first</option>
            <option value="total_tokens asc">tokens, fewest first</option>
          </select></label>
      </div>
      ${(view.filter || view.search) && html`<p class="muted query">
        ${view.filter && html`filter <code id="effective-filter">${view.filter}</code> `}
        ${view.search && html`search <code id="effective-search">${view.search}</code>`}</p>`}
      <${ErrorBox} error=${state.error} />
      <${ErrorBox} error=${liveError} />
      ${!state.error && html`
        <${CompletionsTable} rows=${state.rows} order=${order} fresh=${fresh} busy=${loading} tableRef=${tableRef}
          onOrder=${(o) => go({ order: o === DEFAULT_ORDER ? "" : o })} onTag=${(tag) => go({ q: withTag(q, tag) })} />`}
      ${loading ? html`<p class="muted" id="loading">Loading…</p>`
        : !state.error && state.rows.length === 0 && html`<p class="muted" id="empty">No completions match.</p>`}
      <div class="pager">
        <button type="button" id="previous" disabled=${!token} onClick=${newer}>← Previous</button>
        <span class="muted">page ${pageNumber}</span>
        <button type="button" id="next" disabled=${!state.next || loading} onClick=${older}>Next →</button>
      </div>
    </section>`;
}
