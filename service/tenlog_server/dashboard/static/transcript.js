// A completion's request and response as a chat transcript: system, user, assistant, tool calls
// with their arguments, tool results, and images (message parts and the logs API's media).
import { html } from "./html.js";

const IMAGE_MAGIC = [["iVBOR", "image/png"], ["/9j/", "image/jpeg"], ["R0lG", "image/gif"], ["UklG", "image/webp"]];

/** A displayable src for a media item's data: a URL, a data: URI, or bare base64. */
export function imageSource(data) {
  if (!data || typeof data !== "string") return "";
  if (/^(https?:|data:)/i.test(data)) return data;
  const kind = IMAGE_MAGIC.find(([magic]) => data.startsWith(magic));
  return `data:${kind ? kind[1] : "image/png"};base64,${data}`;
}

function prettyArguments(text) {
  if (typeof text !== "string") return JSON.stringify(text, null, 2);
  try { return JSON.stringify(JSON.parse(text), null, 2); } catch { return text; }
}

function Content({ content }) {
  if (content == null || content === "") return null;
  if (typeof content === "string") return html`<div class="text">${content}</div>`;
  if (!Array.isArray(content)) return html`<pre class="json">${JSON.stringify(content, null, 2)}</pre>`;
  return content.map((part) => {
    if (typeof part === "string") return html`<div class="text">${part}</div>`;
    if (part.type === "text") return html`<div class="text">${part.text}</div>`;
    if (part.type === "image_url") {
      const url = typeof part.image_url === "string" ? part.image_url : part.image_url && part.image_url.url;
      return html`<img class="inline-image" src=${imageSource(url)} alt="image in the message" />`;
    }
    return html`<pre class="json">${JSON.stringify(part, null, 2)}</pre>`;
  });
}

function ToolCalls({ calls }) {
  return (calls || []).map((call) => {
    const fn = call.function || {};
    return html`
      <div class="tool-call" data-tool=${fn.name || call.type}>
        <div class="tool-name">→ call <code>${fn.name || call.type}</code>${call.id && html` <span class="muted">${call.id}</span>`}</div>
        <pre class="json">${prettyArguments(fn.arguments ?? call.arguments ?? "")}</pre>
      </div>`;
  });
}

export function Message({ message, from }) {
  const role = message.role || "assistant";
  const legacy = message.function_call ? [{ type: "function", function: message.function_call }] : [];
  return html`
    <div class=${"message role-" + role + (from === "response" ? " from-response" : "")} data-role=${role}>
      <div class="role">${role}${message.name && html` <span class="muted">${message.name}</span>`}
        ${message.tool_call_id && html` <span class="muted">result of ${message.tool_call_id}</span>`}</div>
      <${Content} content=${message.content} />
      ${message.refusal && html`<div class="text refusal">${message.refusal}</div>`}
      <${ToolCalls} calls=${[...(message.tool_calls || []), ...legacy]} />
    </div>`;
}

function MediaImages({ items, label }) {
  const images = (items || []).filter((m) => m && (m.type === "image" || m.data));
  if (!images.length) return null;
  return html`
    <div class="message role-media" data-role="media">
      <div class="role">${label} media</div>
      ${images.map((m) => html`<figure><img class="inline-image" src=${imageSource(m.data || m.url)} alt=${m.title || "image"} />
        ${m.title && html`<figcaption>${m.title}</figcaption>`}</figure>`)}
    </div>`;
}

/** The whole conversation of one completion, oldest message first. */
export function Transcript({ completion }) {
  const request = completion.request || {};
  const response = completion.response || {};
  const media = (completion.metadata && completion.metadata.logs_api && completion.metadata.logs_api.media) || {};
  const messages = Array.isArray(request.messages) ? request.messages : [];
  const choices = Array.isArray(response.choices) ? response.choices : [];
  return html`
    <div class="transcript" id="transcript">
      ${request.prompt !== undefined && html`<${Message} message=${{ role: "prompt", content: request.prompt }} />`}
      ${messages.map((m) => html`<${Message} message=${m} />`)}
      <${MediaImages} items=${media.request} label="request" />
      ${choices.map((choice) => choice.message
        ? html`<${Message} message=${choice.message} from="response" />`
        : html`<${Message} message=${{ role: "completion", content: choice.text }} from="response" />`)}
      <${MediaImages} items=${media.response} label="response" />
      ${!messages.length && !choices.length && request.prompt === undefined && html`<p class="muted">No messages in this completion.</p>`}
    </div>`;
}
