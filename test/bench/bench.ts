/**
 * npm run bench: whole-process timings of the built binary against an in-process sandbox (this process
 * serves the tenant; exo-cba runs as a user would). Medians over several runs; targets are printed beside
 * the figures, never asserted: these machines are shared and noisy.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startHarness, BIN, type Harness } from '../helpers/harness.js';
import { seedCopies } from './seed.js';

const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);
const THROTTLE_EVERY = Number(process.env['BENCH_THROTTLE_EVERY'] ?? 20);
const MINIMAL = path.join(path.dirname(fileURLToPath(import.meta.url)), 'minimal.js');

function time(
  cmd: string,
  args: string[],
  env: Record<string, string>,
): Promise<{ ms: number; code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, {
      env: { PATH: process.env['PATH'] ?? '', NO_COLOR: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, code, stdout, stderr }),
    );
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const fmt = (ms: number) => `${(ms / 1000).toFixed(3)} s`;
const row = (name: string, ms: number[], target?: string) =>
  console.log(
    `${name.padEnd(46)} median ${fmt(median(ms)).padStart(9)}  min ${fmt(Math.min(...ms)).padStart(9)}  max ${fmt(Math.max(...ms)).padStart(9)}${target ? `   target ${target}: ${target.startsWith('<') && median(ms) < Number(target.slice(1, -2)) * 1000 ? 'met' : target.startsWith('<') ? 'MISSED' : ''}` : ''}`,
  );

function counts(h: Harness, from: number): string {
  const c: Record<string, number> = {};
  for (const e of h.sandbox.faults.log.slice(from))
    c[`${e.service} ${e.method} ${e.endpoint}`] = (c[`${e.service} ${e.method} ${e.endpoint}`] ?? 0) + 1;
  const total = Object.values(c).reduce((a, b) => a + b, 0);
  return (
    Object.entries(c)
      .sort()
      .map(([k, v]) => `    ${String(v).padStart(3)}  ${k}`)
      .join('\n') + `\n    ${String(total).padStart(3)}  total`
  );
}

async function main() {
  console.log(
    `exo-cba benchmark — node ${process.version}, ${RUNS} runs each, medians; whole-process wall time of bin/exo-cba.js\n`,
  );

  // Start-up: the CLI against bare Node, interleaved so drift hits both alike.
  const bare: number[] = [];
  const version: number[] = [];
  const help: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const b = await time(process.execPath, ['-e', '0'], {});
    const v = await time(process.execPath, [BIN, '--version'], {});
    const hlp = await time(process.execPath, [BIN, '--help'], {});
    if (i === 0) continue; // warm-up
    bare.push(b.ms);
    version.push(v.ms);
    help.push(hlp.ms);
  }
  row('node -e 0 (bare Node)', bare);
  row('exo-cba --version', version);
  row('exo-cba --help', help);
  const ratio = (xs: number[]) => median(xs.map((v, i) => v / bare[i]!));
  const verdict = (r: number) => (r <= 1.3 ? 'met' : 'MISSED');
  console.log(
    `  --version / bare Node, pair by pair: median ${ratio(version).toFixed(2)}x   target <=1.3x: ${verdict(ratio(version))}`,
  );
  console.log(
    `  --help    / bare Node, pair by pair: median ${ratio(help).toFixed(2)}x   target <=1.3x: ${verdict(ratio(help))}\n`,
  );

  await singleCommands();
  await rotateAll();
  await replication();
}

/** init, check and rotate against a sandbox with no injected delay; check and rotate beside the minimal script. */
async function singleCommands() {
  const h = await startHarness();
  try {
    const tenant = h.sandbox.directory.tenant.initialDomain;
    const init: number[] = [];
    let from = 0;
    let firstInit = '';
    for (let i = 0; i < RUNS; i++) {
      from = h.sandbox.faults.log.length;
      const r = await time(
        process.execPath,
        [BIN, 'init', '--tenant', tenant, '--yes', '--app-name', `Bench ${i}`, '--profile', `bench${i}`],
        h.env,
      );
      if (r.code !== 0) throw new Error(`init failed: ${r.stderr}`);
      init.push(r.ms);
      if (i === 0) firstInit = counts(h, from);
    }
    row('init --yes (fresh app, 2048-bit key, verified)', init, '<3 s');
    console.log(`  HTTP requests of one fresh init, per endpoint:\n${firstInit}\n`);

    const file = path.join(h.configDir, 'profiles.json');
    const check: number[] = [];
    const bare: number[] = [];
    from = h.sandbox.faults.log.length;
    await time(process.execPath, [BIN, 'check', '--profile', 'bench0'], h.env); // keeps the metadata
    const firstCheck = counts(h, from);
    for (let i = 0; i < RUNS + 1; i++) {
      const m = await time(process.execPath, [MINIMAL, 'check', file, 'bench0'], h.env);
      if (m.code !== 0) throw new Error(`minimal check failed: ${m.stderr}`);
      from = h.sandbox.faults.log.length;
      const r = await time(process.execPath, [BIN, 'check', '--profile', 'bench0'], h.env);
      if (r.code !== 0) throw new Error(`check failed: ${r.stderr}`);
      if (i === 0) continue; // warm-up
      check.push(r.ms);
      bare.push(m.ms);
    }
    row('check (one profile)', check, '<1 s');
    row('  minimal script, same calls', bare);
    ratioRow('check / minimal script', check, bare, 1.1);
    console.log(
      `  HTTP requests of the first check after init (fetches and keeps the metadata):\n${firstCheck}`,
    );
    console.log(`  HTTP requests of every later check (the last one):\n${counts(h, from)}\n`);

    // 50 profiles: copies of the bench apps' profiles under other names (same tenant, real checks each).
    seedCopies(h, 'bench0', 50 - RUNS, 'ccopy');
    const all: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const r = await time(process.execPath, [BIN, 'check', '--all'], h.env);
      if (r.code !== 0) console.log(`  check --all exit ${r.code}: ${(r.stdout + r.stderr).slice(-600)}`);
      all.push(r.ms);
    }
    row('check --all (50 profiles)', all, '<5 s');

    const rotate: number[] = [];
    const bareRotate: number[] = [];
    let rotateCounts = '';
    const copies = seedCopies(h, 'bench1', 2 * RUNS, 'rcopy');
    for (let i = 0; i < RUNS; i++) {
      const m = await time(process.execPath, [MINIMAL, 'rotate', file, copies[RUNS + i]!], h.env);
      if (m.code !== 0) throw new Error(`minimal rotate failed: ${m.stderr}`);
      from = h.sandbox.faults.log.length;
      const r = await time(
        process.execPath,
        [BIN, 'rotate', '--profile', copies[i]!, '--overlap', '0'],
        h.env,
      );
      if (r.code !== 0) throw new Error(`rotate failed: ${r.stderr}`);
      rotate.push(r.ms);
      bareRotate.push(m.ms);
      if (i === 0) rotateCounts = counts(h, from);
    }
    row('rotate --overlap 0 (addKey, verify, removeKey)', rotate, '<3 s');
    row('  minimal script, same calls', bareRotate);
    ratioRow('rotate / minimal script', rotate, bareRotate, 1.1);
    console.log(`  HTTP requests of one rotate, per endpoint:\n${rotateCounts}\n`);
  } finally {
    await h.close();
  }
}

