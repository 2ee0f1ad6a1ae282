// The backends `npm run bench -- --first-step --backends=...` can time (a module of its own, shared by
// the driver in Node and the page).

/** The backends the first-step measurement times: 'auto' as created without a hint. */
export const FIRST_STEP_BACKENDS = ['webgpu', 'auto', 'wasm'] as const;

/** One of {@link FIRST_STEP_BACKENDS}. */
export type FirstStepBackend = (typeof FIRST_STEP_BACKENDS)[number];
