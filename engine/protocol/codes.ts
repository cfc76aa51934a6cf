/**
 * Check ids and codes the engine itself produces (the tracers' own are
 * listed in docs/checks.md). Stable API: the extension and tests key on them.
 */
export const ENGINE_CHECKS = {
  binary: 'tracer.binary',
  output: 'tracer.output',
  addon: 'engine.addon',
} as const;

export const CODES = {
  tracerMissing: 'ROAR_E_TRACER_MISSING',
  tracerNotExecutable: 'ROAR_E_TRACER_NOT_EXECUTABLE',
  tracerExecFormat: 'ROAR_E_TRACER_EXEC_FORMAT',
  tracerTimeout: 'ROAR_E_TRACER_TIMEOUT',
  tracerCrashed: 'ROAR_E_TRACER_CRASHED',
  tracerOutputInvalid: 'ROAR_E_TRACER_OUTPUT_INVALID',
  tracerOutputEmpty: 'ROAR_E_TRACER_OUTPUT_EMPTY',
  commandNotFound: 'ROAR_E_COMMAND_NOT_FOUND',
  commandNotExecutable: 'ROAR_E_COMMAND_NOT_EXECUTABLE',
  addonUnavailable: 'ROAR_W_ADDON_UNAVAILABLE',
} as const;

/** DESIGN §4 exit codes, the convention of env(1), timeout(1), docker run. */
export const EXIT = {
  refused: 125,
  notExecutable: 126,
  notFound: 127,
} as const;