/** rotate --all --overlap 0 over 50 and 200 profiles, then 1,000 with throttling on. */
async function rotateAll() {
  const sizes: { n: number; throttle: boolean }[] = [
    { n: 50, throttle: false },
    { n: 200, throttle: false },
    { n: Number(process.env['BENCH_ROTATE_MANY'] ?? 1000), throttle: true },
  ];
  for (const { n, throttle } of sizes) {
    if (n <= 0) continue;
    const h = await startHarness();
    try {
      const tenant = h.sandbox.directory.tenant.initialDomain;
      const r0 = await time(
        process.execPath,
        [BIN, 'init', '--tenant', tenant, '--yes', '--profile', 'base'],
        h.env,
      );
      if (r0.code !== 0) throw new Error(`init failed: ${r0.stderr}`);
      seedCopies(h, 'base', n - 1);
      if (throttle)
        h.sandbox.faults.set({
          throttleEvery: THROTTLE_EVERY,
          throttleRetryAfterS: 1,
          throttleServices: ['token', 'graph', 'exchange'],
        });
      const from = h.sandbox.faults.log.length;
      const r = await time(process.execPath, [BIN, 'rotate', '--all', '--overlap', '0', '--json'], h.env);
      const log = h.sandbox.faults.log.slice(from);
      const throttled = log.filter((e) => e.status === 429).length;
      const how = throttle ? `, throttled (every ${THROTTLE_EVERY}th request 429, Retry-After 1 s)` : '';
      const per1000 = (r.ms / n) * 1000;
      const verdict = per1000 < 300_000 ? 'met' : 'MISSED';
      console.log(
        `rotate --all --overlap 0, ${n} profiles${how}: ${fmt(r.ms)} (exit ${r.code}; ${log.length} requests, ` +
          `${throttled} of them 429; ${(per1000 / 60_000).toFixed(2)} min per 1,000 profiles; ` +
          `target 1,000 < 5 min: ${verdict})`,
      );
      if (r.code !== 0) console.log(`  stderr: ${r.stderr.slice(0, 400)}`);
    } finally {
      await h.close();
    }
  }
  console.log('');
}

