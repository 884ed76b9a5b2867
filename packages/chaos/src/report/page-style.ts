// The page's stylesheet: system fonts only (the page must work offline), print-friendly colors.

import { OUTCOME_COLORS, VERDICT_COLORS } from './palette.js';

export const PAGE_STYLE = `
:root { color-scheme: light; --ink: #212529; --muted: #6c757d; --line: #dee2e6; --panel: #f8f9fa; }
* { box-sizing: border-box; }
body { margin: 0; padding: 20px 28px 60px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif; color: var(--ink); background: #fff; }
code, pre, .json { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 12.5px; }
h1 { font-size: 22px; margin: 0; }
h2 { font-size: 17px; margin: 28px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 0 0 6px; display: flex; align-items: center; gap: 8px; }
h5 { font-size: 12.5px; margin: 8px 0 2px; font-weight: 600; }
h4 { font-size: 13px; margin: 10px 0 4px; color: var(--muted); font-weight: 600; }
.title-row { display: flex; align-items: center; gap: 16px; flex-wrap: wrap; }
.overall .badge { font-size: 15px; padding: 3px 14px; }
.badge { display: inline-block; padding: 1px 9px; border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; text-transform: uppercase; letter-spacing: .03em; }
.badge.valid { background: ${VERDICT_COLORS.valid}; } .badge.invalid { background: ${VERDICT_COLORS.invalid}; } .badge.unknown { background: ${VERDICT_COLORS.unknown}; }
.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 6px 18px; margin: 12px 0 8px; }
.fact { display: flex; flex-direction: column; } .fact .k, .stat .k { color: var(--muted); font-size: 11.5px; text-transform: uppercase; letter-spacing: .04em; }
.replay { margin: 6px 0; } .replay code { background: var(--panel); border: 1px solid var(--line); padding: 2px 8px; border-radius: 4px; user-select: all; }
.check-list { list-style: none; padding: 0; margin: 8px 0; display: flex; gap: 18px; flex-wrap: wrap; }
.check-list a { color: var(--ink); }
.warnings { background: #fff9db; border: 1px solid #ffe066; border-radius: 4px; padding: 6px 10px 6px 28px; margin: 8px 0; }
.type.ok { color: ${OUTCOME_COLORS.ok}; } .type.fail { color: ${OUTCOME_COLORS.fail}; } .type.info { color: ${OUTCOME_COLORS.info}; } .type { font-weight: 600; }
.legend { display: flex; flex-wrap: wrap; gap: 4px 16px; font-size: 12.5px; margin: 4px 0 6px; color: #495057; }
.legend span { display: inline-flex; align-items: center; gap: 5px; }
.legend i { display: inline-block; width: 14px; height: 10px; border-radius: 2px; }
.legend i.shade { opacity: .35; } .legend i.marker { width: 0; height: 0; border-radius: 0; border-left: 5px solid transparent; border-right: 5px solid transparent; border-top: 7px solid #212529; background: none; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: -1px; }
.chart-box { overflow-x: auto; border: 1px solid var(--line); border-radius: 4px; padding: 4px 0; background: #fff; }
svg.chart { display: block; width: 100%; min-width: 900px; height: auto; font-size: 11px; }
svg text { fill: #343a40; }
svg .axis line { stroke: #adb5bd; stroke-width: 1; } svg .axis line.grid { stroke: #e9ecef; }
svg .axis text { fill: #6c757d; }
svg .shade rect { fill-opacity: .13; }
svg .lane-label { fill: #495057; font-size: 11px; }
svg text.empty { fill: #868e96; font-style: italic; }
svg text.on-dark { fill: #fff; font-weight: 600; }
svg .marker { fill: #212529; }
svg .hit { fill: transparent; cursor: crosshair; }
svg.zoom .op rect { fill-opacity: .25; stroke-width: 1.5; }
svg.zoom .op.failing rect { fill-opacity: .45; stroke: #c92a2a; stroke-width: 3; }
svg.zoom .op.context { opacity: .4; }
svg.zoom .op rect.maybe { fill: none; stroke-dasharray: 5 3; stroke-width: 1.2; }
svg.zoom .op text { font-size: 11px; font-weight: 600; }
.check { border: 1px solid var(--line); border-left: 5px solid var(--muted); border-radius: 4px; padding: 10px 14px; margin: 10px 0; }
.check.valid { border-left-color: ${VERDICT_COLORS.valid}; } .check.invalid { border-left-color: ${VERDICT_COLORS.invalid}; } .check.unknown { border-left-color: ${VERDICT_COLORS.unknown}; }
.summary { margin: 0 0 6px; }
.stats { display: flex; flex-wrap: wrap; gap: 4px 20px; margin: 6px 0; }
.stat { display: flex; flex-direction: column; } .stat .v { font-variant-numeric: tabular-nums; }
.evidence-lead { margin: 6px 0; }
table { border-collapse: collapse; margin: 6px 0; font-size: 12.5px; }
th, td { border: 1px solid var(--line); padding: 3px 8px; text-align: left; vertical-align: top; }
thead th { background: var(--panel); }
table.kv th { background: var(--panel); font-weight: 600; }
.ops-table tr.failing td { background: #fff5f5; font-weight: 600; }
pre.json { background: var(--panel); border: 1px solid var(--line); border-radius: 4px; padding: 8px 10px; max-height: 420px; overflow: auto; white-space: pre-wrap; word-break: break-word; }
details summary { cursor: pointer; color: var(--muted); margin-top: 6px; }
.note { color: var(--muted); font-size: 12px; }
p.empty { color: var(--muted); font-style: italic; }
.caption { color: var(--muted); font-size: 12.5px; margin: 2px 0 6px; }
#tip { position: fixed; pointer-events: none; z-index: 10; display: none; max-width: 460px; background: #212529; color: #f8f9fa; border-radius: 4px; padding: 6px 9px; font-size: 12px; line-height: 1.4; box-shadow: 0 2px 8px rgba(0,0,0,.25); white-space: pre-wrap; word-break: break-word; }
#tip b { color: #fff; }
@media print { .chart-box { overflow: visible; } #tip { display: none !important; } }
`;
