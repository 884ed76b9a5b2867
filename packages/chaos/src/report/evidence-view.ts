// Any checker's evidence made readable without knowing its shape: a list of records becomes a
// table, a record's plain fields a two-column table and its lists of records tables under their
// names; whatever is deeper or irregular is shown as indented JSON (cut when huge).

import { esc, safeJson, truncate } from './escape.js';
import { humanizeKey } from './format.js';

const MAX_JSON_CHARS = 20_000;
const MAX_TABLE_ROWS = 200;
const MAX_TABLE_COLUMNS = 12;
const MAX_CELL_CHARS = 300;
const MAX_DEPTH = 2;

type Rec = Record<string, unknown>;

function isScalar(v: unknown): boolean {
  return v === null || ['string', 'number', 'boolean'].includes(typeof v);
}

function isRecord(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isRecordList(v: unknown): v is Rec[] {
  return Array.isArray(v) && v.length > 0 && v.every(isRecord) && new Set(v.flatMap((r) => Object.keys(r))).size <= MAX_TABLE_COLUMNS;
}

/** A cell: scalars as they are, an operation summary by its sentence, anything else as JSON. */
function cell(v: unknown): string {
  if (typeof v === 'string') return esc(truncate(v, MAX_CELL_CHARS));
  if (isRecord(v) && typeof v.text === 'string') return esc(truncate(v.text, MAX_CELL_CHARS));
  return esc(truncate(safeJson(v), MAX_CELL_CHARS));
}

function table(rows: Rec[]): string {
  const columns = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  const body = rows
    .slice(0, MAX_TABLE_ROWS)
    .map((r) => `<tr>${columns.map((c) => `<td>${c in r ? cell(r[c]) : ''}</td>`).join('')}</tr>`)
    .join('');
  const more = rows.length > MAX_TABLE_ROWS ? `<p class="note">… and ${rows.length - MAX_TABLE_ROWS} more rows (see results.json)</p>` : '';
  return `<table class="evidence-table"><thead><tr>${columns.map((c) => `<th>${esc(c)}</th>`).join('')}</tr></thead><tbody>${body}</tbody></table>${more}`;
}

export function prettyJson(value: unknown): string {
  const text = safeJson(value, 2);
  const cut = text.length > MAX_JSON_CHARS ? `${text.slice(0, MAX_JSON_CHARS)}\n… (${text.length - MAX_JSON_CHARS} more characters in results.json)` : text;
  return `<pre class="json">${esc(cut)}</pre>`;
}

function record(rec: Rec, depth: number): string {
  const plain: string[] = [];
  const blocks: string[] = [];
  for (const [k, v] of Object.entries(rec)) {
    const simple = isScalar(v) || (Array.isArray(v) && v.every(isScalar)) || (isRecord(v) && typeof v.text === 'string');
    if (simple) plain.push(`<tr><th>${esc(k)}</th><td>${cell(v)}</td></tr>`);
    else if (Array.isArray(v) && v.length === 0) plain.push(`<tr><th>${esc(k)}</th><td>none</td></tr>`);
    else blocks.push(`<h5>${esc(humanizeKey(k))}</h5>${render(v, depth + 1)}`);
  }
  return (plain.length ? `<table class="kv">${plain.join('')}</table>` : '') + blocks.join('');
}

function render(evidence: unknown, depth: number): string {
  if (isScalar(evidence)) return `<p>${cell(evidence)}</p>`;
  if (isRecordList(evidence)) return table(evidence);
  if (isRecord(evidence) && depth <= MAX_DEPTH) return record(evidence, depth);
  return prettyJson(evidence);
}

export function renderGenericEvidence(evidence: unknown): string {
  return render(evidence, 0);
}
