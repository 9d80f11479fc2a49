// One bar for the filter language and full-text search. Clauses of the form `field op value`,
// AND / OR / NOT and parentheses go to `filter`; every other word or "quoted phrase" is searched.
// The chips (status, tags) edit the same text, so the URL holds one string for the whole view.

export const FILTER_FIELDS = new Set([
  "id", "model", "status", "source", "kind", "session_id", "tags", "duration", "prompt_tokens",
  "completion_tokens", "total_tokens", "cost", "created_at", "updated_at", "graded",
]);
const OPERATORS = new Set(["=", "!=", "<", "<=", ">", ">=", ":"]);
const CONNECTORS = new Set(["AND", "OR"]);

// A path segment is a bare name or a quoted one: metadata."plan name", feedback."helpfulness v2".score.
const SEGMENT = String.raw`(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[^\s()=<>!:"'.]+)`;
const DOTTED_FIELD = new RegExp(String.raw`^(?:metadata|feedback)(?:\.${SEGMENT})+$`);
const DOTTED_PREFIX = new RegExp(String.raw`^(?:metadata|feedback)(?:\.${SEGMENT})*\.$`);
const isField = (word) => FILTER_FIELDS.has(word) || DOTTED_FIELD.test(word);

/** The end of the quoted string opening at text[i] (just past its closing quote). */
function quotedEnd(text, i) {
  let j = i + 1;
  while (j < text.length && text[j] !== text[i]) j += text[j] === "\\" ? 2 : 1;
  return Math.min(j + 1, text.length);
}

/** Split text into tokens: quoted strings, parentheses, operators and words. */
function tokenize(text) {
  const tokens = [];
  let i = 0;
  let afterOperator = false;
  while (i < text.length) {
    const c = text[i];
    if (/\s/.test(c)) { i++; continue; }
    let token;
    if (c === '"' || c === "'") {
      token = text.slice(i, quotedEnd(text, i));
    } else if (c === "(" || c === ")") {
      token = c;
    } else if (!afterOperator && /[=<>!:]/.test(c)) {
      token = /^(!=|<=|>=)/.test(text.slice(i, i + 2)) ? text.slice(i, i + 2) : c;
    } else {
      // A value after an operator runs to the next space or parenthesis (RFC 3339 times hold ':').
      const stop = afterOperator ? /[\s()]/ : /[\s()=<>!:"']/;
      let j = i;
      while (j < text.length) {
        if (!afterOperator && /["']/.test(text[j]) && DOTTED_PREFIX.test(text.slice(i, j))) {
          j = quotedEnd(text, j);  // a quoted segment of a field path belongs to the field
        } else if (stop.test(text[j])) {
          break;
        } else {
          j++;
        }
      }
      token = text.slice(i, j === i ? i + 1 : j);
    }
    tokens.push(token);
    afterOperator = OPERATORS.has(token) && tokens.length >= 2 && isField(tokens[tokens.length - 2]);
    i += token.length;
  }
  return tokens;
}

/**
 * Parse the bar's text into items: {kind: "clause", field, op, value}, {kind: "word", text} (search),
 * {kind: "connector", text} (AND/OR), {kind: "not"}, {kind: "open"}, {kind: "close"}.
 */
export function parseBar(text) {
  const tokens = tokenize(text || "");
  const items = [];
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (isField(t) && OPERATORS.has(tokens[i + 1]) && i + 2 < tokens.length) {
      items.push({ kind: "clause", field: t, op: tokens[i + 1], value: tokens[i + 2] });
      i += 2;
    } else if (CONNECTORS.has(t)) items.push({ kind: "connector", text: t });
    else if (t === "NOT") items.push({ kind: "not" });
    else if (t === "(") items.push({ kind: "open" });
    else if (t === ")") items.push({ kind: "close" });
    else items.push({ kind: "word", text: t });
  }
  return items;
}

const clauseText = (item) => (item.op === ":" ? `${item.field}:${item.value}` : `${item.field} ${item.op} ${item.value}`);

/** The filter expression of the items: search words left out, connectors tidied, implicit ANDs written. */
export function filterOf(items) {
  const out = [];
  const last = () => out[out.length - 1];
  const isOperand = (x) => x && (x.kind === "clause" || x.kind === "close");
  for (const item of items) {
    if (item.kind === "word") continue;
    if (item.kind === "connector") {
      if (isOperand(last())) out.push(item);
    } else if (item.kind === "close") {
      while (last() && (last().kind === "connector" || last().kind === "not")) out.pop();
      if (last() && last().kind === "open") out.pop(); else out.push(item);
    } else {
      if (isOperand(last())) out.push({ kind: "connector", text: "AND" });
      out.push(item);
    }
  }
  while (last() && !isOperand(last())) out.pop();
  return out
    .map((x) => (x.kind === "clause" ? clauseText(x) : x.kind === "connector" ? x.text
      : x.kind === "not" ? "NOT" : x.kind === "open" ? "(" : ")"))
    .join(" ")
    .replace(/\( /g, "(")
    .replace(/ \)/g, ")");
}

/** The search words and phrases of the items. */
export function searchOf(items) {
  return items.filter((x) => x.kind === "word").map((x) => x.text).join(" ");
}

/** {filter, search} for the API from the bar's text. */
export function splitBar(text) {
  const items = parseBar(text);
  return { filter: filterOf(items), search: searchOf(items) };
}

/** The bar's text back from items, with the filter first and the search words after. */
function joinItems(items) {
  return [filterOf(items), searchOf(items)].filter(Boolean).join(" ");
}

const unquote = (value) => (/^["'].*["']$/.test(value) ? value.slice(1, -1) : value);
const quote = (value) => `"${String(value).replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;

/** Tags required by top-level `tags:"x"` clauses (the tag chips). */
export function tagsOf(text) {
  return parseBar(text).filter((x) => x.kind === "clause" && x.field === "tags" && x.op === ":").map((x) => unquote(x.value));
}

/** The status chosen by a `status = x` clause, or "". */
export function statusOf(text) {
  const clause = parseBar(text).find((x) => x.kind === "clause" && x.field === "status" && x.op === "=");
  return clause ? unquote(clause.value) : "";
}

/** The bar's text with a tag chip added. */
export function withTag(text, tag) {
  if (tagsOf(text).includes(tag)) return text;
  return joinItems([{ kind: "clause", field: "tags", op: ":", value: quote(tag) }, ...parseBar(text)]);
}

/** The bar's text with a tag chip removed. */
export function withoutTag(text, tag) {
  return joinItems(parseBar(text).filter((x) => !(x.kind === "clause" && x.field === "tags" && unquote(x.value) === tag)));
}

/** The bar's text with its status clause replaced (status "" removes it). */
export function withStatus(text, status) {
  const items = parseBar(text).filter((x) => !(x.kind === "clause" && x.field === "status"));
  if (status) items.unshift({ kind: "clause", field: "status", op: "=", value: status });
  return joinItems(items);
}

/**
 * Tags every match must carry, for narrowing the live tail on the server: only when the filter is
 * a plain conjunction (no OR, NOT or parentheses), where each `tags:"x"` clause is required.
 */
export function requiredTagsOf(text) {
  const items = parseBar(text);
  const plain = items.every((x) => x.kind === "clause" || x.kind === "word" || (x.kind === "connector" && x.text === "AND"));
  return plain ? tagsOf(text) : [];
}
