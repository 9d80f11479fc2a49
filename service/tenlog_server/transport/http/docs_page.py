"""A self-contained API docs page for /docs: no CDN, it renders /openapi.json in the browser."""

DOCS_HTML = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>tenlog REST API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
 body { font: 14px/1.45 system-ui, sans-serif; margin: 0 auto; max-width: 70rem; padding: 1rem 2rem; color: #222; }
 h1 { margin-bottom: .2rem; } .sub { color: #666; margin-top: 0; }
 details { border: 1px solid #ddd; border-radius: 6px; margin: .4rem 0; background: #fafafa; }
 summary { cursor: pointer; padding: .45rem .7rem; font-family: ui-monospace, monospace; }
 .m { display: inline-block; min-width: 4.2rem; font-weight: 700; text-transform: uppercase; }
 .get { color: #1565c0; } .post { color: #2e7d32; } .put, .patch { color: #ef6c00; } .delete { color: #c62828; }
 .op { color: #777; float: right; font-family: system-ui, sans-serif; }
 .body { padding: .2rem 1rem 1rem; background: #fff; border-top: 1px solid #eee; }
 table { border-collapse: collapse; margin: .3rem 0; }
 td, th { border: 1px solid #e3e3e3; padding: .2rem .5rem; text-align: left; vertical-align: top; }
 pre { background: #f4f4f4; padding: .6rem; overflow: auto; border-radius: 4px; }
 input { font: inherit; padding: .3rem .5rem; width: 20rem; }
 h2 { margin-top: 1.6rem; border-bottom: 1px solid #ddd; }
</style>
</head>
<body>
<h1>tenlog REST API</h1>
<p class="sub">Generated from the protos' google.api.http annotations.
 Machine-readable: <a href="/openapi.json">/openapi.json</a>.
 Authenticate with <code>X-Log10-Token</code>, <code>Authorization: Bearer</code> or <code>x-api-key</code>.</p>
<p><input id="filter" placeholder="filter by path or method name" autofocus></p>
<div id="ops">Loading /openapi.json ...</div>
<script>
"use strict";
let doc = null;
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  for (const kid of kids) e.append(kid);
  return e;
}
function resolve(schema, depth, seen) {
  if (!schema) return {};
  if (schema.$ref) {
    const name = schema.$ref.split("/").pop();
    if (seen.has(name) || depth > 6) return "<" + name + ">";
    const next = new Set(seen); next.add(name);
    return resolve(doc.components.schemas[name], depth + 1, next);
  }
  if (schema.type === "array") return [resolve(schema.items, depth + 1, seen)];
  if (schema.type === "object" && schema.properties) {
    const out = {};
    for (const [k, v] of Object.entries(schema.properties)) out[k] = resolve(v, depth + 1, seen);
    return out;
  }
  if (schema.enum) return schema.enum.join(" | ");
  return schema.format ? schema.type + " (" + schema.format + ")" : (schema.type || "any");
}
function shape(schema) { return JSON.stringify(resolve(schema, 0, new Set()), null, 2); }
function render() {
  const needle = document.getElementById("filter").value.toLowerCase();
  const root = document.getElementById("ops");
  root.replaceChildren();
  const byTag = {};
  for (const [path, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const hay = (method + " " + path + " " + op.operationId).toLowerCase();
      if (needle && !hay.includes(needle)) continue;
      (byTag[op.tags[0]] = byTag[op.tags[0]] || []).push([path, method, op]);
    }
  }
  for (const tag of Object.keys(byTag).sort()) {
    root.append(el("h2", {}, tag));
    for (const [path, method, op] of byTag[tag]) {
      const body = el("div", {class: "body"});
      if (op.parameters.length) {
        const t = el("table", {}, el("tr", {}, el("th", {}, "parameter"), el("th", {}, "in"), el("th", {}, "type")));
        for (const p of op.parameters) {
          t.append(el("tr", {}, el("td", {}, p.name), el("td", {}, p.in), el("td", {}, shape(p.schema))));
        }
        body.append(el("h4", {}, "Parameters"), t);
      }
      if (op.requestBody) {
        const [ctype, media] = Object.entries(op.requestBody.content)[0];
        body.append(el("h4", {}, "Request body (" + ctype + ")"), el("pre", {}, shape(media.schema)));
      }
      for (const [code, resp] of Object.entries(op.responses)) {
        if (!resp.content) continue;
        const [ctype, media] = Object.entries(resp.content)[0];
        body.append(el("h4", {}, "Response " + code + " (" + ctype + ")"), el("pre", {}, shape(media.schema)));
      }
      root.append(el("details", {}, el("summary", {},
        el("span", {class: "m " + method}, method), " " + path, el("span", {class: "op"}, op.operationId)), body));
    }
  }
}
fetch("/openapi.json").then(r => r.json()).then(d => { doc = d; render(); })
  .catch(e => { document.getElementById("ops").textContent = "Could not load /openapi.json: " + e; });
document.getElementById("filter").addEventListener("input", () => doc && render());
</script>
</body>
</html>
"""
