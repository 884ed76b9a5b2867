// Scripted scenarios in the style of etcd-io/raft's interaction tests: a plain-text file of
// blocks, each a command line, a `----` line and the expected output. Run with
// REWRITE=1 to regenerate the expected outputs (then read them!).
//
// Commands:
//   cluster ids=1,2,3 [prevote=false] [checkquorum=false] [election=10] [maxsize=N] [chunk=N]
//   add-node id=4                  a new node with empty storage (joins via the leader)
//   set-log id=1 terms=2,2,3 term=4   append entries with these terms after the log, set term
//   campaign id=1 | tick id=1 [n=1] | tick-all [n=1]
//   propose id=1 data=x | propose-conf-change id=1 add=4 remove=2 learner=5 [transition=explicit]
//   read-index id=1 ctx=r1 | transfer-leadership id=1 to=2
//   stabilize                      process Ready and deliver messages until quiet
//   isolate id=1 | partition 1,2 3,4,5 | cut from=1 to=2 | heal
//   hold-entries from=3            entries with index >= 3 are cut from every MsgApp on the way
//                                  (as if sent in a later message that got lost)
//   crash id=1 | restart id=1      only what the node made durable survives
//   compact id=1 index=7 [data=snap]  snapshot the applied state at index and compact the log
//   status id=1 | log id=1

import { readFileSync, writeFileSync } from 'node:fs';
import {
  decodeConfChange,
  MemoryStorage,
  RaftError,
  RawNode,
  SeededRandom,
  type ConfChangeSingle,
  type ConfChangeTransition,
  type Message,
  type NodeId,
  type Ready,
} from '../../src/index.js';

interface SimNode {
  id: NodeId;
  node: RawNode | undefined; // undefined while crashed
  storage: MemoryStorage;
  applied: string[];
}

function fmtEntries(m: Message): string {
  if (m.entries.length === 0) return '';
  const es = m.entries.map((e) => {
    const body = e.type === 'confChange' ? fmtConfChange(e.data) : e.data.length ? JSON.stringify(Buffer.from(e.data).toString()) : '';
    return `${e.term}/${e.index}${body ? ' ' + body : ''}`;
  });
  return ` entries=[${es.join(', ')}]`;
}

function fmtConfChange(data: Uint8Array): string {
  const cc = decodeConfChange(data);
  if (cc.changes.length === 0) return 'leave-joint';
  return cc.changes.map((c) => `${c.type}(${c.nodeId})`).join(' ') + (cc.transition && cc.transition !== 'auto' ? ` ${cc.transition}` : '');
}

export function fmtMessage(m: Message): string {
  let s = `${m.from}->${m.to} ${m.type} term=${m.term}`;
  switch (m.type) {
    case 'MsgApp':
      s += ` log=${m.logTerm}/${m.index} commit=${m.commit}${fmtEntries(m)}`;
      break;
    case 'MsgAppResp':
      s += m.reject ? ` rejected=${m.index} hint=${m.logTerm}/${m.rejectHint}` : ` index=${m.index}`;
      break;
    case 'MsgVote':
    case 'MsgPreVote':
      s += ` log=${m.logTerm}/${m.index}`;
      break;
    case 'MsgVoteResp':
    case 'MsgPreVoteResp':
      s += m.reject ? ' rejected' : ' granted';
      break;
    case 'MsgHeartbeat':
      s += ` commit=${m.commit}`;
      break;
    case 'MsgSnap': {
      const md = m.snapshot!.metadata;
      s += ` snap=${md.term}/${md.index} voters=${md.confState.voters.join(',')}`;
      if (m.chunk) s += ` chunk=${m.chunk.offset}+${m.snapshot!.data.length}/${m.chunk.total}`;
      break;
    }
    case 'MsgReadIndexResp':
      s += ` index=${m.index}`;
      break;
  }
  if (m.context && m.context.length > 0 && m.type !== 'MsgVote') s += ` ctx=${Buffer.from(m.context).toString()}`;
  return s;
}

