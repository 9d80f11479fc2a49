// Analytics from AggregateCompletions: volume, failures, tokens, cost and latency percentiles over
// time, split by model, tag, source or status, over a chosen time range and filter.
import { useEffect, useState } from "preact/hooks";
import { get } from "../api.js";
import { html } from "../html.js";
import { navigate } from "../router.js";
import { TimeChart } from "../charts.js";
import { splitBar } from "../filter_bar.js";
import { formatCost, formatCount, formatDuration } from "../format.js";
import { ErrorBox, FilterBar } from "../widgets.js";

// range -> [milliseconds, interval]
const RANGES = {
  "1h": [3600e3, "1m"],
  "24h": [86400e3, "1h"],
  "7d": [7 * 86400e3, "1h"],
  "30d": [30 * 86400e3, "1d"],
};
// For a custom range: the smallest of these steps giving at most MAX_BUCKETS buckets.
const STEPS = [["1m", 60e3], ["5m", 300e3], ["15m", 900e3], ["1h", 3600e3], ["6h", 21600e3], ["1d", 86400e3], ["7d", 7 * 86400e3]];
const MAX_BUCKETS = 400;
const INTERVAL_MS = Object.fromEntries(STEPS);
const SPLITS = { model: "model", tags: "tag", source: "source", status: "status", kind: "kind", "": "nothing" };
const MAX_SERIES = 8;
const AGGREGATE = "/api/v1/completions:aggregate";

const num = (v) => Number(v || 0);
const keyLabel = (key, by) => (by && key ? String(key[by] ?? "(none)") || "(none)" : "all");

/** Bucket starts (ms) from the range's (aligned) start up to its end. */
function bucketStarts(since, until, interval) {
  const step = INTERVAL_MS[interval];
  const out = [];
  for (let t = since; t < until || (t === since && t === until); t += step) out.push(t);
  return out;
}

/** The `datetime-local` text of a time (local clock, to the minute). */
const localInput = (ms) => {
  const d = new Date(ms - new Date(ms).getTimezoneOffset() * 60e3);
  return d.toISOString().slice(0, 16);
};

/**
 * {since, until, bounded, interval, range} of the page's range: a preset (`range`) or custom
 * (`from`, `to`). The range is widened to whole buckets (UTC-aligned, as the server's are): the
 * first and last buckets are then complete, and an hourly or daily question on whole hours or days
 * is one the server answers from its rollups instead of reading every completion.
 */
export function timeWindow(params, now = Date.now()) {
  const from = Date.parse(params.get("from") || "");
  let since, until, bounded, interval, range;
  if (!Number.isNaN(from)) {
    const to = Date.parse(params.get("to") || "");
    bounded = !Number.isNaN(to);
    [since, until, range] = [from, bounded ? to : now, "custom"];
    const span = Math.max(until - since, 60e3);
    [interval] = STEPS.find(([, ms]) => span / ms <= MAX_BUCKETS) || STEPS[STEPS.length - 1];
  } else {
    range = RANGES[params.get("range")] ? params.get("range") : "24h";
    const [span, presetInterval] = RANGES[range];
    [since, until, bounded, interval] = [now - span, now, false, presetInterval];
  }
  const step = INTERVAL_MS[interval];
  since = Math.floor(since / step) * step;
  if (bounded) until = Math.ceil(until / step) * step;
  return { since, until, bounded, interval, range };
}

/** From/to inputs for a custom range; Enter or Apply sets both in the URL. */
function CustomRange({ window: w, onApply }) {
  const [from, setFrom] = useState(localInput(w.since));
  const [to, setTo] = useState(w.bounded ? localInput(w.until) : "");
  const [problem, setProblem] = useState("");
  const apply = (e) => {
    e.preventDefault();
    const since = Date.parse(from);
    const until = to ? Date.parse(to) : NaN;
    if (Number.isNaN(since)) { setProblem("Choose a start time."); return; }
    if (!Number.isNaN(until) && until <= since) { setProblem("The end must come after the start."); return; }
    setProblem("");
    onApply({ from: new Date(since).toISOString(), to: Number.isNaN(until) ? "" : new Date(until).toISOString() });
  };
  return html`<form class="custom-range" onSubmit=${apply}>
    <label>from <input type="datetime-local" id="range-from" value=${from} onInput=${(e) => setFrom(e.target.value)} /></label>
    <label>to <input type="datetime-local" id="range-to" value=${to} onInput=${(e) => setTo(e.target.value)} /></label>
    <button type="submit" id="range-apply">Apply</button>
    ${problem && html`<span class="error-text" role="alert">${problem}</span>`}</form>`;
}

