// The top of the page: what ran, the overall verdict, how to replay it, and each check at a glance.

import type { Results, Schedule } from '../types.js';
import { esc, shellWord } from './escape.js';
import { formatMs, formatNumber } from './format.js';
import type { ReportModel } from './model.js';
import { verdictBadge } from './checks-section.js';

function fact(label: string, value: string): string {
  return `<div class="fact"><span class="k">${esc(label)}</span><span class="v">${value}</span></div>`;
}

function count(n: number): string {
  return esc(formatNumber(n));
}

export function renderHeader(title: string, schedule: Schedule, results: Results, model: ReportModel, runDir: string | undefined): string {
  const outcomes = { ok: 0, fail: 0, info: 0 };
  for (const op of model.ops) outcomes[op.type]++;
  const nemesis = Array.isArray(schedule.nemesis) ? schedule.nemesis.join(', ') : '';
  const checks = Array.isArray(results.checks) ? results.checks : [];
  const replay = `swarmlab chaos replay ${runDir === undefined ? 'DIR' : shellWord(runDir)}`;
  const facts = [
    fact('seed', esc(schedule.seed ?? results.seed)),
    fact('cluster', `${esc(schedule.managers)} managers + ${esc(schedule.workers)} workers`),
    fact('workload', `${esc(schedule.workload)} · concurrency ${esc(schedule.concurrency)}`),
    fact('duration', `${esc(formatMs(Number(schedule.time)))} workload · ${esc(formatMs(Number(results.durationMs)))} in all`),
    fact('nemesis', `${esc(nemesis || 'none')} · every ${esc(formatMs(Number(schedule.interval)))}`),
    fact('started', esc(results.startedAt ?? '')),
    fact('operations', `${count(model.ops.length)} · <span class="type ok">${count(outcomes.ok)} ok</span> <span class="type fail">${count(outcomes.fail)} fail</span> <span class="type info">${count(outcomes.info)} info</span>`),
    fact('faults · leader changes', `${count(model.faults.length)} · ${count(model.leaders.changes.length)}`),
  ];
  const checkList = checks
    .map((c, i) => `<li><a href="#check-${i}">${esc((c as { name?: unknown })?.name ?? `check ${i + 1}`)}</a> ${verdictBadge((c as { verdict?: unknown })?.verdict)}</li>`)
    .join('');
  const warnings = model.warnings.length ? `<ul class="warnings">${model.warnings.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>` : '';
  return [
    '<header>',
    `<div class="title-row"><h1>${esc(title)}</h1><div class="overall">${verdictBadge(results.valid)}</div></div>`,
    `<div class="facts">${facts.join('')}</div>`,
    `<div class="replay">replay: <code>${esc(replay)}</code></div>`,
    checkList ? `<ul class="check-list">${checkList}</ul>` : '',
    warnings,
    '</header>',
  ].join('');
}
