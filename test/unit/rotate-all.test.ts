import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eachFairly, oneQuestionAtATime } from '../../src/commands/rotate/all.js';
import type { Prompt } from '../../src/context.js';

test('rotate --all: a tenant whose rotation is held up keeps only its share; the other tenant goes on', async () => {
  const items = ['A1', 'A2', 'A3', 'B1', 'B2', 'B3'];
  const started: string[] = [];
  let releaseA1: () => void = () => undefined;
  const a1 = new Promise<void>((r) => (releaseA1 = r));
  let bDone = 0;
  const run = eachFairly(items, { concurrency: 2, laneOf: (i) => i[0]! }, async (i) => {
    started.push(i);
    if (i === 'A1') await a1;
    else await new Promise((r) => setTimeout(r, 5));
    if (i.startsWith('B') && ++bDone === 3) releaseA1();
    return i.toLowerCase();
  });
  const out = await run;
  assert.deepEqual(started.slice(0, 4), ['A1', 'B1', 'B2', 'B3'], 'B never waits behind the held-up A1');
  assert.deepEqual(out, ['a1', 'a2', 'a3', 'b1', 'b2', 'b3'], 'results keep the order of the profiles');
});

test('rotate --all: never more than --concurrency at once, and every item runs once', async () => {
  let inFlight = 0;
  let most = 0;
  const items = Array.from({ length: 40 }, (_, i) => i);
  const out = await eachFairly(items, { concurrency: 5, laneOf: (i) => `t${i % 3}` }, async (i) => {
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setTimeout(r, 1 + (i % 4)));
    inFlight--;
    return i;
  });
  assert.equal(most, 5);
  assert.deepEqual(out, items);
});

test('rotate --all: prompts of rotations in parallel are asked one at a time', async () => {
  let open = 0;
  let most = 0;
  const slow = async () => {
    most = Math.max(most, ++open);
    await new Promise((r) => setTimeout(r, 5));
    open--;
    return 'x';
  };
  const p = oneQuestionAtATime({ secret: slow, text: slow } as unknown as Prompt);
  const answers = await Promise.all([1, 2, 3].map((n) => p.secret({ name: `p${n}`, message: 'pw' })));
  assert.deepEqual(answers, ['x', 'x', 'x']);
  assert.equal(most, 1);
});
