// A form generated from a feedback task's JSON Schema, and the browser's check of its values.
// Enums become choices, numbers carry their bounds, booleans are checkboxes, objects nest as
// fieldsets and arrays grow and shrink. Each field is addressed by a JSON path (".score",
// ".labels[0].name"), the same path the server's BadRequest violations name (json_values.score),
// so a server-side violation is shown at its field too. The server checks every keyword; the
// browser checks the common ones (type, enum, const, required, bounds, lengths, pattern, items).

import { html } from "./html.js";

const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

/** The schema at `ref` ("#/$defs/x") inside `root`. */
function resolve(schema, root) {
  let current = schema;
  for (let hops = 0; current && current.$ref && hops < 16; hops++) {
    if (!current.$ref.startsWith("#")) return {};
    current = current.$ref.slice(1).split("/").filter(Boolean)
      .reduce((node, part) => (node ? node[part.replace(/~1/g, "/").replace(/~0/g, "~")] : undefined), root) || {};
  }
  return current || {};
}

/** The schema's main type ("null" only when it is the only one). */
function typeOf(schema) {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== "null") || "null";
  if (schema.type) return schema.type;
  if (schema.properties) return "object";
  if (schema.items) return "array";
  if (schema.enum) return "enum";
  return "";
}

/**
 * Properties in a stable order: required ones as `required` lists them, then the rest by name.
 * (The server keeps schemas as protobuf Structs, whose keys come back in no particular order.)
 */
function orderedProperties(s) {
  const properties = s.properties || {};
  const required = (s.required || []).filter((name) => name in properties);
  const rest = Object.keys(properties).filter((name) => !required.includes(name)).sort();
  return [...required, ...rest].map((name) => [name, properties[name]]);
}

const pathOf = (parts) => parts.map((p) => (typeof p === "number" ? `[${p}]` : `.${p}`)).join("");

function setAt(value, parts, next) {
  if (!parts.length) return next;
  const [head, ...rest] = parts;
  if (typeof head === "number") {
    const copy = Array.isArray(value) ? [...value] : [];
    copy[head] = setAt(copy[head], rest, next);
    return copy;
  }
  const copy = isObject(value) ? { ...value } : {};
  const child = setAt(copy[head], rest, next);
  if (child === undefined) delete copy[head]; else copy[head] = child;
  return copy;
}

/** A starting value: the schema's defaults, false for required booleans, required objects and lists. */
export function initialValue(schema, root = schema) {
  const s = resolve(schema, root);
  if (s.default !== undefined) return structuredClone(s.default);
  if (s.const !== undefined) return s.const;
  const type = typeOf(s);
  if (type === "object") {
    const out = {};
    for (const [name, child] of orderedProperties(s)) {
      const c = resolve(child, root);
      const required = (s.required || []).includes(name);
      // An optional field stays out of the values until the grader sets it (or the schema has a default).
      if (!required && c.default === undefined && c.const === undefined) continue;
      const value = typeOf(c) === "boolean" && c.default === undefined ? false : initialValue(c, root);
      if (value !== undefined) out[name] = value;
    }
    return out;
  }
  if (type === "array") return [];
  return undefined;
}

function describeType(type) {
  return { integer: "a whole number", number: "a number", string: "text", boolean: "true or false", object: "an object", array: "a list" }[type] || type;
}

function typeMatches(type, value) {
  switch (type) {
    case "integer": return typeof value === "number" && Number.isInteger(value);
    case "number": return typeof value === "number" && Number.isFinite(value);
    case "string": return typeof value === "string";
    case "boolean": return typeof value === "boolean";
    case "object": return isObject(value);
    case "array": return Array.isArray(value);
    case "null": return value === null;
    default: return true;
  }
}