/**
 * Replication delay D: init's writes depend on each other (app → service principal → grant and role → the
 * token that shows them); with today's order the floor is 2·D. The timeline shows where the time goes.
 */
async function replication() {
  for (const d of [2000, 5000, 10000]) {
    const hd = await startHarness({ faults: { replicationDelayMs: d } });
    try {
      const started = Date.now();
      const r = await time(
        process.execPath,
        [BIN, 'init', '--tenant', hd.sandbox.directory.tenant.initialDomain, '--yes'],
        hd.env,
      );
      if (r.code !== 0) throw new Error(`init with delay failed: ${r.stderr}`);
      console.log(
        `init --yes with replication delay D = ${d / 1000} s: ${fmt(r.ms)} = ${(r.ms / d).toFixed(2)}·D ` +
          `(floor 2·D = ${(2 * d) / 1000} s; over it: ${fmt(r.ms - 2 * d)})`,
      );
      if (d === 5000) console.log(timeline(hd, started));
    } finally {
      await hd.close();
    }
  }
}

/** Each endpoint's first and last request, and how often, in seconds from the start of the run. */
function timeline(h: Harness, started: number): string {
  const spans = new Map<string, { first: number; last: number; n: number; statuses: Set<number> }>();
  for (const e of h.sandbox.faults.log) {
    const k = `${e.service} ${e.method} ${e.endpoint}`;
    const s = spans.get(k) ?? { first: e.at, last: e.at, n: 0, statuses: new Set<number>() };
    s.last = e.at;
    s.n++;
    s.statuses.add(e.status);
    spans.set(k, s);
  }
  return [...spans.entries()]
    .sort((a, b) => a[1].first - b[1].first)
    .map(
      ([k, s]) =>
        `    ${sec(s.first - started)} s → ${sec(s.last - started)} s  ` +
        `${String(s.n).padStart(3)}×  ${k}  [${[...s.statuses].join(',')}]`,
    )
    .join('\n');
}

const sec = (ms: number) => (ms / 1000).toFixed(2).padStart(6);

function ratioRow(name: string, xs: number[], ys: number[], target: number) {
  const r = median(xs.map((v, i) => v / ys[i]!));
  console.log(
    `  ${name}, pair by pair: median ${r.toFixed(2)}x   target <=${target}x: ${r <= target ? 'met' : 'MISSED'}`,
  );
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