export class Interaction {
  private nodes = new Map<NodeId, SimNode>();
  private queue: Message[] = [];
  private cut = new Set<string>();
  private holdEntriesFrom = 0;
  private opts: Record<string, string> = {};
  private out: string[] = [];

  private node(id: NodeId): SimNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`unknown node ${id}`);
    return n;
  }

  private live(id: NodeId): RawNode {
    const n = this.node(id).node;
    if (!n) throw new Error(`node ${id} is crashed`);
    return n;
  }

  private start(id: NodeId, storage: MemoryStorage): SimNode {
    const num = (k: string, d: number) => (this.opts[k] !== undefined ? Number(this.opts[k]) : d);
    const node = new RawNode({
      id,
      storage,
      random: new SeededRandom(id),
      electionTick: num('election', 10),
      heartbeatTick: 1,
      preVote: this.opts.prevote !== 'false',
      checkQuorum: this.opts.checkquorum !== 'false',
      maxSizePerMsg: num('maxsize', 65535),
      snapshotChunkBytes: num('chunk', 4 << 20),
      applied: storage.snapshot().metadata.index,
    });
    const prev = this.nodes.get(id);
    const sn: SimNode = { id, node, storage, applied: prev?.applied ?? [] };
    this.nodes.set(id, sn);
    return sn;
  }

  private handleReady(n: SimNode, rd: Ready): void {
    const node = n.node!;
    if (rd.softState) this.out.push(`${n.id} is ${rd.softState.state} (term ${node.status().term}, lead ${rd.softState.lead})`);
    if (rd.snapshot) {
      n.storage.applySnapshot(rd.snapshot);
      this.out.push(`${n.id} installed snapshot ${rd.snapshot.metadata.term}/${rd.snapshot.metadata.index} data=${JSON.stringify(Buffer.from(rd.snapshot.data).toString())}`);
    }
    n.storage.append(rd.entries);
    if (rd.hardState) n.storage.setHardState(rd.hardState);
    this.queue.push(...rd.messages);
    for (const e of rd.committedEntries) {
      if (e.type === 'confChange') {
        const cs = node.applyConfChange(decodeConfChange(e.data));
        this.out.push(`${n.id} applied ${e.term}/${e.index} ${fmtConfChange(e.data)} -> voters=${cs.voters.join(',')}${cs.votersOutgoing.length ? ` outgoing=${cs.votersOutgoing.join(',')}` : ''}${cs.learners.length ? ` learners=${cs.learners.join(',')}` : ''}`);
      } else if (e.data.length > 0) {
        const v = Buffer.from(e.data).toString();
        n.applied.push(`${e.index}:${v}`);
        this.out.push(`${n.id} applied ${e.term}/${e.index} ${JSON.stringify(v)}`);
      }
    }
    for (const rs of rd.readStates) this.out.push(`${n.id} read-state index=${rs.index} ctx=${Buffer.from(rs.context).toString()}`);
    node.advance(rd);
  }

  private stabilize(): void {
    for (let round = 0; round < 10_000; round++) {
      let busy = false;
      for (const n of [...this.nodes.values()].sort((a, b) => a.id - b.id)) {
        if (n.node?.hasReady()) {
          busy = true;
          this.handleReady(n, n.node.ready());
        }
      }
      const q = this.queue;
      this.queue = [];
      for (const m of q) {
        busy = true;
        const dest = this.nodes.get(m.to);
        const dropped = this.cut.has(`${m.from}->${m.to}`) || !dest?.node;
        if (!dropped && this.holdEntriesFrom > 0 && m.type === 'MsgApp') {
          const kept = m.entries.filter((e) => e.index < this.holdEntriesFrom);
          if (kept.length < m.entries.length) {
            this.out.push(`held back ${m.entries.length - kept.length} entries of ${fmtMessage(m)}`);
            m.entries = kept;
          }
        }
        this.out.push(`${dropped ? 'dropped ' : ''}${fmtMessage(m)}`);
        if (!dropped) dest!.node!.step(m);
      }
      if (!busy) return;
    }
    throw new Error('did not stabilize');
  }

  private status(id: NodeId): string {
    const n = this.node(id);
    if (!n.node) return `${id}: crashed`;
    const s = n.node.status();
    const cfg = `voters=${s.config.voters.join(',')}${s.config.votersOutgoing.length ? ` outgoing=${s.config.votersOutgoing.join(',')}` : ''}${s.config.learners.length ? ` learners=${s.config.learners.join(',')}` : ''}`;
    return `${id}: ${s.state} term=${s.term} lead=${s.lead} commit=${s.commit} applied=${s.applied} last=${n.node.raft.raftLog.lastIndex()} ${cfg}`;
  }

  private ids(spec: string): NodeId[] {
    return spec.split(',').filter(Boolean).map(Number);
  }

  run(line: string): string {
    this.out = [];
    const [cmd, ...rest] = line.trim().split(/\s+/);
    const positional = rest.filter((a) => !a.includes('='));
    const kv = Object.fromEntries(rest.filter((a) => a.includes('=')).map((a) => a.split('=', 2) as [string, string]));
    const id = Number(kv.id);
    const guard = (f: () => unknown) => {
      try {
        const r = f();
        if (r !== undefined) this.out.push(typeof r === 'string' ? r : JSON.stringify(r));
      } catch (e) {
        if (e instanceof RaftError) this.out.push(`error: ${e.code}: ${e.message}`);
        else throw e;
      }
    };
    switch (cmd) {
      case 'cluster': {
        this.opts = kv;
        const voters = this.ids(kv.ids);
        for (const v of voters) this.start(v, MemoryStorage.bootstrap(voters));
        // Apply the bootstrap entries quietly: a node campaigns only with its config applied.
        this.stabilize();
        this.out = ['ok'];
        break;
      }
      case 'add-node':
        this.start(id, new MemoryStorage());
        this.out.push('ok');
        break;
      case 'set-log': {
        const n = this.node(id);
        let index = n.storage.lastIndex();
        const ents = this.ids(kv.terms).map((term) => ({ term, index: ++index, type: 'normal' as const, data: Buffer.from(`t${term}`) }));
        n.storage.append(ents);
        n.storage.setHardState({ ...n.storage.hardStateNow(), term: Number(kv.term) });
        this.start(id, n.storage);
        this.out.push(this.status(id));
        break;
      }
      case 'campaign':
        this.live(id).campaign();
        this.out.push('ok');
        break;
      case 'tick':
        for (let i = 0; i < Number(kv.n ?? 1); i++) this.live(id).tick();
        this.out.push('ok');
        break;
      case 'tick-all':
        for (let i = 0; i < Number(kv.n ?? 1); i++) {
          for (const n of this.nodes.values()) n.node?.tick();
          this.stabilize();
        }
        if (this.out.length === 0) this.out.push('ok');
        break;
      case 'propose':
        guard(() => {
          const r = this.live(id).propose(Buffer.from(kv.data));
          return `proposed at ${r.term}/${r.index}`;
        });
        break;
      case 'propose-conf-change': {
        const changes: ConfChangeSingle[] = [];
        for (const v of this.ids(kv.add ?? '')) changes.push({ type: 'addNode', nodeId: v });
        for (const v of this.ids(kv.remove ?? '')) changes.push({ type: 'removeNode', nodeId: v });
        for (const v of this.ids(kv.learner ?? '')) changes.push({ type: 'addLearner', nodeId: v });
        guard(() => {
          const r = this.live(id).proposeConfChange({ changes, transition: kv.transition as ConfChangeTransition | undefined });
          return `proposed at ${r.term}/${r.index}`;
        });
        break;
      }
      case 'read-index':
        guard(() => this.live(id).readIndex(Buffer.from(kv.ctx)));
        if (this.out.length === 0) this.out.push('ok');
        break;
      case 'transfer-leadership':
        this.live(id).transferLeadership(Number(kv.to));
        this.out.push('ok');
        break;
      case 'stabilize':
        this.stabilize();
        break;
      case 'isolate':
        for (const other of this.nodes.keys()) {
          if (other === id) continue;
          this.cut.add(`${id}->${other}`);
          this.cut.add(`${other}->${id}`);
        }
        this.out.push('ok');
        break;
      case 'partition': {
        const groups = positional.map((g) => this.ids(g));
        for (const a of groups) for (const b of groups) if (a !== b) for (const x of a) for (const y of b) this.cut.add(`${x}->${y}`);
        this.out.push('ok');
        break;
      }
      case 'cut':
        this.cut.add(`${kv.from}->${kv.to}`);
        this.out.push('ok');
        break;
      case 'heal':
        this.cut.clear();
        this.holdEntriesFrom = 0;
        this.out.push('ok');
        break;
      case 'hold-entries':
        this.holdEntriesFrom = Number(kv.from);
        this.out.push('ok');
        break;
      case 'crash':
        this.node(id).node = undefined;
        this.out.push('ok');
        break;
      case 'restart': {
        const n = this.node(id);
        // The application's applied state is rebuilt from the snapshot; the log replays the rest.
        n.applied = [];
        this.start(id, n.storage);
        this.out.push(this.status(id));
        break;
      }
      case 'compact': {
        const n = this.node(id);
        const idx = Number(kv.index);
        const cs = this.live(id).status().config;
        n.storage.createSnapshot(idx, cs, Buffer.from(kv.data ?? `state@${idx}`));
        n.storage.compact(idx);
        this.out.push(`first index ${n.storage.firstIndex()}`);
        break;
      }
      case 'status':
        for (const i of kv.id ? [id] : [...this.nodes.keys()].sort((a, b) => a - b)) this.out.push(this.status(i));
        break;
      case 'log': {
        const n = this.node(id);
        const raftLog = this.live(id).raft.raftLog;
        const ents = raftLog.slice(raftLog.firstIndex(), raftLog.lastIndex() + 1, Number.MAX_SAFE_INTEGER);
        this.out.push(ents.map((e) => `${e.term}/${e.index}`).join(' ') || '(empty)');
        this.out.push(`applied: ${n.applied.join(' ') || '(none)'}`);
        break;
      }
      default:
        throw new Error(`unknown command: ${line}`);
    }
    return this.out.join('\n');
  }
}

