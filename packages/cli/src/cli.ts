// The `swarmlab` command line: every command, its flags (checked as they are parsed) and its help.
// runCli returns the exit status instead of exiting, so tests can run commands in-process.

import { Command, CommanderError, Option } from 'commander';
import { add } from './commands/add.js';
import { chaosCheck, chaosReplay, chaosRun } from './commands/chaos.js';
import { clock } from './commands/clock.js';
import { docker } from './commands/docker.js';
import { down } from './commands/down.js';
import { env } from './commands/env.js';
import { events } from './commands/events.js';
import { logs } from './commands/logs.js';
import { ls } from './commands/ls.js';
import { block, heal, link, partition } from './commands/network-faults.js';
import { nodes } from './commands/nodes.js';
import { PROCESS_VERBS, processFault, type ProcessVerb } from './commands/process-faults.js';
import { run } from './commands/run.js';
import { up } from './commands/up.js';
import type { Context } from './context.js';
import { UserError } from './errors.js';
import * as parse from './parse.js';

/** --cluster and --json, which every command has. */
function common(cmd: Command): Command {
  return cmd.option('--cluster <name>', 'the cluster to act on (default: the only one running)').option('--json', 'print JSON for scripts');
}

const INCLUDE_API = new Option('--include-api', "also cut the user from the Engine API of the nodes outside the largest group (partitions only)");

