import { describe, expect, it } from 'vitest';
import {
  ConfChangePendingError,
  MemoryStorage,
  NoLeaderError,
  NotLeaderError,
  ProposalTooLargeError,
  RaftError,
  RawNode,
  SeededRandom,
  majorityCommitted,
  jointCommitted,
  majorityVoteResult,
  jointVoteResult,
  type Message,
} from '../src/index.js';
import { TestCluster, text } from './helpers/cluster.js';

describe('quorum arithmetic', () => {
  it('commits the index a majority holds', () => {
    const match = new Map([[1, 10], [2, 7], [3, 3]]);
    expect(majorityCommitted(new Set([1, 2, 3]), (id) => match.get(id))).toBe(7);
    expect(majorityCommitted(new Set([1, 2, 3, 4]), (id) => match.get(id))).toBe(3);
  });
  it('needs both halves of a joint config', () => {
    const match = new Map([[1, 10], [2, 7], [3, 3], [4, 1]]);
    expect(jointCommitted([new Set([1, 2, 3]), new Set([3, 4])], (id) => match.get(id))).toBe(1);
    const votes = new Map([[1, true], [2, true], [3, false]]);
    expect(majorityVoteResult(new Set([1, 2, 3]), votes)).toBe('won');
    expect(jointVoteResult([new Set([1, 2, 3]), new Set([2, 4])], votes)).toBe('pending');
    expect(jointVoteResult([new Set([1, 2, 3]), new Set([2, 4])], new Map([...votes, [4, true]]))).toBe('won');
    expect(jointVoteResult([new Set([1, 2, 3]), new Set([3, 4])], votes)).toBe('lost');
  });
});

describe('elections', () => {
  it('uses the injected random source: same seed, same leader and term', () => {
    const run = () => {
      const c = new TestCluster([1, 2, 3, 4, 5], {}, 42);
      const l = c.electLeader();
      return [l, c.get(l).node.status().term];
    };
    expect(run()).toEqual(run());
  });

  it('randomizes election timeouts in [electionTick, 2*electionTick)', () => {
    const storage = MemoryStorage.bootstrap([1, 2, 3]);
    const n = new RawNode({ id: 1, storage, random: new SeededRandom(7), electionTick: 10 });
    n.advance(n.ready());
    let ticks = 0;
    while (n.status().state === 'follower') {
      n.tick();
      ticks++;
    }
    expect(ticks).toBeGreaterThanOrEqual(10);
    expect(ticks).toBeLessThan(20);
    expect(n.status().state).toBe('preCandidate');
  });

  it('a single voter elects itself at once', () => {
    const c = new TestCluster([1]);
    c.get(1).node.campaign();
    c.settle();
    expect(c.leader()).toBe(1);
    c.propose('x');
    expect(c.get(1).applied.map(text)).toEqual(['x']);
  });

  it('a partitioned minority does not inflate its term (pre-vote)', () => {
    const c = new TestCluster([1, 2, 3]);
    const l = c.electLeader();
    const term = c.get(l).node.status().term;
    const other = [1, 2, 3].find((i) => i !== l)!;
    c.isolate(other);
    c.tick(100);
    expect(c.get(other).node.status().term).toBe(term);
  });
});

