// CLI tables (Go's tabwriter output) as cells. Column widths follow the widest cell, so the same
// table differs in spacing when an ID or a hostname differs in length; comparing cells does not.

export interface Table {
  columns: string[];
  rows: string[][];
}

/**
 * Column names are the header's groups of words separated by two or more spaces ("DESIRED STATE"
 * is one column); every row's cell starts where its header starts. Undefined for empty output.
 */
export function parseTable(text: string): Table | undefined {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0];
  if (header === undefined) return undefined;
  const starts: number[] = [];
  const columns: string[] = [];
  for (const m of header.matchAll(/\S+(?: \S+)*/g)) {
    starts.push(m.index);
    columns.push(m[0]);
  }
  const rows = lines.slice(1).map((line) =>
    starts.map((start, i) => {
      const end = i + 1 < starts.length ? starts[i + 1] : undefined;
      return line.slice(start, end).trim();
    }),
  );
  return { columns, rows };
}
