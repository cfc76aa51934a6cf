/**
 * `roar serve --stdio`: the engine as a JSON-RPC server for the VS Code
 * extension (docs/protocol.md). LSP base protocol from
 * vscode-languageserver (the only engine module that imports it); the roar
 * methods are in engine/protocol/rpc.ts. stdout is the channel: nothing
 * else may write there (the library routes console.* to the client log).
 */
import { createConnection, ResponseError } from 'vscode-languageserver/node';
import { z } from 'zod';
import { METHODS, NOTIFICATIONS, REQUESTS, RequestMethod, RPC_ERRORS, ResultOf } from '../../protocol/rpc';
import { VERSION } from '../cli/main';
import { RpcError, Session } from './session';

const USAGE = 'usage: roar serve --stdio   (JSON-RPC over stdin/stdout, for the VS Code extension)';

export function serve(args: string[]): Promise<number> {
  if (!args.includes('--stdio')) {
    process.stderr.write(`roar: serve needs --stdio (the only transport)\n${USAGE}\n`);
    return Promise.resolve(2);
  }
  const unknown = args.filter((a) => a !== '--stdio' && !a.startsWith('--clientProcessId'));
  if (unknown.length) {
    process.stderr.write(`roar: serve: unexpected argument '${unknown[0]}'\n${USAGE}\n`);
    return Promise.resolve(2);
  }

  // createConnection() reads --stdio from process.argv, and exits the process
  // when the client closes the stream or sends `exit`.
  const connection = createConnection();
  const session = new Session({
    readiness: (p) => void connection.sendNotification(NOTIFICATIONS.readiness, p),
    log: (m) => connection.console.log(m),
  });

  /** Validates params against the shared schema and maps failures to JSON-RPC errors. */
  function handle<M extends RequestMethod>(method: M, fn: (params: z.infer<(typeof REQUESTS)[M]['params']>) => ResultOf<M> | Promise<ResultOf<M>>) {
    connection.onRequest(method, async (raw: unknown) => {
      const parsed = REQUESTS[method].params.safeParse(raw ?? undefined);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return new ResponseError(RPC_ERRORS.invalidParams, `${method}: invalid params: ${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid'}`);
      }
      try {
        return await fn(parsed.data as z.infer<(typeof REQUESTS)[M]['params']>);
      } catch (e) {
        if (e instanceof RpcError) return new ResponseError(e.code, e.message);
        connection.console.error(`${method}: ${(e as Error).stack ?? e}`);
        return new ResponseError(RPC_ERRORS.internal, `${method}: ${(e as Error).message ?? e}`);
      }
    });
  }

  connection.onInitialize(() => ({ capabilities: {}, serverInfo: { name: 'roar', version: VERSION } }));
  handle(METHODS.info, () => session.info());
  handle(METHODS.configure, (p) => session.configure(p));
  handle(METHODS.preflight, (p) => session.preflight(p));
  handle(METHODS.listRuns, (p) => session.listRuns(p));
  handle(METHODS.getRun, (p) => session.getRun(p));

  return new Promise((resolve) => {
    connection.onExit(() => resolve(0));
    connection.onInitialized(() => connection.console.log(`roar engine ${VERSION} (pid ${process.pid}, node ${process.version}) serving on stdio`));
    connection.listen();
  });
}