function check(schema, value, parts, errors, root) {
  const s = resolve(schema, root);
  const path = pathOf(parts);
  const fail = (message) => { if (!errors[path]) errors[path] = message; };
  if (s.enum && !s.enum.some((option) => same(option, value))) return fail(`must be one of ${s.enum.map((o) => JSON.stringify(o)).join(", ")}`);
  if (s.const !== undefined && !same(s.const, value)) return fail(`must be ${JSON.stringify(s.const)}`);
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  if (types.length && !types.some((t) => typeMatches(t, value) || (t === "number" && typeMatches("integer", value)))) {
    return fail(`must be ${types.map(describeType).join(" or ")}`);
  }
  if (typeof value === "number") {
    if (s.minimum !== undefined && value < s.minimum) fail(`must be at least ${s.minimum}`);
    if (s.maximum !== undefined && value > s.maximum) fail(`must be at most ${s.maximum}`);
    if (typeof s.exclusiveMinimum === "number" && value <= s.exclusiveMinimum) fail(`must be more than ${s.exclusiveMinimum}`);
    if (typeof s.exclusiveMaximum === "number" && value >= s.exclusiveMaximum) fail(`must be less than ${s.exclusiveMaximum}`);
  }
  if (typeof value === "string") {
    const length = [...value].length;
    if (s.minLength !== undefined && length < s.minLength) fail(s.minLength === 1 ? "must not be empty" : `must be at least ${s.minLength} characters`);
    if (s.maxLength !== undefined && length > s.maxLength) fail(`must be at most ${s.maxLength} characters`);
    if (s.pattern) {
      try { if (!new RegExp(s.pattern, "u").test(value)) fail(`must match ${s.pattern}`); } catch { /* the server judges patterns JS cannot read */ }
    }
  }
  if (Array.isArray(value)) {
    if (s.minItems !== undefined && value.length < s.minItems) fail(`needs at least ${s.minItems} item${s.minItems === 1 ? "" : "s"}`);
    if (s.maxItems !== undefined && value.length > s.maxItems) fail(`takes at most ${s.maxItems} items`);
    if (s.uniqueItems && new Set(value.map((v) => JSON.stringify(v))).size !== value.length) fail("items must be different");
    if (s.items && isObject(s.items)) value.forEach((item, i) => check(s.items, item, [...parts, i], errors, root));
  }
  if (isObject(value)) {
    for (const name of s.required || []) {
      if (value[name] === undefined) errors[pathOf([...parts, name])] = "is required";
    }
    for (const [name, child] of Object.entries(s.properties || {})) {
      if (value[name] !== undefined) check(child, value[name], [...parts, name], errors, root);
    }
  }
  return undefined;
}

/** {path: message} for every way `value` breaks `schema` that the browser checks; {} when valid. */
export function validate(schema, value) {
  const errors = {};
  check(schema, value === undefined ? {} : value, [], errors, schema);
  return errors;
}

/** {path: message} from the server's BadRequest violations on json_values (json_values.a[0].b -> .a[0].b). */
export function errorsFromViolations(violations) {
  const errors = {};
  for (const v of violations || []) {
    const field = v.field || "";
    if (!field.startsWith("json_values")) continue;
    let path = field.slice("json_values".length);
    const missing = /^'([^']+)' is a required property/.exec(v.description || "");
    if (missing) path += "." + missing[1];
    errors[path] = v.description;
  }
  return errors;
}

function Label({ schema, name, required }) {
  const text = schema.title || name;
  return text ? html`<span class="label">${text}${required && html`<span class="required" title="required">*</span>`}</span>` : null;
}

function bounds(s) {
  const low = s.minimum ?? s.exclusiveMinimum;
  const high = s.maximum ?? s.exclusiveMaximum;
  if (low !== undefined && high !== undefined) return `${low} to ${high}`;
  if (low !== undefined) return `at least ${low}`;
  if (high !== undefined) return `at most ${high}`;
  return "";
}

