// undici's Agent and its request() without the rest of undici, loaded when the first agent is made. undici's index also
// loads fetch, WebSocket, the caches and the mocks: ~70 ms of a CLI export's start-up (Node 20, 2-core EPYC), paid
// before its first request for nothing it uses; and the two modules alone take ~33 ms (Intel Xeon), which a process
// that only decodes masks would pay on importing the package. The index builds Agent#request by copying lib/api's
// functions onto the Dispatcher prototype; here the same two modules are loaded alone and request() is called on the
// agent. test/undici-agent.test.ts checks that they are the very class and function the index hands out; should a
// later undici 7 move them, the index is loaded instead.
import { createRequire } from 'node:module';
import type * as Undici from 'undici';

type Request = (
  this: Undici.Agent,
  options: Undici.Dispatcher.RequestOptions,
) => Promise<Undici.Dispatcher.ResponseData>;

/** The two modules alone, else undici's index. `load` is `require`; a test passes one that lacks the files. */
export function loadUndici(load: (id: string) => unknown): { Agent: typeof Undici.Agent; request: Request } {
  try {
    return {
      Agent: load('undici/lib/dispatcher/agent.js') as typeof Undici.Agent,
      request: load('undici/lib/api/api-request.js') as Request,
    };
  } catch {
    const { Agent: WholeAgent } = load('undici') as typeof Undici;
    return { Agent: WholeAgent, request: WholeAgent.prototype.request as Request };
  }
}

let loaded: ReturnType<typeof loadUndici> | undefined;

/** The two modules, loaded on the first call. */
export function undiciParts(): ReturnType<typeof loadUndici> {
  loaded ??= loadUndici(createRequire(import.meta.url));
  return loaded;
}

export type Agent = Undici.Agent;

export function createAgent(options: Undici.Agent.Options): Agent {
  return new (undiciParts().Agent)(options);
}

/** `agent.request(options)`, as undici's index defines it. */
export function request(
  agent: Undici.Agent,
  options: Undici.Dispatcher.RequestOptions,
): Promise<Undici.Dispatcher.ResponseData> {
  return undiciParts().request.call(agent, options);
}
