import { test } from 'node:test';
import assert from 'node:assert/strict';
import { render, type CommandResult } from '../../src/output/render.js';
import type { Context } from '../../src/context.js';

/** What a person pastes must connect to the cloud the profile is in: every Connect line, in every output. */

const plain = { bold: String, dim: String, green: String, yellow: String, red: String, cyan: String };

function renderText(result: CommandResult): string {
  let text = '';
  const out = { data: (t: string) => (text += `${t}\n`), color: plain };
  render(result, { out } as unknown as Context, false);
  return text;
}

test('a GCC High rotation prints only Connect-ExchangeOnline lines that connect to GCC High', () => {
  const text = renderText({
    command: 'rotate',
    exitCode: 0,
    data: {
      results: [
        {
          profile: 'p',
          action: 'rotated',
          reason: 'r',
          appId: 'A',
          thumbprint: 'T',
          organization: 'c.onmicrosoft.us',
          cloud: 'gcchigh',
          exchangeEnvironmentName: 'O365USGovGCCHigh',
          files: { dir: '/d', pfx: '/d/a.pfx' },
          archived: [],
          oldKeyKept: true,
        },
      ],
    },
  } as unknown as CommandResult);
  const connects = text.split('\n').filter((l) => l.includes('Connect-ExchangeOnline'));
  assert.ok(connects.length >= 2, text);
  for (const line of connects) assert.match(line, /-ExchangeEnvironmentName O365USGovGCCHigh$/, line);
});