interface Block {
  cmd: string;
  expected: string;
}

function parse(text: string): { blocks: Block[] } {
  const blocks: Block[] = [];
  const lines = text.split('\n');
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.trim() === '' || line.startsWith('#')) {
      i++;
      continue;
    }
    const cmd = line;
    i++;
    if (lines[i] !== '----') throw new Error(`expected ---- after "${cmd}" at line ${i + 1}`);
    i++;
    const out: string[] = [];
    while (i < lines.length && lines[i] !== '') out.push(lines[i++]);
    blocks.push({ cmd, expected: out.join('\n') });
  }
  return { blocks };
}

/** Runs a scenario file; returns mismatches. With rewrite, writes the actual outputs back. */
export function runScenarioFile(path: string, rewrite: boolean): { mismatches: string[] } {
  const text = readFileSync(path, 'utf8');
  const { blocks } = parse(text);
  const it = new Interaction();
  const mismatches: string[] = [];
  const actual = new Map<string, string>();
  blocks.forEach((b, n) => {
    const got = it.run(b.cmd);
    actual.set(`${n}`, got);
    if (got !== b.expected) mismatches.push(`block ${n + 1} "${b.cmd}":\n--- expected\n${b.expected}\n--- got\n${got}`);
  });
  if (rewrite) {
    // Keep comments and spacing; replace each block's output.
    const lines = text.split('\n');
    const result: string[] = [];
    let i = 0;
    let n = 0;
    while (i < lines.length) {
      const line = lines[i];
      if (line.trim() === '' || line.startsWith('#')) {
        result.push(line);
        i++;
        continue;
      }
      result.push(line, '----');
      i += 2;
      while (i < lines.length && lines[i] !== '') i++;
      const out = actual.get(`${n++}`) ?? '';
      if (out) result.push(...out.split('\n'));
    }
    writeFileSync(path, result.join('\n'));
  }
  return { mismatches };
}
