// Pathname expansion (* ? [...]) against the container's files: sorted, dotfiles only when the
// pattern asks for them, no match leaving the word as it was (the caller's rule).

import type { ContainerFs } from '../rootfs.js';
import { patternToRegExp } from './pattern.js';

export async function globPaths(fs: ContainerFs, cwd: string, pattern: string): Promise<string[]> {
  const absolute = pattern.startsWith('/');
  const segments = pattern.split('/').filter((s, idx) => s !== '' || idx === 0);
  let candidates: string[] = [absolute ? '/' : ''];
  const start = absolute ? 1 : 0;
  for (let k = start; k < segments.length; k++) {
    const seg = segments[k]!;
    const next: string[] = [];
    for (const base of candidates) {
      const dir = base === '' ? '.' : base;
      if (!/[*?[]/.test(seg.replace(/\\./g, ''))) {
        const lit = seg.replace(/\\(.)/g, '$1');
        const path = base === '' ? lit : base === '/' ? `/${lit}` : `${base}/${lit}`;
        if (await fs.exists(path, cwd)) next.push(path);
        continue;
      }
      let names: string[];
      try {
        names = await fs.readdir(dir, cwd);
      } catch {
        continue;
      }
      const re = patternToRegExp(seg, { pathSegment: true });
      for (const n of names.sort()) {
        if (n.startsWith('.') && !seg.startsWith('.') && !seg.startsWith('\\.')) continue;
        if (re.test(n)) next.push(base === '' ? n : base === '/' ? `/${n}` : `${base}/${n}`);
      }
    }
    candidates = next;
    if (candidates.length === 0) return [];
  }
  return candidates.filter((c) => c !== '' && c !== '/');
}
