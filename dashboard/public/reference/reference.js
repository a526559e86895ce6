// Renders /v1/openapi.json as a readable reference. No framework. The DOM is built with
// createElement and text nodes only, so nothing from the document is ever parsed as markup.

/**
 * The parts of an OpenAPI 3.1 document this page reads.
 * @typedef {{ $ref?: string, const?: unknown, enum?: unknown[], type?: string | string[], format?: string,
 *   items?: Schema, anyOf?: Schema[], oneOf?: Schema[], allOf?: Schema[], properties?: Record<string, Schema>,
 *   required?: string[], minimum?: number, exclusiveMinimum?: number, maximum?: number, minLength?: number,
 *   maxLength?: number, minItems?: number, maxItems?: number, pattern?: string, default?: unknown,
 *   nullable?: boolean, description?: string }} Schema
 * @typedef {{ name: string, in: string, required?: boolean, description?: string, schema?: Schema }} Parameter
 * @typedef {{ description?: string, content?: Record<string, { schema?: Schema }> }} ResponseObject
 * @typedef {{ operationId?: string, summary?: string, description?: string, tags?: string[], security?: unknown[],
 *   parameters?: Parameter[], requestBody?: { content?: Record<string, { schema?: Schema }> },
 *   responses?: Record<string, ResponseObject>, "x-proxygate-rate-limit"?: string }} OperationObject
 * @typedef {Partial<Record<string, OperationObject>>} PathItem
 * @typedef {{ info?: { title?: string, version?: string, description?: string }, paths?: Record<string, PathItem> }} OpenApiDoc
 * @typedef {Node | string | null | undefined | false} Leaf
 * @typedef {Leaf | Leaf[]} Child1
 * @typedef {Child1 | Child1[]} Child2
 * @typedef {Child2 | Child2[]} Child
 * @typedef {{ path: string, method: string, op: OperationObject, anchor: string }} Entry
 */

/**
 * @param {HTMLElement} el
 * @param {Array<Child>} children
 */
function appendAll(el, children) {
  for (const child of children) {
    if (Array.isArray(child)) appendAll(el, /** @type {Child[]} */ (child));
    else if (child !== undefined && child !== null && child !== false)
      el.append(typeof child === "string" ? document.createTextNode(child) : child);
  }
}

/**
 * Creates an element with attributes and children (strings become text nodes).
 * @param {string} tag
 * @param {Record<string, string | number | boolean | null | undefined>} [attrs]
 * @param {...Child} children
 * @returns {HTMLElement}
 */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") el.className = String(value);
    else el.setAttribute(key, String(value));
  }
  appendAll(el, children);
  return el;
}

/**
 * Text with `code` spans (the document's descriptions use backticks), as nodes.
 * @param {string | undefined} text
 * @returns {Leaf[]}
 */