/** One series per group (the busiest MAX_SERIES, the rest as "other") of `measure` per bucket. */
function pivot(groups, by, buckets, measure) {
  const index = new Map(buckets.map((t, i) => [t, i]));
  const step = buckets.length > 1 ? buckets[1] - buckets[0] : 1;
  const totals = new Map();
  for (const g of groups) totals.set(keyLabel(g.key, by), (totals.get(keyLabel(g.key, by)) || 0) + num(g.count));
  const top = [...totals.entries()].sort((a, b) => b[1] - a[1]).slice(0, MAX_SERIES).map(([label]) => label);
  const series = new Map(top.map((label) => [label, new Array(buckets.length).fill(0)]));
  for (const g of groups) {
    const at = Date.parse(g.bucket_start);
    const i = index.get(Math.floor(at / step) * step);
    if (i === undefined) continue;
    let label = keyLabel(g.key, by);
    if (!series.has(label)) {
      label = "other";
      if (!series.has(label)) series.set(label, new Array(buckets.length).fill(0));
    }
    series.get(label)[i] += measure(g);
  }
  return [...series.entries()].map(([label, values]) => ({ label, values }));
}

function percentiles(groups, buckets) {
  const index = new Map(buckets.map((t, i) => [t, i]));
  const step = buckets.length > 1 ? buckets[1] - buckets[0] : 1;
  const lines = ["duration_p50", "duration_p95", "duration_p99"].map((name) => ({
    label: name.replace("duration_", ""), name, values: new Array(buckets.length).fill(null),
  }));
  for (const g of groups) {
    const i = index.get(Math.floor(Date.parse(g.bucket_start) / step) * step);
    if (i === undefined || !num(g.count)) continue;
    for (const line of lines) line.values[i] = num(g[line.name]);
  }
  return lines;
}

/** Per group over the whole range: the buckets' counts and sums added up, busiest group first. */
function sumByGroup(groups, by) {
  const totals = new Map();
  for (const g of groups) {
    const label = keyLabel(g.key, by);
    const t = totals.get(label) || { label, count: 0, failed_count: 0, total_tokens: 0, cost: 0 };
    for (const field of ["count", "failed_count", "total_tokens", "cost"]) t[field] += num(g[field]);
    totals.set(label, t);
  }
  return [...totals.values()].sort((a, b) => b.count - a.count);
}

