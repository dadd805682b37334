import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as exchange from '../../src/workloads/exchange/facts.js';
import * as entra from '../../src/tenant/entra.js';
import * as compliance from '../../src/workloads/compliance/facts.js';
import * as teams from '../../src/workloads/teams/facts.js';
import { workloadNamed } from '../../src/workloads/index.js';
import { PROOF_AUDIENCE } from '../../src/certificate/proof.js';
import * as sandbox from '../../src/sandbox/microsoft-ids.js';

/**
 * exo-cba and its sandbox each keep their own copy of Microsoft's identifiers (the sandbox never imports the
 * tool). This is the one place the two copies meet: a typo in either fails here, not silently in both.
 */
test('the tool and the sandbox agree on every Microsoft identifier', () => {
  assert.equal(exchange.EXCHANGE_APP_ID, sandbox.EXO_APP_ID);
  assert.equal(exchange.EXCHANGE_MANAGE_AS_APP, sandbox.MANAGE_AS_APP);
  assert.deepEqual(
    exchange.EXCHANGE_ROLES.accepted.map((r) => r.templateId).sort(),
    [...sandbox.EXCHANGE_CAPABLE_ROLES].sort(),
  );
  assert.deepEqual(
    compliance.COMPLIANCE_ROLES.accepted.map((r) => r.templateId).sort(),
    [...sandbox.COMPLIANCE_CAPABLE_ROLES].sort(),
  );
  assert.equal(workloadNamed('compliance').endpoint('global', {}).resource, sandbox.COMPLIANCE_RESOURCE);
  assert.equal(compliance.compliancePermissions('global')[0]?.value, sandbox.MANAGE_AS_APP);
  assert.equal(entra.GRAPH_APP_ID, sandbox.GRAPH_APP_ID);
  assert.equal(entra.DEFAULT_PUBLIC_CLIENT_ID, sandbox.GRAPH_CLI_APP_ID);
  assert.equal(PROOF_AUDIENCE, sandbox.ADD_KEY_PROOF_AUDIENCE);
  assert.equal(entra.GLOBAL_ADMIN_TEMPLATE_ID, sandbox.ROLE.globalAdministrator);
  assert.equal(entra.PRIVILEGED_ROLE_ADMIN_TEMPLATE_ID, sandbox.ROLE.privilegedRoleAdministrator);
  assert.equal(entra.APPLICATION_ADMIN_TEMPLATE_ID, sandbox.ROLE.applicationAdministrator);
  assert.equal(entra.CLOUD_APPLICATION_ADMIN_TEMPLATE_ID, sandbox.ROLE.cloudApplicationAdministrator);
});

test('the tool and the sandbox agree on the Teams identifiers', () => {
  assert.equal(teams.TEAMS_API_APP_ID, sandbox.TEAMS_ADMIN_API_APP_ID);
  assert.equal(workloadNamed('teams').endpoint('global', {}).resource, sandbox.TEAMS_ADMIN_API_APP_ID);
  for (const r of teams.TEAMS_ROLES.accepted)
    assert.ok(
      sandbox.TEAMS_CAPABLE_ROLES.includes(r.templateId),
      `${r.name} serves Teams in the sandbox too`,
    );
  for (const r of teams.TEAMS_ROLES.notServing)
    assert.ok(!sandbox.TEAMS_CAPABLE_ROLES.includes(r.templateId), `${r.name} serves Teams nowhere`);
  assert.deepEqual(
    [...teams.PERMISSION_SETS.all].sort(),
    sandbox.TEAMS_GRAPH_PERMISSIONS.map((p) => p.value).sort(),
  );
});
