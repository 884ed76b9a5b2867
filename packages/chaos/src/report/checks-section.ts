// One card per check: verdict, summary, what it spent, and its evidence.

import type { CheckResult } from '../types.js';
import { esc } from './escape.js';
import { linearizabilityEvidence } from './evidence-ops.js';
import { prettyJson, renderGenericEvidence } from './evidence-view.js';
import { formatNumber, humanizeKey } from './format.js';
import { renderLinearizabilityView } from './linearizability-view.js';
import type { ReportModel } from './model.js';
import { verdictClass } from './palette.js';

export function verdictBadge(verdict: unknown): string {
  return `<span class="badge ${verdictClass(verdict)}">${esc(verdict ?? 'unknown')}</span>`;
}

function statsTable(stats: unknown): string {
  if (typeof stats !== 'object' || stats === null) return '';
  const cells = Object.entries(stats as Record<string, unknown>)
    .map(([k, v]) => `<div class="stat"><span class="k" title="${esc(k)}">${esc(humanizeKey(k))}</span><span class="v">${esc(typeof v === 'number' ? formatNumber(v) : String(v))}</span></div>`)
    .join('');
  return cells ? `<div class="stats">${cells}</div>` : '';
}

function evidenceBlock(check: CheckResult, model: ReportModel): string {
  if (check.evidence === undefined || check.evidence === null) return '';
  const lin = linearizabilityEvidence(check.evidence, model);
  if (lin) {
    return `<div class="evidence">${renderLinearizabilityView(lin, model)}<details><summary>raw evidence</summary>${prettyJson(check.evidence)}</details></div>`;
  }
  return `<div class="evidence"><h4>evidence</h4>${renderGenericEvidence(check.evidence)}</div>`;
}

export function renderChecks(checks: readonly unknown[], model: ReportModel): string {
  if (!checks.length) return '<p class="empty">No checks were recorded in results.json.</p>';
  return checks
    .map((raw, i) => {
      if (typeof raw !== 'object' || raw === null) return `<section class="check unknown"><h3>check ${i + 1} ${verdictBadge('unknown')}</h3>${prettyJson(raw)}</section>`;
      const check = raw as CheckResult;
      const verdict = verdictClass(check.verdict);
      return [
        `<section class="check ${verdict}" id="check-${i}">`,
        `<h3>${esc(check.name ?? `check ${i + 1}`)} ${verdictBadge(check.verdict)}</h3>`,
        check.summary ? `<p class="summary">${esc(check.summary)}</p>` : '',
        statsTable(check.stats),
        evidenceBlock(check, model),
        '</section>',
      ].join('');
    })
    .join('');
}
