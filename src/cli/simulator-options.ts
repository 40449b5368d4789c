// The simulated batch `simulate` serves and `demo` exports: the simulator's own options (sim/option-table.ts), with
// the bigger defaults of these commands in place of the library's.
import type { OptionSpec } from '../options/option.js';
import { FAULT_OPTIONS, SIM_DATASET_OPTIONS, SIM_SERVER_OPTIONS } from '../sim/option-table.js';

// No vendor rate limit is published: the simulator enforces one of its own (per key) unless told not to, so that
// the demo shows how the export behaves under a limit.
const SIMULATED_RATE_LIMIT = 5;

/** The defaults of `simulate` that are not the library's, by library name. */
export const SIMULATE_DEFAULTS = Object.freeze({
  port: 8080,
  jobs: 50,
  frames: 4,
  points: 100_000,
  rateLimit: SIMULATED_RATE_LIMIT,
});
// Several pages even for a small demo batch, which the rate limit exports in about ten seconds (61 API requests).
export const DEMO_DEFAULTS = Object.freeze({
  jobs: 10,
  frames: 4,
  points: 100_000,
  pageSize: 4,
  rateLimit: SIMULATED_RATE_LIMIT,
});

/**
 * The simulator's options that have a flag, in the help's order, with `defaults` in place of the library's. The port
 * only where `defaults` name one: `demo` serves on a free port.
 */
export function simulatorOptions(defaults: Readonly<Record<string, number>>): OptionSpec[] {
  const { port, ...server } = SIM_SERVER_OPTIONS;
  const options: readonly (OptionSpec & { library: string })[] = [
    ...('port' in defaults ? [port] : []),
    ...Object.values(SIM_DATASET_OPTIONS),
    ...Object.values(server),
    ...Object.values(FAULT_OPTIONS),
  ];
  return options
    .filter((option) => option.flag !== undefined)
    .map((option) => (option.library in defaults ? { ...option, default: defaults[option.library] } : option));
}