export function AnalyticsPage({ params }) {
  const by = params.get("by") ?? "model";
  const q = params.get("q") || "";
  const w = timeWindow(params);
  const range = w.range;
  const [state, setState] = useState({ loading: true, error: null });
  const kept = range === "custom" ? { from: params.get("from"), to: params.get("to") } : { range };
  const go = (changes) => navigate("/analytics", { ...kept, by, q, ...changes });

  useEffect(() => {
    const { since, until, bounded, interval } = timeWindow(params);
    const view = splitBar(q);
    let timeClause = `created_at >= "${new Date(since).toISOString()}"`;
    if (bounded) timeClause += ` AND created_at < "${new Date(until).toISOString()}"`;
    const filter = view.filter ? `${timeClause} AND (${view.filter})` : timeClause;
    const base = { filter, search: view.search };
    setState((s) => ({ ...s, loading: true, error: null }));
    const controller = new AbortController();
    const options = { signal: controller.signal };
    const overallCall = get(AGGREGATE, { ...base, interval }, options);
    // Charts need two answers: per bucket split, and per bucket over everything (percentiles do
    // not add up across groups). The table's percentiles per group come from a third answer,
    // asked after the charts are drawn; its counts and sums are the split buckets added up.
    Promise.all([by ? get(AGGREGATE, { ...base, group_by: by, interval }, options) : overallCall, overallCall])
      .then(([split, overall]) => {
        const buckets = bucketStarts(since, until, interval);
        const grouped = split.groups || [];
        setState({
          loading: false, error: null, x: buckets.map((t) => t / 1000),
          volume: pivot(grouped, by, buckets, (g) => num(g.count)),
          failures: pivot(grouped, by, buckets, (g) => num(g.failed_count)),
          tokens: pivot(grouped, by, buckets, (g) => num(g.total_tokens)),
          cost: pivot(grouped, by, buckets, (g) => num(g.cost)),
          latency: percentiles(overall.groups || [], buckets),
          table: sumByGroup(grouped, by),
          tablePercentiles: null,
          // From the unsplit buckets: split by tags, a completion is in each of its tags' groups.
          overall: overall.groups || [],
        });
        return get(AGGREGATE, { ...base, group_by: by }, options).then((perGroup) => {
          const byLabel = new Map((perGroup.groups || []).map((g) => [keyLabel(g.key, by), g]));
          setState((s) => ({ ...s, tablePercentiles: byLabel }));
        });
      })
      .catch((error) => { if (error.name !== "AbortError") setState({ loading: false, error }); });
    return () => controller.abort();
  }, [range, params.get("from"), params.get("to"), by, q]);

  const total = (field) => (state.overall || []).reduce((sum, g) => sum + num(g[field]), 0);
  return html`
    <section>
      <div class="toolbar">
        <${FilterBar} value=${q} onSubmit=${(text) => go({ q: text })} />
      </div>
      <div class="chips">
        ${Object.keys(RANGES).map((r) => html`<button type="button" class=${"chip" + (r === range ? " on" : "")} data-range=${r}
          onClick=${() => navigate("/analytics", { range: r, by, q })}>last ${r}</button>`)}
        <${CustomRange} key=${`${range}|${params.get("from")}|${params.get("to")}`} window=${w} onApply=${(span) => navigate("/analytics", { ...span, by, q })} />
        <label class="order">Split by
          <select id="split" value=${by} onChange=${(e) => go({ by: e.target.value })}>
            ${Object.entries(SPLITS).map(([value, label]) => html`<option value=${value}>${label}</option>`)}
          </select></label>
      </div>
      <${ErrorBox} error=${state.error} />
      ${state.loading && html`<p class="muted" id="loading">Loading…</p>`}
      ${!state.loading && !state.error && html`
        <p class="totals" id="totals">
          <strong>${formatCount(total("count"))}</strong> completions ·
          <strong>${formatCount(total("failed_count"))}</strong> failed ·
          <strong>${formatCount(total("total_tokens"))}</strong> tokens ·
          <strong>${formatCost(total("cost")) || "$0"}</strong>
          <span class="muted"> · buckets of ${w.interval}</span></p>
        <div class="charts">
          <${TimeChart} id="chart-volume" title="Completions" x=${state.x} series=${state.volume} />
          <${TimeChart} id="chart-failures" title="Failures" x=${state.x} series=${state.failures} />
          <${TimeChart} id="chart-tokens" title="Tokens" x=${state.x} series=${state.tokens} />
          <${TimeChart} id="chart-cost" title="Cost (USD)" x=${state.x} series=${state.cost} format=${(v) => formatCost(v) || "$0"} />
          <${TimeChart} id="chart-latency" title="Latency p50 / p95 / p99" x=${state.x} series=${state.latency} format=${(v) => formatDuration(v) || "0"} />
        </div>
        <table class="grid" id="groups" aria-busy=${state.tablePercentiles ? "false" : "true"}>
          <thead><tr><th>${SPLITS[by]}</th><th class="num">completions</th><th class="num">failed</th><th class="num">tokens</th><th class="num">cost</th>
            <th class="num">p50</th><th class="num">p95</th><th class="num">p99</th></tr></thead>
          <tbody>${state.table.map((g) => {
            const p = state.tablePercentiles && (state.tablePercentiles.get(g.label) || {});
            const cell = (name) => (p ? formatDuration(p[name]) : "…");
            return html`<tr>
              <td>${g.label}</td><td class="num">${formatCount(g.count)}</td><td class="num">${formatCount(g.failed_count)}</td>
              <td class="num">${formatCount(g.total_tokens)}</td><td class="num">${formatCost(g.cost)}</td>
              <td class="num">${cell("duration_p50")}</td><td class="num">${cell("duration_p95")}</td><td class="num">${cell("duration_p99")}</td></tr>`;
          })}</tbody>
        </table>`}
    </section>`;
}