describe('replication', () => {
  it('batches entries within maxSizePerMsg and bounds the in-flight window', () => {
    const c = new TestCluster([1, 2, 3], { maxSizePerMsg: 300, maxInflightMsgs: 4 });
    const l = c.electLeader();
    const follower = [1, 2, 3].find((i) => i !== l)!;
    // Hold everything to one follower: the leader may have at most 4 MsgApp in flight to it.
    c.drop = (m) => m.to === follower;
    const sent: Message[] = [];
    const leader = c.get(l).node;
    for (let i = 0; i < 100; i++) leader.propose(Buffer.alloc(50, i));
    const rd = leader.ready();
    for (const m of rd.messages) if (m.to === follower && m.type === 'MsgApp') sent.push(m);
    expect(sent.length).toBeLessThanOrEqual(4);
    for (const m of sent) {
      const bytes = m.entries.reduce((s, e) => s + e.data.length + 24, 0);
      expect(m.entries.length === 1 || bytes <= 300).toBe(true);
    }
    leader.advance(rd);
  });

  it('backs off a diverging follower by whole terms (conflict hints)', () => {
    // Node 1 holds 50 entries of term 2 that nobody else has; 2 and 3 hold 50 of term 3.
    const c = new TestCluster([1, 2, 3]);
    const diverge = (id: number, term: number, tag: string) => {
      const storage = c.get(id).storage;
      storage.append(Array.from({ length: 50 }, (_, i) => ({ term, index: 4 + i, type: 'normal' as const, data: Buffer.from(`${tag}${i}`) })));
      storage.setHardState({ term: 3, vote: 0, commit: 3 });
      c.restart(id);
    };
    diverge(1, 2, 'lost');
    diverge(2, 3, 'kept');
    diverge(3, 3, 'kept');
    c.settle();
    c.get(2).node.campaign();
    c.settle();
    expect(c.leader()).toBe(2);
    const rejections = c.delivered.filter((m) => m.from === 1 && m.type === 'MsgAppResp' && m.reject);
    // Without hints the leader would step back one entry per round trip (50 rejections).
    expect(rejections.length).toBe(1);
    c.tick(2);
    expect(c.get(1).applied.map(text)).toEqual(Array.from({ length: 50 }, (_, i) => `kept${i}`));
  });

  it('a restarted node keeps only what it made durable', () => {
    const c = new TestCluster([1, 2, 3]);
    const l = c.electLeader();
    c.propose('a');
    c.propose('b');
    const f = [1, 2, 3].find((i) => i !== l)!;
    const restarted = c.restart(f);
    expect(restarted.node.status().commit).toBeGreaterThanOrEqual(5);
    c.tick(3);
    expect(restarted.applied.map(text)).toEqual(['a', 'b']);
  });
});

describe('typed errors', () => {
  it('refuses proposals on a follower, without a leader, and over the size limit', () => {
    const c = new TestCluster([1, 2, 3]);
    expect(() => c.get(1).node.propose(Buffer.from('x'))).toThrow(NoLeaderError);
    const l = c.electLeader();
    const f = [1, 2, 3].find((i) => i !== l)!;
    try {
      c.get(f).node.propose(Buffer.from('x'));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(NotLeaderError);
      expect((e as NotLeaderError).leader).toBe(l);
      expect((e as Error).message).toBe('raft: failed to process the request: node lost leader status');
    }
    const big = Buffer.alloc(1.5 * 1024 * 1024 + 1);
    expect(() => c.get(l).node.propose(big)).toThrow(ProposalTooLargeError);
    expect(() => c.get(l).node.propose(big)).toThrow("raft: raft message is too large and can't be sent");
    // Exactly at the limit is fine.
    expect(() => c.get(l).node.propose(Buffer.alloc(1.5 * 1024 * 1024))).not.toThrow();
  });

  it('refuses a conf change while another is pending, and invalid ones', () => {
    const c = new TestCluster([1, 2, 3]);
    const l = c.electLeader();
    const leader = c.get(l).node;
    leader.proposeConfChange({ changes: [{ type: 'addLearner', nodeId: 4 }] });
    expect(() => leader.proposeConfChange({ changes: [{ type: 'addNode', nodeId: 5 }] })).toThrow(ConfChangePendingError);
    c.settle();
    // Two voters at once need a joint configuration.
    try {
      leader.proposeConfChange({ changes: [{ type: 'addNode', nodeId: 5 }, { type: 'addNode', nodeId: 6 }], transition: 'auto' });
    } catch {
      expect.unreachable('auto with two changes goes through a joint config');
    }
    c.settle();
    c.tick(2);
    expect(() => leader.proposeConfChange({ changes: [] })).toThrow(RaftError);
    expect(() => leader.proposeConfChange({ changes: [{ type: 'removeNode', nodeId: 1 }, { type: 'removeNode', nodeId: 2 }, { type: 'removeNode', nodeId: 3 }, { type: 'removeNode', nodeId: 5 }, { type: 'removeNode', nodeId: 6 }], transition: 'explicit' })).toThrow('removed all voters');
  });

  it('refuses local message types from the network', () => {
    const c = new TestCluster([1, 2, 3]);
    expect(() => c.get(1).node.step({ type: 'MsgHup', from: 2, to: 1, term: 0, logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0 })).toThrow(RaftError);
  });
});

