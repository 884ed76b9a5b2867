// writeReport: reads a run folder and writes its report.html next to the other files.

import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { HistoryOp, LabEventLine, Results, Schedule } from '../types.js';
import { parseJsonLines } from '../jsonl.js';
import { renderReport } from './render.js';

export const REPORT_FILE = 'report.html';

async function readText(path: string, optional: boolean): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
      if (optional) return undefined;
      throw new Error(`${path}: not found (is this a chaos run folder?)`);
    }
    throw new Error(`${path}: cannot be read (${(e as Error).message})`);
  }
}

async function readObject(path: string, mustHave: string): Promise<Record<string, unknown>> {
  const text = (await readText(path, false))!;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new Error(`${path}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${path}: expected a JSON object`);
  if (!Array.isArray((value as Record<string, unknown>)[mustHave])) throw new Error(`${path}: expected a "${mustHave}" array`);
  return value as Record<string, unknown>;
}

/** Renders dir/report.html from dir's schedule.json, history.jsonl, results.json and (when
 * present) events.jsonl; returns the report's path. Rejects with a message naming the file. */
export async function writeReport(dir: string): Promise<string> {
  const schedule = await readObject(join(dir, 'schedule.json'), 'faults');
  const results = await readObject(join(dir, 'results.json'), 'checks');
  const historyFile = join(dir, 'history.jsonl');
  const history = parseJsonLines((await readText(historyFile, false))!, historyFile);
  const eventsFile = join(dir, 'events.jsonl');
  const eventsText = await readText(eventsFile, true);
  const events = eventsText === undefined ? { values: [], truncatedLastLine: false } : parseJsonLines(eventsText, eventsFile);

  const warnings: string[] = [];
  if (history.truncatedLastLine) warnings.push('history.jsonl ends in a cut-off line; it was left out');
  if (events.truncatedLastLine) warnings.push('events.jsonl ends in a cut-off line; it was left out');
  if (eventsText === undefined) warnings.push('events.jsonl is missing: no leader changes to show');

  const html = renderReport({
    schedule: schedule as unknown as Schedule,
    history: history.values as HistoryOp[],
    results: results as unknown as Results,
    events: events.values as LabEventLine[],
    runDir: dir,
    warnings,
  });
  const out = join(dir, REPORT_FILE);
  await writeFile(out, html);
  return out;
}
