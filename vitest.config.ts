import { defineConfig } from 'vitest/config';

// vitest 4 replaced vitest.workspace.ts with `test.projects`: one project per package.
export default defineConfig({
  test: {
    projects: ['packages/*'],
  },
});
