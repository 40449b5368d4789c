import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Generous: two cores shared with other work can make a property test or a browser start take many times longer.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    coverage: {
      provider: 'v8',
      // The tests load the build (dist/); with `npm run build -- --sourcemap` its lines map back to src/.
      include: ['src/**/*.ts', 'dist/**/*.js'],
      reporter: ['text-summary', 'text', 'html', 'json-summary'],
    },
  },
});
