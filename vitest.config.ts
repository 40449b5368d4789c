import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    coverage: {
      provider: 'v8',
      // The tests load the build (dist/); with `npm run build -- --sourcemap` its lines map back to src/.
      include: ['src/**/*.ts', 'dist/**/*.js'],
      reporter: ['text-summary', 'text', 'html', 'json-summary'],
    },
  },
});
