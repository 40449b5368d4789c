/**
 * Most worker threads a pool starts. Decoding is CPU-bound, so threads beyond the cores add no speed, only memory
 * (an isolate and a WebAssembly instance each, about 10 MiB): 64 covers large servers and bounds a typo.
 * A module of its own: option tables and the CLI's start-up read it without loading the pool.
 */
export const MAX_THREADS = 64;
