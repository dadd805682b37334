// Prints README's "Error codes" table from the catalogue (src/core/error-codes.ts, built to dist/).
// test/unit/error-codes.test.ts checks that README holds exactly this table.
import { ERROR_CODES } from '../dist/core/error-codes.js';

const rows = Object.entries(ERROR_CODES).map(([code, v]) => `| \`${code}\` | ${v.exit} | ${v.meaning} |`);
process.stdout.write(['| code | exit | meaning |', '|---|---|---|', ...rows].join('\n') + '\n');
