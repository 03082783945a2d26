import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { configurationReference } from '../src/commands/config-reference.js';

const committed = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'configuration.md');

describe('docs/configuration.md', () => {
  it('is what the services validate their settings with (regenerate: npx hostwatch config-reference > docs/configuration.md)', async () => {
    const generated = configurationReference();
    for (const name of ['NATS_URL', 'HOST_KEY_FILE', 'DATABASE_URL', 'RULES_FILE', 'API_PORT', 'EMAIL_HOST']) {
      expect(generated).toContain(`\`${name}\``);
    }
    expect(await readFile(committed, 'utf8')).toBe(generated);
  });
});
