// How numbers, times and durations are written on every page.
const pad = (n, width = 2) => String(n).padStart(width, "0");

/** Local time as 2026-12-04 05:01:02. */
export function formatTime(value) {
  if (!value) return "";
  const d = new Date(value);
  if (Number.isNaN(d.getTime())) return String(value);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** Seconds as 850 ms / 1.34 s / 2 m 5 s. */
export function formatDuration(seconds) {
  const s = Number(seconds || 0);
  if (!s) return "";
  if (s < 1) return `${Math.round(s * 1000)} ms`;
  if (s < 60) return `${s.toFixed(2)} s`;
  return `${Math.floor(s / 60)} m ${Math.round(s % 60)} s`;
}

/** US dollars with enough digits for fractions of a cent. */
export function formatCost(value) {
  const c = Number(value || 0);
  if (!c) return "";
  if (c >= 100) return `$${c.toFixed(0)}`;
  if (c >= 1) return `$${c.toFixed(2)}`;
  return `$${c.toPrecision(2)}`;
}

/** 1234567 as 1,234,567. */
export function formatCount(value) {
  const n = Number(value || 0);
  return n.toLocaleString("en-US");
}

/** Shorten long text for a table cell. */
export function clip(text, length = 80) {
  const s = String(text ?? "");
  return s.length > length ? s.slice(0, length - 1) + "…" : s;
}

/** The text of a chat message's content: a string, or the text parts of a list of parts. */
export function contentText(content) {
  if (content == null) return "";
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content.map((part) => (typeof part === "string" ? part : part.text || "")).filter(Boolean).join("\n");
  }
  return JSON.stringify(content);
}