function Control({ schema, parts, value, onSet, root, name, required, errors, idPrefix }) {
  const s = resolve(schema, root);
  const path = pathOf(parts);
  const id = idPrefix + (path || "root").replace(/[^\w-]/g, "_");
  const error = errors[path];
  const type = typeOf(s);
  let control;
  if (s.enum) {
    const choose = (i) => onSet(parts, i === "" ? undefined : s.enum[Number(i)]);
    const chosen = s.enum.findIndex((o) => same(o, value));
    control = s.enum.length <= 6
      ? html`<div class="choices" role="radiogroup">${s.enum.map((option, i) => html`
          <label class="choice"><input type="radio" name=${id} value=${i} checked=${chosen === i} onChange=${() => choose(i)} />
            ${typeof option === "string" ? option : JSON.stringify(option)}</label>`)}</div>`
      : html`<select id=${id} value=${chosen < 0 ? "" : String(chosen)} onChange=${(e) => choose(e.target.value)}>
          <option value="">choose…</option>
          ${s.enum.map((option, i) => html`<option value=${i}>${typeof option === "string" ? option : JSON.stringify(option)}</option>`)}</select>`;
  } else if (type === "boolean") {
    control = html`<label class="choice"><input id=${id} type="checkbox" checked=${value === true} onChange=${(e) => onSet(parts, e.target.checked)} /> yes</label>`;
  } else if (type === "integer" || type === "number") {
    const step = s.multipleOf ?? (type === "integer" ? 1 : "any");
    control = html`<span class="number">
      <input id=${id} type="number" step=${step} value=${value ?? ""}
        min=${s.minimum ?? s.exclusiveMinimum} max=${s.maximum ?? s.exclusiveMaximum}
        onInput=${(e) => onSet(parts, e.target.value === "" ? undefined : Number(e.target.value))} />
      ${bounds(s) && html`<span class="muted hint">${bounds(s)}</span>`}</span>`;
  } else if (type === "string") {
    const set = (e) => onSet(parts, e.target.value === "" && !required ? undefined : e.target.value);
    control = s.maxLength !== undefined && s.maxLength <= 200
      ? html`<input id=${id} type="text" value=${value ?? ""} maxlength=${s.maxLength} onInput=${set} />`
      : html`<textarea id=${id} rows="2" value=${value ?? ""} onInput=${set}></textarea>`;
  } else if (type === "object") {
    const requiredNames = s.required || [];
    return html`
      <fieldset class="field object" data-path=${path}>
        ${(name || s.title) && html`<legend><${Label} schema=${s} name=${name} required=${required} /></legend>`}
        ${s.description && html`<p class="muted description">${s.description}</p>`}
        ${error && html`<div class="field-error" role="alert">${error}</div>`}
        ${orderedProperties(s).map(([child, childSchema]) => html`
          <${Control} key=${child} schema=${childSchema} parts=${[...parts, child]} value=${isObject(value) ? value[child] : undefined}
            onSet=${onSet} root=${root} name=${child} required=${requiredNames.includes(child)} errors=${errors} idPrefix=${idPrefix} />`)}
      </fieldset>`;
  } else if (type === "array") {
    const items = Array.isArray(value) ? value : [];
    const itemSchema = resolve(s.items || {}, root);
    if (itemSchema.enum && s.uniqueItems) {
      control = html`<div class="choices">${itemSchema.enum.map((option) => {
        const on = items.some((v) => same(v, option));
        return html`<label class="choice"><input type="checkbox" checked=${on}
          onChange=${() => onSet(parts, on ? items.filter((v) => !same(v, option)) : [...items, option])} /> ${String(option)}</label>`;
      })}</div>`;
    } else {
      control = html`<div class="array">
        ${items.map((item, i) => html`<div class="array-item">
          <${Control} schema=${s.items || {}} parts=${[...parts, i]} value=${item} onSet=${onSet} root=${root}
            name=${`#${i + 1}`} required=${true} errors=${errors} idPrefix=${idPrefix} />
          <button type="button" class="link" onClick=${() => onSet(parts, items.filter((_, j) => j !== i))}>remove</button></div>`)}
        <button type="button" onClick=${() => onSet(parts, [...items, initialValue(s.items || {}, root)])}>Add ${name || "item"}</button></div>`;
    }
  } else {
    // A schema the form does not draw (oneOf, anyOf, no type): edit that part as JSON.
    control = html`<textarea id=${id} rows="3" class="json-input" value=${value === undefined ? "" : JSON.stringify(value, null, 2)}
      onChange=${(e) => { try { onSet(parts, e.target.value.trim() ? JSON.parse(e.target.value) : undefined); } catch { onSet(parts, e.target.value); } }}></textarea>`;
  }
  return html`
    <div class=${"field" + (error ? " invalid" : "")} data-path=${path}>
      <label for=${id}><${Label} schema=${s} name=${name} required=${required} /></label>
      ${s.description && html`<p class="muted description">${s.description}</p>`}
      ${control}
      ${error && html`<div class="field-error" role="alert">${error}</div>`}
    </div>`;
}

/** The generated form. `onChange` gets the whole new value; `errors` maps JSON paths to messages. */
export function SchemaForm({ schema, value, onChange, errors = {}, idPrefix = "f" }) {
  const onSet = (parts, next) => onChange(setAt(value, parts, next));
  return html`<div class="schema-form">
    <${Control} schema=${schema} parts=${[]} value=${value} onSet=${onSet} root=${schema} name="" required=${false} errors=${errors} idPrefix=${idPrefix} />
  </div>`;
}
