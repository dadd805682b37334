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
          workload: 'exchange',
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

test('a GCC High rotation of an S&C profile prints Connect-IPPSSession lines for GCC High', () => {
  const text = renderText({
    command: 'rotate',
    exitCode: 0,
    data: {
      results: [
        {
          profile: 'p-compliance',
          action: 'rotated',
          reason: 'r',
          appId: 'A',
          thumbprint: 'T',
          organization: 'c.onmicrosoft.us',
          cloud: 'gcchigh',
          workload: 'compliance',
          files: { dir: '/d', pfx: '/d/a.pfx' },
          archived: [],
          oldKeyKept: true,
        },
      ],
    },
  } as unknown as CommandResult);
  const connects = text.split('\n').filter((l) => /Connect-(IPPSSession|ExchangeOnline) /.test(l));
  assert.ok(connects.length >= 2, text);
  for (const line of connects)
    assert.match(
      line,
      /^\s*Connect-IPPSSession .* -ConnectionUri https:\/\/ps\.compliance\.protection\.office365\.us\/powershell-liveid\/ -AzureADAuthorizationEndpointUri https:\/\/login\.microsoftonline\.us\/common$/,
      line,
    );
});