function prose(text) {
  return String(text ?? "")
    .split(/(`[^`]+`)/)
    .filter((part) => part !== "")
    .map((part) => (part.startsWith("`") && part.endsWith("`") ? h("code", {}, part.slice(1, -1)) : part));
}

/**
 * Follows `$ref`s (local ones) to the schema they name.
 * @param {OpenApiDoc} doc
 * @param {Schema | undefined} schema
 * @returns {Schema}
 */
function resolve(doc, schema) {
  let current = schema;
  for (let i = 0; i < 10 && current && typeof current.$ref === "string"; i++) {
    /** @type {unknown} */
    let node = doc;
    for (const key of current.$ref.replace(/^#\//, "").split("/")) {
      node = node && typeof node === "object" ? /** @type {Record<string, unknown>} */ (node)[key] : undefined;
    }
    current = /** @type {Schema | undefined} */ (node);
  }
  return current ?? {};
}

/**
 * @param {Schema} schema
 * @returns {string}
 */
function typeLabel(schema) {
  if (schema.const !== undefined) return JSON.stringify(schema.const);
  if (Array.isArray(schema.enum)) return schema.enum.map((v) => JSON.stringify(v)).join(" | ");
  if (schema.type === "array") return `array of ${schema.items ? typeLabel(schema.items) : "any"}`;
  if (Array.isArray(schema.type)) return schema.type.join(" | ");
  if (schema.type) return schema.format ? `${schema.type} (${schema.format})` : schema.type;
  if (schema.anyOf || schema.oneOf) return "one of";
  if (schema.allOf) return "all of";
  return "any";
}

/**
 * @param {Schema} schema
 * @returns {string}
 */
function constraints(schema) {
  /** @type {string[]} */
  const out = [];
  const add = (/** @type {string} */ label, /** @type {unknown} */ value) =>
    value !== undefined && out.push(`${label} ${value}`);
  add("min", schema.minimum);
  add(">", schema.exclusiveMinimum);
  add("max", schema.maximum);
  add("min length", schema.minLength);
  add("max length", schema.maxLength);
  add("min items", schema.minItems);
  add("max items", schema.maxItems);
  add("pattern", schema.pattern);
  if (schema.default !== undefined) out.push(`default ${JSON.stringify(schema.default)}`);
  if (schema.nullable || (Array.isArray(schema.type) && schema.type.includes("null"))) out.push("nullable");
  return out.join(" · ");
}

/**
 * One schema as a nested list (depth-limited: the documents here are shallow).
 * @param {OpenApiDoc} doc
 * @param {Schema} raw
 * @returns {HTMLElement}
 */
function schemaView(doc, raw, depth = 0) {
  const schema = resolve(doc, raw);
  if (depth > 8) return h("span", { class: "constraint" }, "…");
  const variants = schema.oneOf ?? schema.anyOf;
  if (variants) {
    return h(
      "ul",
      { class: "schema" },
      variants.map((v, i) =>
        h("li", {}, h("span", { class: "constraint" }, `variant ${i + 1}:`), " ", schemaInline(doc, v, depth + 1)),
      ),
    );
  }
  if (schema.allOf) {
    /** @type {{ type: string, properties: Record<string, Schema>, required: string[] }} */
    const merged = { type: "object", properties: {}, required: [] };
    for (const part of schema.allOf.map((p) => resolve(doc, p))) {
      Object.assign(merged.properties, part.properties ?? {});
      merged.required.push(...(part.required ?? []));
    }
    return schemaView(doc, merged, depth + 1);
  }
  if (schema.type === "array" && schema.items) return schemaView(doc, schema.items, depth + 1);
  if (schema.properties) {
    const required = new Set(schema.required ?? []);
    return h(
      "ul",
      { class: "schema" },
      Object.entries(schema.properties).map(([name, prop]) => {
        const p = resolve(doc, prop);
        const nested =
          p.properties ||
          p.oneOf ||
          p.anyOf ||
          p.allOf ||
          (p.type === "array" && resolve(doc, p.items ?? {}).properties);
        return h(
          "li",
          {},
          h("span", { class: "prop" }, name),
          h("span", { class: "type" }, typeLabel(p)),
          required.has(name) ? h("span", { class: "req" }, "required") : null,
          constraints(p) ? h("span", { class: "constraint" }, constraints(p)) : null,
          p.description ? h("span", { class: "note" }, prose(p.description)) : null,
          nested ? schemaView(doc, p, depth + 1) : null,
        );
      }),
    );
  }
  return schemaInline(doc, schema, depth);
}

/**
 * @param {OpenApiDoc} doc
 * @param {Schema} raw
 * @param {number} depth
 * @returns {HTMLElement}
 */
function schemaInline(doc, raw, depth) {
  const schema = resolve(doc, raw);
  if (schema.properties || schema.oneOf || schema.anyOf || schema.allOf) return schemaView(doc, schema, depth);
  return h(
    "span",
    {},
    h("span", { class: "type" }, typeLabel(schema)),
    constraints(schema) ? h("span", { class: "constraint" }, constraints(schema)) : null,
    schema.description ? h("span", { class: "note" }, prose(schema.description)) : null,
  );
}

/**
 * @param {OpenApiDoc} doc
 * @param {Parameter[] | undefined} params
 * @returns {Child}
 */
function parametersView(doc, params) {
  if (!params?.length) return null;
  return [
    h("h4", {}, "Parameters"),
    h(
      "table",
      {},
      h("thead", {}, h("tr", {}, h("th", {}, "name"), h("th", {}, "in"), h("th", {}, "type"), h("th", {}, "notes"))),
      h(
        "tbody",
        {},
        params.map((p) => {
          const s = resolve(doc, p.schema ?? {});
          return h(
            "tr",
            {},
            h("td", { class: "mono" }, p.name, p.required ? h("span", { class: "req" }, "required") : null),
            h("td", {}, p.in),
            h("td", { class: "type" }, typeLabel(s)),
            h(
              "td",
              {},
              constraints(s),
              p.description || s.description
                ? h("span", { class: "note" }, prose(p.description ?? s.description))
                : null,
            ),
          );
        }),
      ),
    ),
  ];
}

/**
 * @param {OpenApiDoc} doc
 * @param {Record<string, ResponseObject> | undefined} responses
 * @returns {Child}
 */
function responsesView(doc, responses) {
  return [
    h("h4", {}, "Responses"),
    Object.entries(responses ?? {}).map(([status, r]) => {
      const schema = r.content?.["application/json"]?.schema;
      const ok = status.startsWith("2") || status.startsWith("3");
      const head = [h("span", { class: `status ${ok ? "ok" : "err"}` }, status), ...prose(r.description)];
      if (!schema) return h("div", { class: "response" }, head);
      return h(
        "details",
        { class: "response", open: ok ? "" : undefined },
        h("summary", {}, head),
        schemaView(doc, schema),
      );
    }),
  ];
}

/**
 * @param {OpenApiDoc} doc
 * @param {string} path
 * @param {string} method
 * @param {OperationObject} op
 * @param {string} anchor
 * @returns {HTMLElement}
 */
function operationView(doc, path, method, op, anchor) {
  const limit = op["x-proxygate-rate-limit"];
  return h(
    "article",
    {
      class: "op",
      id: anchor,
      "data-search": `${method} ${path} ${op.summary ?? ""} ${(op.tags ?? []).join(" ")}`.toLowerCase(),
    },
    h(
      "div",
      { class: "op-head" },
      h("span", { class: `method ${method}` }, method),
      h("span", { class: "path" }, path),
    ),
    h("p", { class: "op-summary" }, prose(op.summary)),
    op.description ? h("p", { class: "op-desc" }, prose(op.description)) : null,
    h(
      "div",
      { class: "badges" },
      h("span", { class: "badge" }, op.security?.length ? "API key: Authorization: Bearer pgk_…" : "public"),
      limit
        ? h(
            "span",
            { class: "badge" },
            `rate limit: ${limit.replace("ip:", "per IP, ").replace(/^wallet$/, "per wallet")}`,
          )
        : null,
      h("span", { class: "badge mono" }, op.operationId),
    ),
    parametersView(doc, op.parameters),
    op.requestBody
      ? [
          h("h4", {}, "Request body (JSON)"),
          schemaView(doc, op.requestBody.content?.["application/json"]?.schema ?? {}),
        ]
      : null,
    responsesView(doc, op.responses),
  );
}

const METHODS = ["get", "post", "put", "patch", "delete"];

/** @param {string} id */
function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`#${id} is missing from the page`);
  return el;
}

/** @param {OpenApiDoc} doc */
function render(doc) {
  const intro = byId("intro");
  intro.replaceChildren(
    h("h1", {}, `${doc.info?.title ?? "API"} `, h("small", {}, `v${doc.info?.version ?? "?"}`)),
    h("p", {}, prose(doc.info?.description)),
  );

  // Group operations by their first tag; the proxy's five methods collapse into one "any" entry.
  /** @type {Map<string, Entry[]>} */
  const groups = new Map();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    const present = METHODS.filter((m) => item[m]);
    const any = present.length === METHODS.length && present.every((m) => item[m]?.operationId?.endsWith(`_${m}`));
    const entries = /** @type {[string, OperationObject][]} */ (
      any ? [["any", item.get]] : present.map((m) => [m, item[m]])
    );
    for (const [method, op] of entries) {
      const tag = op.tags?.[0] ?? "other";
      let list = groups.get(tag);
      if (!list) {
        list = [];
        groups.set(tag, list);
      }
      list.push({ path, method, op, anchor: `${method}-${path}`.replace(/[^A-Za-z0-9_-]+/g, "-") });
    }
  }

  const toc = byId("toc");
  const main = byId("operations");
  toc.replaceChildren();
  main.replaceChildren();
  for (const [tag, ops] of groups) {
    toc.append(
      h(
        "div",
        { class: "toc-group", "data-tag": tag },
        h("h3", {}, tag),
        h(
          "ul",
          {},
          ops.map((o) =>
            h(
              "li",
              { "data-for": o.anchor },
              h(
                "a",
                { href: `#${o.anchor}` },
                h("span", { class: `method ${o.method}` }, o.method),
                h("span", { class: "path" }, o.path),
              ),
            ),
          ),
        ),
      ),
    );
    main.append(
      h(
        "section",
        { "data-tag": tag },
        h("h2", { class: "tag-title" }, tag),
        ops.map((o) => operationView(doc, o.path, o.method, o.op, o.anchor)),
      ),
    );
  }
}

