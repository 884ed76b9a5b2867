import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeReport } from '../src/report/index.js';
import { syntheticRun } from './fixtures/report-run.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'chaos-report-'));
});

afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeRun(options: { events?: boolean } = {}): void {
  const run = syntheticRun({ ops: 300 });
  writeFileSync(join(dir, 'schedule.json'), JSON.stringify(run.schedule));
  writeFileSync(join(dir, 'results.json'), JSON.stringify(run.results));
  writeFileSync(join(dir, 'history.jsonl'), run.history.map((l) => JSON.stringify(l)).join('\n') + '\n');
  if (options.events !== false) writeFileSync(join(dir, 'events.jsonl'), run.events.map((e) => JSON.stringify(e)).join('\n') + '\n');
}

describe('writeReport', () => {
  it('writes report.html into the run folder with the replay command for it', async () => {
    writeRun();
    const out = await writeReport(dir);
    expect(out).toBe(join(dir, 'report.html'));
    const html = readFileSync(out, 'utf8');
    expect(html).toContain(`swarmlab chaos replay ${dir}`);
    expect(html).toContain('<g class="op failing">');
    expect(html).toContain('became leader in term');
    expect(html).not.toContain('class="warnings"');
  });

  it('treats a missing events file as no events', async () => {
    writeRun({ events: false });
    const html = readFileSync(await writeReport(dir), 'utf8');
    expect(html).toContain('events.jsonl is missing');
    expect(html).toContain('no leader changes recorded');
  });

  it('leaves out a cut-off last history line and says so', async () => {
    writeRun();
    const history = readFileSync(join(dir, 'history.jsonl'), 'utf8');
    writeFileSync(join(dir, 'history.jsonl'), `${history}{"process":3,"type":"inv`);
    const html = readFileSync(await writeReport(dir), 'utf8');
    expect(html).toContain('history.jsonl ends in a cut-off line');
  });

  it('rejects with the file and line when the run folder is broken', async () => {
    await expect(writeReport(dir)).rejects.toThrow(`${join(dir, 'schedule.json')}: not found`);
    writeRun();
    writeFileSync(join(dir, 'history.jsonl'), '{"process":0,"type":"invoke","f":"read","value":null,"time":1}\n\nnot json\n{}\n');
    await expect(writeReport(dir)).rejects.toThrow(`${join(dir, 'history.jsonl')}:3: not valid JSON`);
    writeFileSync(join(dir, 'results.json'), '{"checks": 3}');
    await expect(writeReport(dir)).rejects.toThrow('results.json: expected a "checks" array');
    writeFileSync(join(dir, 'schedule.json'), '[');
    await expect(writeReport(dir)).rejects.toThrow('schedule.json: not valid JSON');
  });
});
