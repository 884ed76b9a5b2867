// The fault schedule as planned, next to what each fault actually hit.

import { esc, safeJson } from './escape.js';
import { targetText, type FaultWindow } from './faults.js';
import { formatMs, formatSeconds } from './format.js';
import { faultColor } from './palette.js';

function params(p: unknown): string {
  if (typeof p !== 'object' || p === null) return '';
  return Object.entries(p as Record<string, unknown>)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

export function renderScheduleTable(faults: readonly unknown[], windows: readonly FaultWindow[]): string {
  if (!faults.length) return '<p class="empty">The schedule has no faults.</p>';
  const byIndex = new Map(windows.map((w) => [w.index, w]));
  const rows = faults.map((raw, i) => {
    const w = byIndex.get(i);
    if (!w) return `<tr><td>#${i + 1}</td><td colspan="8"><code>${esc(safeJson(raw))}</code> (unreadable: not drawn)</td></tr>`;
    const f = w.fault;
    const ran = f.applied ? `${formatSeconds(w.start)} → ${f.applied.healedAt === undefined ? 'not healed' : formatSeconds(w.end)}` : 'not recorded';
    const hit = f.applied?.nodes ? f.applied.nodes.join(', ') : '';
    return (
      `<tr><td>#${i + 1}</td><td>${esc(formatSeconds(Number(f.at)))}</td><td>${esc(formatMs(Number(f.duration)))}</td>` +
      `<td><span class="swatch" style="background:${faultColor(w.kind)}"></span>${esc(w.kind)}</td><td>${esc(f.action ?? '')}</td>` +
      `<td>${esc(targetText(f.target))}</td><td>${esc(params(f.params))}</td><td>${esc(hit)}</td><td>${esc(ran)}${f.applied?.note ? `<div class="note">${esc(f.applied.note)}</div>` : ''}</td></tr>`
    );
  });
  return `<table class="schedule"><thead><tr><th>#</th><th>at</th><th>duration</th><th>kind</th><th>action</th><th>target</th><th>params</th><th>nodes hit</th><th>ran</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}
