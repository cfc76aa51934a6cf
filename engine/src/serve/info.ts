/** `roar/info`: what this engine is and where its tracers are. Needs no configuration. */
import * as os from 'node:os';
import * as path from 'node:path';
import { TRACER_NAMES } from '../../protocol';
import { InfoResult, RPC_PROTOCOL_VERSION, TracerLocation } from '../../protocol/rpc';
import { VERSION } from '../cli/main';
import { locateTracer, packageRoot } from '../tracers/locate';

export function tracerLocations(env: NodeJS.ProcessEnv): TracerLocation[] {
  return TRACER_NAMES.map((tracer) => ({ tracer, ...locateTracer(tracer, env) }));
}

export function engineInfo(env: NodeJS.ProcessEnv, configured: boolean): InfoResult {
  return {
    name: 'roar',
    version: VERSION,
    protocol: RPC_PROTOCOL_VERSION,
    pid: process.pid,
    node: process.version,
    electron: process.versions.electron ?? null,
    platform: process.platform,
    arch: process.arch,
    kernel: os.release(),
    engine: path.resolve(process.argv[1] ?? __filename),
    packageRoot: packageRoot(),
    tracers: tracerLocations(env),
    configured,
  };
}
