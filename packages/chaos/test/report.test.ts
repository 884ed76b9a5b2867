import { describe, expect, it } from 'vitest';
import { checkLinearizability, type LinearizabilityEvidence } from '../src/linearizability/index.js';
import { esc } from '../src/report/escape.js';
import { renderReport, type ReportInput } from '../src/report/index.js';
import type { CheckResult, HistoryOp, LabEventLine, Results, Schedule } from '../src/types.js';
import { syntheticRun } from './fixtures/report-run.js';

const STARTED = '2025-11-26T12:00:00.000Z';

function schedule(over: Partial<Schedule> = {}): Schedule {
  return { seed: 1, time: 10_000, interval: 2_000, nemesis: ['partition'], managers: 3, workers: 0, workload: 'register', concurrency: 2, faults: [], ...over };
}

function results(checks: CheckResult[] = [], over: Partial<Results> = {}): Results {
  return { seed: 1, valid: 'valid', checks, startedAt: STARTED, durationMs: 12_000, ...over };
}

function input(over: Partial<ReportInput> = {}): ReportInput {
  return { schedule: schedule(), history: [], results: results(), events: [], ...over };
}

/** The operation data the timeline embeds for its hover script. */
function hoverData(html: string): { strings: string[]; lanes: unknown[][] } {
  const m = html.match(/<script type="application\/json" id="timeline-ops">([\s\S]*?)<\/script>/);
  expect(m).not.toBeNull();
  return JSON.parse(m![1]);
}

/** No number in an attribute may come out as NaN or Infinity: that is a drawing bug. */
function expectFiniteAttributes(html: string): void {
  expect(html).not.toMatch(/="[^"]*(NaN|Infinity)/);
}

