// Time-series charts with uPlot (loaded on first use, so the completions page does not pay for it).
import { useEffect, useRef, useState } from "preact/hooks";
import { html } from "./html.js";

const PALETTE = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#4b5563", "#65a30d"];
let loading = null;

/** The uPlot constructor, from the vendored script (and its stylesheet, which lays out the legend). */
export function loadUPlot() {
  if (window.uPlot) return Promise.resolve(window.uPlot);
  if (!loading) {
    const style = document.createElement("link");
    style.rel = "stylesheet";
    style.href = "/ui/vendor/uPlot.min.css";
    document.head.append(style);
    loading = new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = "/ui/vendor/uPlot.iife.min.js";
      script.onload = () => resolve(window.uPlot);
      script.onerror = () => { loading = null; reject(new Error("could not load the chart library (/ui/vendor/uPlot.iife.min.js)")); };
      document.head.append(script);
    });
  }
  return loading;
}

/**
 * A line chart over time. `x` are bucket starts in seconds; `series` is [{label, values}].
 * The container carries data-points (how many non-zero values it draws) for tests and screen readers.
 */
export function TimeChart({ id, title, x, series, format }) {
  const box = useRef(null);
  const [error, setError] = useState("");
  const points = series.reduce((n, s) => n + s.values.filter((v) => v).length, 0);
  useEffect(() => {
    let plot = null;
    let cancelled = false;
    loadUPlot().then((uPlot) => {
      if (cancelled || !box.current) return;
      const width = Math.max(box.current.clientWidth, 320);
      plot = new uPlot({
        width, height: 220,
        series: [{}, ...series.map((s, i) => ({
          label: s.label, stroke: PALETTE[i % PALETTE.length], width: 2,
          // Dots, so a lone value between empty buckets is seen (a line needs two).
          points: { show: x.length <= 200, size: 5 },
          value: (_, v) => (v == null ? "-" : format ? format(v) : v),
        }))],
        axes: [{}, { size: 70, values: (_, ticks) => ticks.map((v) => (format ? format(v) : v)) }],
        scales: { x: { time: true } },
        legend: { live: true },
      }, [x, ...series.map((s) => s.values)], box.current);
    }).catch((e) => setError(e.message));
    return () => { cancelled = true; if (plot) plot.destroy(); };
  }, [x, series]);
  return html`<figure class="chart" id=${id} data-points=${points}><figcaption>${title}</figcaption>
    ${error && html`<p class="error" role="alert">${error}</p>`}<div ref=${box}></div></figure>`;
}
