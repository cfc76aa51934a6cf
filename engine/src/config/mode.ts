/**
 * Which tracer mode applies: --tracer, then $ROAR_TRACER, then
 * .roar/config.toml, then auto. Same for fallback and the auto order.
 */
import { TRACER_NAMES, TracerName } from '../../protocol';
import type { TracerMode } from '../preflight/check';
import { RoarConfig } from './config-file';

export type ModeSource = 'flag' | 'env' | 'config' | 'default';

export interface Selection {
  mode: TracerMode;
  source: ModeSource;
  fallback: boolean;
  order: TracerName[];
}

const MODES = ['auto', ...TRACER_NAMES] as const;

export class ModeError extends Error {}

export function resolveSelection(flag: TracerMode | null, flagFallback: boolean | null, env: NodeJS.ProcessEnv, config: RoarConfig): Selection {
  let mode: TracerMode = 'auto';
  let source: ModeSource = 'default';
  if (flag) {
    mode = flag;
    source = 'flag';
  } else if (env.ROAR_TRACER) {
    if (!(MODES as readonly string[]).includes(env.ROAR_TRACER)) {
      throw new ModeError(`ROAR_TRACER must be one of ${MODES.join(', ')} (got '${env.ROAR_TRACER}')`);
    }
    mode = env.ROAR_TRACER as TracerMode;
    source = 'env';
  } else if (config.tracer?.default) {
    mode = config.tracer.default;
    source = 'config';
  }
  return {
    mode,
    source,
    fallback: flagFallback ?? config.tracer?.fallback_enabled ?? true,
    order: config.tracer?.order ?? [...TRACER_NAMES],
  };
}
