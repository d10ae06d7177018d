/**
 * The V8 young generation mqsim runs with.
 *
 * A simulation allocates small objects at every event (messages, packets,
 * requests) that die within microseconds of virtual time, while what it
 * keeps (logs, histories) grows for the whole run. With Node's default
 * 16 MiB semi-space the scavenger runs often and copies the growing kept
 * data each time; with 64 MiB it ran 51 times instead of 128 on the
 * bench-models defaults case and spent 384 ms instead of 590 ms
 * (2026-12-07, this repository's machine). Larger gave no further gain.
 *
 * The npm scripts pass it to Node (`--max-semi-space-size`; a test keeps
 * them in step with this value) and sweep and check workers get it as their
 * resource limit. Running `dist/cli/main.js` directly uses Node's default
 * unless NODE_OPTIONS says otherwise; results are the same, only slower.
 */
export const SEMI_SPACE_MB = 64;

/** A worker's young generation holds two semi-spaces and a third of the same size (V8's YoungGenerationSizeFromSemiSpaceSize). */
export const WORKER_YOUNG_GENERATION_MB = 3 * SEMI_SPACE_MB;