describe('membership', () => {
  it('adds a learner that replicates but never votes, then promotes it', () => {
    const c = new TestCluster([1, 2, 3]);
    const l = c.electLeader();
    c.add(4);
    c.get(l).node.proposeConfChange({ changes: [{ type: 'addLearner', nodeId: 4 }] });
    c.settle();
    c.propose('x');
    c.tick(2);
    expect(c.get(4).applied.map(text)).toEqual(['x']);
    expect(c.get(4).node.status().config.learners).toEqual([4]);
    // A learner never campaigns.
    c.isolate(l);
    for (let i = 0; i < 100; i++) c.get(4).node.tick();
    expect(c.get(4).node.status().state).toBe('follower');
    c.heal();
    c.electLeader();
    const leader = c.leader()!;
    c.get(leader).node.proposeConfChange({ changes: [{ type: 'addNode', nodeId: 4 }] });
    c.settle();
    c.tick(2);
    expect(c.get(4).node.status().config.voters).toEqual([1, 2, 3, 4]);
  });

  it('swaps voters through a joint configuration that is left automatically', () => {
    const c = new TestCluster([1, 2, 3]);
    c.get(1).node.campaign();
    c.settle();
    c.add(4);
    c.add(5);
    c.get(1).node.proposeConfChange({
      changes: [
        { type: 'addNode', nodeId: 4 },
        { type: 'addNode', nodeId: 5 },
        { type: 'removeNode', nodeId: 2 },
        { type: 'removeNode', nodeId: 3 },
      ],
      transition: 'implicit',
    });
    c.settle();
    c.tick(3);
    const cfg = c.get(4).node.status().config;
    expect(cfg.voters).toEqual([1, 4, 5]);
    expect(cfg.votersOutgoing).toEqual([]);
    c.propose('after');
    c.tick(2);
    expect(c.get(5).applied.map(text)).toEqual(['after']);
  });

  it('explicit joint configurations wait for the empty change to leave', () => {
    const c = new TestCluster([1, 2, 3]);
    c.get(1).node.campaign();
    c.settle();
    c.add(4);
    c.get(1).node.proposeConfChange({ changes: [{ type: 'addNode', nodeId: 4 }, { type: 'removeNode', nodeId: 3 }], transition: 'explicit' });
    c.settle();
    c.tick(2);
    expect(c.get(1).node.status().config.votersOutgoing).toEqual([1, 2, 3]);
    c.get(1).node.proposeConfChange({ changes: [] });
    c.settle();
    c.tick(2);
    expect(c.get(1).node.status().config).toMatchObject({ voters: [1, 2, 4], votersOutgoing: [] });
  });

  it('a removed node never disrupts the cluster', () => {
    const c = new TestCluster([1, 2, 3]);
    c.get(1).node.campaign();
    c.settle();
    c.get(1).node.proposeConfChange({ changes: [{ type: 'removeNode', nodeId: 3 }] });
    c.settle();
    c.tick(2);
    const term = c.get(1).node.status().term;
    c.tick(100);
    expect(c.get(1).node.status()).toMatchObject({ state: 'leader', term });
  });
});

describe('leadership transfer', () => {
  it('hands leadership to an up-to-date voter and aborts for an unreachable one', () => {
    const c = new TestCluster([1, 2, 3]);
    c.get(1).node.campaign();
    c.settle();
    c.get(1).node.transferLeadership(2);
    c.settle();
    expect(c.leader()).toBe(2);
    c.isolate(3);
    c.get(2).node.transferLeadership(3);
    c.settle();
    expect(() => c.get(2).node.propose(Buffer.from('x'))).toThrow('leadership transfer in progress');
    // The transfer gives up after an election timeout and proposals flow again.
    for (let i = 0; i < 12; i++) c.get(2).node.tick();
    c.settle();
    expect(c.get(2).node.status().state).toBe('leader');
    expect(() => c.get(2).node.propose(Buffer.from('x'))).not.toThrow();
  });
});

describe('ReadIndex', () => {
  it('answers reads without writing to the log', () => {
    const c = new TestCluster([1, 2, 3]);
    const l = c.electLeader();
    c.propose('a');
    const last = c.get(l).node.raft.raftLog.lastIndex();
    const f = [1, 2, 3].find((i) => i !== l)!;
    c.get(f).node.readIndex(Buffer.from('r1'));
    c.get(l).node.readIndex(Buffer.from('r2'));
    c.settle();
    expect(c.get(f).readStates).toEqual([{ index: last, context: 'r1' }]);
    expect(c.get(l).readStates).toEqual([{ index: last, context: 'r2' }]);
    expect(c.get(l).node.raft.raftLog.lastIndex()).toBe(last);
  });

  it('throws without a leader', () => {
    const c = new TestCluster([1, 2, 3]);
    expect(() => c.get(1).node.readIndex(Buffer.from('r'))).toThrow(NoLeaderError);
  });
});