function program(ctx: Context): Command {
  const p = new Command('swarmlab')
    .description('Docker Swarm mode emulated on one machine: local clusters, faults one verb away, scripts')
    .enablePositionalOptions()
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (s) => void ctx.stdout.write(s),
      writeErr: (s) => void ctx.stderr.write(s),
    });

  common(p.command('up'))
    .description('start a cluster (or bring a stopped one back) and wait until every node is Ready with a leader')
    .option('--name <name>', 'cluster name', undefined)
    .option('--managers <n>', 'manager nodes (default 3)', parse.count(1))
    .option('--workers <n>', 'worker nodes (default 2)', parse.count(0))
    .option('--profile <profile>', 'timing profile: fast (default) or docker', parse.profile)
    .option('--time-scale <k>', 'emulated clock speed', parse.positiveNumber)
    .option('--autolock', 'lock managers with an unlock key (docker swarm init --autolock)')
    .option('--default-addr-pool <cidr>', 'address pool for overlay networks', parse.cidr)
    .option('--default-addr-pool-mask-length <n>', 'subnet size of overlay networks (default 24)', parse.maskLength)
    .option('--fresh', 'start from nothing even if the cluster existed')
    .action((o) => up(ctx, o));

  common(p.command('down'))
    .description('stop a cluster: its launcher and every node process (state is kept for the next up)')
    .argument('[name]', 'cluster name (default: the only one running)')
    .option('--all', 'every cluster')
    .option('--purge', "also delete the cluster's state directory")
    .action((name, o) => down(ctx, name, o));

  common(p.command('ls'))
    .description('list clusters')
    .action((o) => ls(ctx, o));

  common(p.command('nodes'))
    .description('list nodes with pid, process state and the swarm status')
    .action((o) => nodes(ctx, o));

  common(p.command('env'))
    .description('print the DOCKER_HOST line for a node')
    .argument('<node>', 'node name or alias (m1, w1)')
    .action((node, o) => env(ctx, node, o));

  common(p.command('logs'))
    .description("print a node's log")
    .argument('<node>', 'node name or alias')
    .option('-f, --follow', 'keep printing new lines')
    .action((node, o) => logs(ctx, node, o));

  common(p.command('docker'))
    .description('run the docker CLI against a node: swarmlab docker NODE -- ARGS…')
    .argument('<node>', 'node name or alias')
    .argument('[args...]', 'arguments for docker')
    .passThroughOptions()
    .action((node, args, o) => docker(ctx, node, args, o));

  common(p.command('add'))
    .description('join new nodes to a running cluster')
    .option('--managers <n>', 'managers to add', parse.count(0))
    .option('--workers <n>', 'workers to add', parse.count(0))
    .action((o) => add(ctx, o));

  for (const verb of Object.keys(PROCESS_VERBS) as ProcessVerb[]) {
    common(p.command(verb))
      .description(PROCESS_VERBS[verb].help)
      .argument('<targets...>', 'node names, aliases (m1, w1), or leader, managers, workers, minority, majority, random')
      .action((targets, o) => processFault(ctx, verb, targets, o));
  }

  common(p.command('partition'))
    .description('cut node-to-node traffic between groups (each group a comma list)')
    .argument('[groups...]', 'groups of nodes, e.g. manager1 manager2,manager3')
    .option('--isolate <node>', 'cut one node (or leader) off from all others')
    .option('--halves', 'two halves')
    .option('--majorities-ring', 'each node sees a majority, no two the same one')
    .option('--bridge', 'two halves joined by one node')
    .addOption(INCLUDE_API)
    .action((groups, o) => partition(ctx, groups, o));

  common(p.command('block'))
    .description('block traffic between two nodes')
    .argument('<a>', 'node')
    .argument('<b>', 'node')
    .option('--one-way', 'only from a to b')
    .addOption(INCLUDE_API)
    .action((a, b, o) => block(ctx, a, b, o));

  common(p.command('link'))
    .description('shape traffic between two nodes')
    .argument('<a>', 'node')
    .argument('<b>', 'node')
    .option('--delay <duration>', 'added latency, e.g. 100ms', parse.duration)
    .option('--jitter <duration>', 'latency variation, e.g. 20ms', parse.duration)
    .option('--loss <fraction>', 'datagram loss, e.g. 5%', parse.loss)
    .option('--rate <rate>', 'bandwidth, e.g. 1mbit', parse.rate)
    .option('--one-way', 'only from a to b')
    .addOption(INCLUDE_API)
    .action((a, b, o) => link(ctx, a, b, o));

  common(p.command('heal'))
    .description('lift every network fault and resume paused nodes')
    .action((o) => heal(ctx, o));

  common(p.command('clock'))
    .description("move a node's emulated clock")
    .argument('<node>', 'node, alias or target word')
    .requiredOption('--offset <duration>', 'offset from real time, e.g. 30s or -30s', parse.signedDuration)
    .action((node, o) => clock(ctx, node, o));

  common(p.command('events'))
    .description('faults applied and changes observed, with timestamps')
    .option('-f, --follow', 'keep printing new events')
    .action((o) => events(ctx, o));

  common(p.command('run'))
    .description('run a TypeScript script (default export async (lab) => {…}) on a fresh cluster or, with --cluster, a running one')
    .argument('<script>', 'path to the script')
    .option('--name <name>', 'name of the fresh cluster (default run-<script>)')
    .option('--managers <n>', 'managers of the fresh cluster (default 3)', parse.count(1))
    .option('--workers <n>', 'workers of the fresh cluster (default 2)', parse.count(0))
    .option('--profile <profile>', 'timing profile of the fresh cluster', parse.profile)
    .option('--time-scale <k>', 'emulated clock speed of the fresh cluster', parse.positiveNumber)
    .action((script, o) => run(ctx, script, o));

  const chaos = p.command('chaos').description('seeded fault schedules against a fresh cluster, a workload through the Docker API, and checkers');
  chaos
    .command('run')
    .description('run a workload under a seeded fault schedule, heal, check; exit 0 valid, 1 invalid, 2 unknown')
    .option('--managers <n>', 'managers (default 5)', parse.count(1))
    .option('--workers <n>', 'workers (default 3)', parse.count(0))
    .option('--time <duration>', 'workload time (default 60s)', parse.duration)
    .option('--nemesis <kinds>', 'comma list of partition,kill,pause,clock,link,membership (default partition,kill)', parse.nemesis)
    .option('--interval <duration>', 'time between faults (default 5s)', parse.duration)
    .option('--workload <name>', 'register, services or mixed (default register)', parse.workload)
    .option('--concurrency <n>', 'clients (default 8)', parse.count(1))
    .option('--seed <n>', 'seed of the schedule and the operation mix (default random)', parse.count(0))
    .option('--out <dir>', 'run folder (default $SWARMLAB_HOME/chaos/<time>-seed-<seed>)')
    .option('--profile <profile>', 'timing profile: fast (default) or docker', parse.profile)
    .option('--json', 'print the results as JSON')
    .action((o) => chaosRun(ctx, o));
  chaos
    .command('replay')
    .description('play the schedule recorded in a run folder again (same faults, same offsets, same operation mix)')
    .argument('<dir>', 'run folder')
    .option('--out <dir>', 'folder of the new run (default <dir>-replay-<time>)')
    .option('--profile <profile>', 'timing profile: fast (default) or docker', parse.profile)
    .option('--json', 'print the results as JSON')
    .action((dir, o) => chaosReplay(ctx, dir, o));
  chaos
    .command('check')
    .description('run the checkers again on a recorded run folder')
    .argument('<dir>', 'run folder')
    .option('--json', 'print the results as JSON')
    .action((dir, o) => chaosCheck(ctx, dir, o));

  // (Subcommands inherit exitOverride, configureOutput and showHelpAfterError from `p`.)
  return p;
}

/** Runs one command line; returns the exit status. */
export async function runCli(argv: string[], ctx: Context): Promise<number> {
  try {
    await program(ctx).parseAsync(argv, { from: 'user' });
    return ctx.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Commander has already printed its message (or the help asked for).
      return e.exitCode;
    }
    const message = e instanceof Error ? e.message : String(e);
    ctx.stderr.write(`swarmlab: ${message}\n`);
    if (!(e instanceof UserError) && e instanceof Error && e.stack) ctx.stderr.write(`${e.stack}\n`);
    return 1;
  }
}
