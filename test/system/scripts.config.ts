import { join } from 'node:path';
import { defineConfig } from 'vitest/config';

/**
 * Tests that run our npm scripts as a user does (`npm start` and the README's commands). Each
 * starts its own topology, so they run one file at a time, apart from the main projects.
 */
export default defineConfig({
  test: {
    root: join(import.meta.dirname, '..', '..'),
    name: 'scripts',
    include: ['test/system/**/*.script.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 60_000,
  },
});
