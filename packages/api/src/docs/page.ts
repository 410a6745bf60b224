/**
 * The /docs page: the OpenAPI document rendered to HTML on the server, with a small inline
 * script to try each operation. It loads nothing from elsewhere, so it works offline. Checked
 * with axe-core in the dashboard's browser tests: one main landmark, every field labelled,
 * every scrolling block reachable by keyboard.
 */

import { pageCsp } from '../middleware/hardening/index.js';

type Json = Record<string, unknown>;

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A schema as short readable text: `$ref`s by name, else its JSON. */
function schemaText(schema: unknown): string {
  if (isObject(schema) && typeof schema.$ref === 'string')
    return schema.$ref.split('/').at(-1) ?? '';
  return JSON.stringify(schema ?? {}, null, 2);
}

function parametersHtml(parameters: unknown[]): string {
  if (parameters.length === 0) return '';
  const rows = parameters.filter(isObject).map((p) => {
    const schema = isObject(p.schema) ? p.schema : {};
    const description = String(p.description ?? schema.description ?? '');
    return `<tr><td><code>${escapeHtml(String(p.name))}</code></td><td>${escapeHtml(String(p.in))}</td>
      <td>${p.required === true ? 'yes' : ''}</td><td><code>${escapeHtml(schemaText(schema))}</code></td>
      <td>${escapeHtml(description)}</td></tr>`;
  });
  return `<table><tr><th>name</th><th>in</th><th>required</th><th>schema</th><th>description</th></tr>${rows.join('')}</table>`;
}

function operationHtml(path: string, method: string, op: Json): string {
  const parameters = Array.isArray(op.parameters) ? op.parameters : [];
  const body =
    isObject(op.requestBody) && isObject(op.requestBody.content) ? op.requestBody.content : null;
  const bodySchema =
    body && isObject(body['application/json']) ? body['application/json'].schema : undefined;
  const responses = isObject(op.responses) ? Object.entries(op.responses) : [];
  const fields = parameters
    .filter(isObject)
    .map(
      (p) =>
        `<label>${escapeHtml(String(p.name))} <input data-in="${escapeHtml(String(p.in))}" name="${escapeHtml(String(p.name))}"></label>`,
    )
    .join(' ');
  return `<details><summary><b class="m ${method}">${method.toUpperCase()}</b> <code>${escapeHtml(path)}</code> ${escapeHtml(String(op.summary ?? ''))}</summary>
    ${op.description ? `<p>${escapeHtml(String(op.description))}</p>` : ''}
    ${parametersHtml(parameters)}
    ${bodySchema === undefined ? '' : `<p>Body: <code>${escapeHtml(schemaText(bodySchema))}</code></p>`}
    <p>Responses: ${responses.map(([code, r]) => `<code>${escapeHtml(code)}</code> ${escapeHtml(String(isObject(r) ? (r.description ?? '') : ''))}`).join('; ')}</p>
    <form data-method="${method}" data-path="${escapeHtml(path)}">${fields}
      ${bodySchema === undefined ? '' : '<label class="body">Request body (JSON) <textarea name="body" rows="6">{}</textarea></label>'}
      <button>Send</button><pre class="out" tabindex="0"></pre></form></details>`;
}

const SCRIPT = `
const token = document.getElementById('token');
token.value = sessionStorage.getItem('jobs-token') || '';
token.onchange = () => sessionStorage.setItem('jobs-token', token.value);
for (const form of document.querySelectorAll('form[data-method]')) {
  form.onsubmit = async (event) => {
    event.preventDefault();
    const out = form.querySelector('.out');
    let path = form.dataset.path;
    const query = new URLSearchParams();
    for (const input of form.querySelectorAll('input[data-in]')) {
      if (input.value === '') continue;
      if (input.dataset.in === 'path') path = path.replace('{' + input.name + '}', encodeURIComponent(input.value));
      else if (input.dataset.in === 'query') query.set(input.name, input.value);
    }
    const headers = {};
    if (token.value) headers.Authorization = 'Bearer ' + token.value;
    const body = form.querySelector('textarea');
    if (body) headers['Content-Type'] = 'application/json';
    const url = path + (query.size ? '?' + query : '');
    try {
      const res = await fetch(url, { method: form.dataset.method.toUpperCase(), headers, body: body ? body.value : undefined });
      const type = res.headers.get('content-type') || '';
      const text = type.includes('event-stream') ? '(an event stream: open it with EventSource)' : await res.text();
      let shown = text;
      try { shown = JSON.stringify(JSON.parse(text), null, 2); } catch {}
      out.textContent = res.status + ' ' + res.statusText + '\\n' + shown;
    } catch (error) { out.textContent = String(error); }
  };
}`;

const STYLE = `body{font:14px system-ui,sans-serif;margin:2em;max-width:70em}details{border:1px solid #ccc;border-radius:4px;margin:.4em 0;padding:.3em .6em}
summary{cursor:pointer}.m{display:inline-block;width:4.5em}.get{color:#06c}.post{color:#080}.delete{color:#c00}
table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}
label.body{display:block}textarea{display:block;width:100%;font-family:monospace}pre{background:#f6f6f6;max-height:30em;overflow:auto}code{white-space:pre-wrap}`;

/** The Content-Security-Policy of the docs page: its own inline script and style, by hash. */
export const DOCS_CSP = pageCsp({ scripts: [SCRIPT], styles: [STYLE] });

/** The docs page for an OpenAPI document. */
export function renderDocsPage(document: Json): string {
  const info = isObject(document.info) ? document.info : {};
  const paths = isObject(document.paths) ? document.paths : {};
  const operations = Object.entries(paths).flatMap(([path, item]) =>
    isObject(item)
      ? METHODS.flatMap((m) => (isObject(item[m]) ? [operationHtml(path, m, item[m])] : []))
      : [],
  );
  const components =
    isObject(document.components) && isObject(document.components.schemas)
      ? Object.entries(document.components.schemas)
      : [];
  const schemas = components
    .map(
      ([name, schema]) =>
        `<details><summary><code>${escapeHtml(name)}</code></summary><pre tabindex="0">${escapeHtml(JSON.stringify(schema, null, 2))}</pre></details>`,
    )
    .join('');
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${escapeHtml(String(info.title ?? 'API'))}</title>
<style>${STYLE}</style></head><body><main>
<h1>${escapeHtml(String(info.title ?? 'API'))} <small>${escapeHtml(String(info.version ?? ''))}</small></h1>
<p>${escapeHtml(String(info.description ?? ''))} The same document as JSON: <a href="/openapi.json">/openapi.json</a>.</p>
<p><label>Bearer token <input id="token" type="password" autocomplete="off"></label></p>
<h2>Operations</h2>${operations.join('\n')}
<h2>Schemas</h2>${schemas}
</main><script>${SCRIPT}</script></body></html>`;
}
