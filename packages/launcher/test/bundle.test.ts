// The node bundle is split so a node starts with the Engine API, the daemon and the agent only:
// the manager (Raft, control API, CA with @peculiar/x509) and the emulated container programs
// are chunks loaded on first use. A static import in the wrong place would silently put them back
// on every node's start-up path (and in every worker's memory); this test notices.

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { nodeBundle } from '../src/bundle.js';

/** The entry file and every chunk it imports statically, transitively: what a node loads at start. */
function startupCode(entry: string): string {
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    // Static imports only (`import{…}from"./chunks/x.mjs"`); `import("./chunks/x.mjs")` is lazy.
    for (const m of text.matchAll(/from\s*"(\.{1,2}\/[^"]+)"/g)) visit(join(dirname(file), m[1]));
  };
  visit(entry);
  return [...seen].map((f) => readFileSync(f, 'utf8')).join('\n');
}

describe('node bundle', () => {
  it('keeps the manager, X.509 and the container programs off the start-up path, in lazily loaded chunks', async () => {
    const entry = await nodeBundle();
    const startup = startupCode(entry);
    const lazy = ['manager-side', 'certificates', 'exec'].map((name) => {
      const chunk = /import\("(\.\/chunks\/([a-z-]+)-[A-Z0-9]+\.mjs)"\)/g;
      const found = [...readFileSync(entry, 'utf8').matchAll(chunk)].find((m) => m[2] === name);
      expect(found, `a lazily imported ${name} chunk`).toBeDefined();
      return startupCode(join(dirname(entry), found![1]));
    });
    // Class names survive minification (keepNames), so they identify the code.
    for (const name of ['RaftNode', 'Pkcs10CertificateRequest', 'ContainerRuntime']) {
      expect(startup, `${name} is loaded at start-up`).not.toContain(`"${name}"`);
      expect(lazy.join('\n'), `${name} is in a lazy chunk`).toContain(`"${name}"`);
    }
    // What every node does need is there: the daemon and the agent.
    expect(startup).toContain('"Daemon"');
    expect(startup).toContain('"Agent"');
  });
});
