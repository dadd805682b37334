/**
 * The Exchange Online workload: everything exo-cba knows about Exchange, in one folder. Commands, rights
 * strategies and output use this surface; a second workload would be a sibling folder with the same shape.
 *
 * - facts.ts       its identifiers, the app role, and the directory roles it accepts for app-only access
 * - permission.ts  Exchange.ManageAsApp as an app registration declares it
 * - admin-api.ts   the admin API client (InvokeCommand) and how its answers are read
 * - verify.ts      the proof of a connection, with its diagnoses
 * - powershell.ts  the PowerShell lines exo-cba prints
 * Its endpoints per cloud (Exchange, Security & Compliance) are columns of the one cloud table (core/clouds.ts).
 */
export * from './facts.js';
export * from './permission.js';
export * from './verify.js';
export * from './powershell.js';
export type { ExchangeProbe, ProbeResult } from './admin-api.js';