describe('renderReport', () => {
  it('is one self-contained page: nothing loaded from elsewhere', () => {
    const html = renderReport(syntheticRun({ ops: 600 }));
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/\b(src|href)\s*=\s*["']?\s*(https?:)?\/\//i);
    expect(html).not.toMatch(/<link\b|@import|url\(/i);
    expect(html).not.toMatch(/<script[^>]*\bsrc=/i);
    expectFiniteAttributes(html);
  });

  it('escapes markup from every untrusted field', () => {
    const evil = '<script>alert(1)</script>';
    const history: HistoryOp[] = [
      { process: 0, type: 'invoke', f: 'write', value: ['k', evil], time: 1e6, node: '"><img src=x onerror=alert(2)>' },
      { process: 0, type: 'info', f: 'write', value: ['k', evil], time: 5e6, error: `</script><img src=x onerror=alert(3)>` },
    ];
    const html = renderReport(
      input({
        history,
        schedule: schedule({ faults: [{ at: 0, duration: 1_000, kind: 'partition', action: '<b>x</b>', target: ['<i>n1</i>'], applied: { nodes: ['<u>n1</u>'], at: 5, note: evil } }] }),
        results: results([{ name: '<em>lin</em>', verdict: 'invalid', summary: evil, evidence: { evil }, stats: { '<s>': 1 } }], { startedAt: evil }),
        events: [{ time: STARTED, kind: 'observed', node: '<b>m1</b>', event: 'leader', isLeader: true, term: 1 }],
        title: evil,
        runDir: "/tmp/it's <here>",
      }),
    );
    // Our own two scripts are the only ones: the hover data and the hover code.
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html).not.toMatch(/<(img|b|i|u|em|s)>|<img /);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    // The hover data still carries the exact strings, for the script to show as text.
    const data = hoverData(html);
    expect(data.strings).toContain(JSON.stringify(['k', evil]));
    expect(data.strings).toContain('</script><img src=x onerror=alert(3)>');
    // The replay command is quoted for a shell, then escaped for HTML.
    expect(html).toContain('swarmlab chaos replay &#39;/tmp/it&#39;\\&#39;&#39;s &lt;here&gt;&#39;');
  });

  it('shows every fault, every check and the overall verdict', () => {
    const run = syntheticRun({ ops: 800 });
    const html = renderReport(run);
    const faults = run.schedule.faults;
    expect(faults.length).toBeGreaterThan(10);
    for (const kind of ['partition', 'kill', 'pause', 'clock', 'link', 'membership']) expect(faults.some((f) => f.kind === kind)).toBe(true);
    faults.forEach((f, i) => {
      // A labelled bar on the timeline (its hover title) and a row in the schedule table.
      expect(html).toContain(`<title>#${i + 1} ${f.kind} ${f.action}`);
      expect(html).toContain(`<tr><td>#${i + 1}</td>`);
    });
    for (const check of run.results.checks) {
      expect(html).toContain(`<h3>${check.name} <span class="badge ${check.verdict}">${check.verdict}</span></h3>`);
      expect(html).toContain(esc(check.summary));
    }
    expect(html).toMatch(/<div class="overall"><span class="badge invalid">invalid<\/span>/);
    expectFiniteAttributes(html);
  });

  it('marks leader changes with node and term', () => {
    const run = syntheticRun({ ops: 200 });
    const html = renderReport(run);
    const start = Date.parse(run.results.startedAt);
    const leaders = run.events.filter((e) => e.event === 'leader' && e.isLeader);
    const [before, during] = [leaders.filter((e) => Date.parse(e.time) < start), leaders.filter((e) => Date.parse(e.time) >= start)];
    expect(during.length).toBeGreaterThan(2);
    for (const e of during) expect(html).toContain(`${e.node} became leader in term ${e.term} at`);
    // A leader elected before the workload began leads from the left edge; its tenure says since when.
    for (const e of before) expect(html).toContain(`${e.node} led term ${e.term} from -`);
  });

  it('draws the operations around the first impossible point of a non-linearizable history', () => {
    const run = syntheticRun({ ops: 1_000 });
    const html = renderReport(run);
    const lin = run.results.checks.find((c) => c.name === 'linearizability')!;
    const evidence = lin.evidence as { key: string; concurrent: unknown[] };
    expect(evidence.concurrent.length).toBeGreaterThan(0);
    expect(html).toContain('class="chart zoom"');
    expect(html).toContain('<g class="op failing">');
    expect(html.match(/<g class="op concurrent/g)?.length).toBe(evidence.concurrent.length);
    expect(html).toMatch(/<td>cannot be linearized<\/td><td>p\d+<\/td><td>read<\/td><td><code>\[&quot;chaos-register-\d&quot;,7\]<\/code>/);
    expect(html).toContain(`on key <code>${evidence.key}</code>`);
  });

  it("draws the linearizability checker's own evidence for the planted stale read", () => {
    const run = syntheticRun({ ops: 1_000 });
    const verdict = checkLinearizability(run.history);
    expect(verdict.verdict).toBe('invalid');
    const evidence = verdict.evidence as LinearizabilityEvidence;
    const html = renderReport({ ...run, results: { ...run.results, checks: [verdict] } });
    expect(html).toContain('<g class="op failing">');
    expect(html).toContain(`<title>cannot be linearized: ${esc(evidence.failing.text)}`);
    expect(html).toContain(`after a legal order of ${evidence.prefixLength} of ${evidence.searched} operations`);
    expect(html).toContain('<th>register after</th><th>history lines</th>');
    expect(html).toContain(`<td>${evidence.failing.invokeLine}–${evidence.failing.completeLine}</td>`);
  });

  it('renders other evidence as tables, and what it cannot tabulate as JSON', () => {
    const html = renderReport(
      input({
        results: results([
          { name: 'linearizability', verdict: 'unknown', summary: 'budget spent', evidence: [{ key: 'k', steps: 10, stuckAt: { process: 1, text: 'process 1: read → 2' } }] },
          { name: 'at-rest', verdict: 'invalid', summary: 'found', evidence: { findings: [{ file: '/state/raft.db', offset: 12 }], total: 1 } },
          { name: 'raft-safety', verdict: 'invalid', summary: 'two leaders', evidence: { conflicts: [{ term: 4, first: { node: 'm1' }, second: { node: 'm2' } }] } },
          { name: 'deep', verdict: 'unknown', summary: 'deep', evidence: { a: { b: { c: { d: 1 } } } } },
        ]),
      }),
    );
    expect(html).toContain('<th>key</th><th>steps</th><th>stuckAt</th></tr></thead><tbody><tr><td>k</td><td>10</td><td>process 1: read → 2</td>');
    expect(html).toContain('<table class="kv"><tr><th>total</th><td>1</td></tr></table><h5>findings</h5><table class="evidence-table"><thead><tr><th>file</th><th>offset</th>');
    expect(html).toContain('<td>4</td><td>{&quot;node&quot;:&quot;m1&quot;}</td><td>{&quot;node&quot;:&quot;m2&quot;}</td>');
    expect(html).toContain('<h5>c</h5><pre class="json">{\n  &quot;d&quot;: 1\n}</pre>');
    expect(html).not.toContain('class="chart zoom"');
  });

  it('handles an empty history and missing events', () => {
    const html = renderReport(input({ schedule: schedule({ faults: [{ at: 1_000, duration: 500, kind: 'kill', action: 'kill', target: 'one' }] }) }));
    expect(html).toContain('no operations recorded');
    expect(html).toContain('no completed operations');
    expect(html).toContain('no leader changes recorded');
    expect(html).toContain('No checks were recorded');
    expect(html).toContain('<tr><td>#1</td>');
    expect(hoverData(html).lanes).toEqual([]);
    expectFiniteAttributes(html);
  });

  it('survives files that do not match their types', () => {
    const broken = {
      schedule: { seed: 'x', faults: [null, { at: 'soon' }, { at: 100, duration: -5, kind: 'flood', action: 'x', target: 'one' }] },
      history: [null, 7, { process: 0, type: 'ok', f: 'read', value: 1, time: 5 }, { process: 1, type: 'invoke', f: 'read', time: 1e6 }],
      results: { checks: 'none', startedAt: 'yesterday' },
      events: [null, { event: 'leader', isLeader: true, time: 'never' }],
    } as unknown as ReportInput;
    const html = renderReport(broken);
    expect(html).toContain('results.startedAt is not a date');
    expect(html).toContain('2 history line(s) without a numeric process/time');
    expect(html).toContain('1 completion(s) without a matching invoke');
    expect(html).toContain('1 operation(s) never completed');
    expect(html).toContain('2 fault(s) in the schedule had no usable start time');
    expect(html).toContain('<span class="badge unknown">unknown</span>');
    expectFiniteAttributes(html);
  });

  it('stays small and draws dense lanes as outcome columns with 50,000 operations', () => {
    const run = syntheticRun({ ops: 50_000 });
    expect(run.history.length).toBe(100_000);
    const html = renderReport(run);
    expect(html.length).toBeLessThan(4_000_000);
    expect(html).toContain('Lanes too dense to draw every operation');
    const data = hoverData(html);
    expect(data.lanes.reduce((n, lane) => n + lane.length, 0)).toBe(50_000);
    expectFiniteAttributes(html);
    // Building a 100,000-line history and its page takes a few seconds on a busy machine.
  }, 60_000);
});
