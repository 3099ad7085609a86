/**
 * `npm run schemas`: writes the JSON Schemas the project ships from their one definition each (zod):
 * `schema/callhooks.config.schema.json` (the configuration file, which `callhooks.config.json` names in `$schema`
 * so that an editor completes and checks it) and `schema/call-event.schema.json` (the CallEvent detail).
 * A test fails when a shipped file is stale.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configJsonSchema } from '../lambda/config/config';
import { callEventJsonSchema } from '../lambda/core/event-schema';

const ROOT = join(__dirname, '..');

/** Each shipped schema file (relative to the repository) and what it must hold. */
export function renderSchemas(): ReadonlyArray<{ readonly file: string; readonly text: string }> {
  return [
    { file: 'schema/callhooks.config.schema.json', text: `${JSON.stringify(configJsonSchema(), null, 2)}\n` },
    { file: 'schema/call-event.schema.json', text: `${JSON.stringify(callEventJsonSchema(), null, 2)}\n` },
  ];
}

if (require.main === module) {
  for (const { file, text } of renderSchemas()) {
    writeFileSync(join(ROOT, file), text);
    process.stdout.write(`wrote ${file}\n`);
  }
}