/** @param {string} text */
function applyFilter(text) {
  const q = text.trim().toLowerCase();
  for (const op of /** @type {NodeListOf<HTMLElement>} */ (document.querySelectorAll("article.op"))) {
    const hide = q !== "" && !(op.dataset.search ?? "").includes(q);
    op.classList.toggle("hidden", hide);
    document.querySelector(`li[data-for="${op.id}"]`)?.classList.toggle("hidden", hide);
  }
  for (const section of document.querySelectorAll("[data-tag]")) {
    const visible = section.querySelector("article.op:not(.hidden), li:not(.hidden)");
    section.classList.toggle("hidden", !visible);
  }
}

async function main() {
  const status = byId("status");
  try {
    const res = await fetch("/v1/openapi.json", { headers: { accept: "application/json" } });
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    const doc = /** @type {OpenApiDoc} */ (await res.json());
    render(doc);
    status.textContent = "";
    status.classList.add("hidden");
    byId("filter").addEventListener("input", (e) => applyFilter(/** @type {HTMLInputElement} */ (e.target).value));
    if (location.hash) document.getElementById(decodeURIComponent(location.hash.slice(1)))?.scrollIntoView();
  } catch (err) {
    status.textContent = `Could not load /v1/openapi.json (${err instanceof Error ? err.message : String(err)}).`;
  }
}

main();
