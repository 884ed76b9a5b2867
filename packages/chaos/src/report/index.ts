// The chaos run report: a self-contained report.html for a run folder.

export { renderReport, type ReportInput } from './render.js';
export { REPORT_FILE, writeReport } from './write.js';
