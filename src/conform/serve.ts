// The implementation side of the protocol: a loop reading requests from stdin and writing replies
// to stdout, around any Engine. `serve(new ReducerEngine())` is the reference implementation.
import * as E from 'fp-ts/lib/Either.js';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { decodeConfig } from '../codecs/config.ts';
import { formatErrors } from '../codecs/decode.ts';
import { observationCodec } from '../codecs/event.ts';
import { describeError } from '../model/error.ts';
import type { Engine } from './engine.ts';
import { PROTOCOL_VERSION, requestCodec, type Request } from '../codecs/protocol.ts';

/**
 * The reply to one request line, or undefined for bye (no reply; the loop ends): PROTO-RESET,
 * PROTO-STEP, PROTO-REFUSAL (the ModelError tag), PROTO-SNAPSHOT, PROTO-BYE.
 */
export function answer(engine: Engine, line: string, state: { ready: boolean }): unknown {
  let json: unknown;
  try { json = JSON.parse(line); } catch (err) { return { ok: false, error: `not JSON (${(err as Error).message})` }; }
  const r = requestCodec.decode(json);
  if (E.isLeft(r)) return { ok: false, error: formatErrors(r.left).slice(0, 3).join('; ') };
  const req: Request = r.right;
  switch (req.op) {
    case 'reset': {
      if (req.protocol !== PROTOCOL_VERSION) return { ok: false, protocol: PROTOCOL_VERSION, error: `protocol ${req.protocol} not supported (this side speaks ${PROTOCOL_VERSION})` };
      const c = decodeConfig(req.config, 'config');
      if (E.isLeft(c)) return { ok: false, error: c.left.join('; ') };
      const why = engine.reset(c.right, req.variant);
      if (why !== undefined) return { ok: false, error: why };
      state.ready = true;
      return { ok: true, protocol: PROTOCOL_VERSION, features: engine.save && engine.restore ? ['snapshot'] : [] };
    }
    case 'step': {
      if (!state.ready) return { error: 'BadArgument', detail: 'step before reset' };
      const s = engine.step(req.event);
      if (E.isLeft(s)) return { error: s.left.tag, detail: describeError(s.left) };
      const { observations, digest } = s.right;
      return { observations: observations.map((o) => observationCodec.encode(o)), ...(digest !== undefined ? { digest } : {}) };
    }
    case 'save':
    case 'restore': {
      const f = req.op === 'save' ? engine.save?.bind(engine) : engine.restore?.bind(engine);
      if (!f) return { ok: false, error: 'snapshots not supported' };
      if (!state.ready) return { ok: false, error: `${req.op} before reset` };
      const why = f(req.slot);
      return why === undefined ? { ok: true } : { ok: false, error: why };
    }
    case 'bye':
      return undefined;
  }
}

/** Serve requests until bye or end of input. */
export async function serve(engine: Engine, input: Readable = process.stdin, output: Writable = process.stdout): Promise<void> {
  const rl = createInterface({ input, crlfDelay: Infinity });
  const state = { ready: false };
  let batch = '';
  let flushScheduled = false;
  const flush = () => { flushScheduled = false; if (batch) { output.write(batch); batch = ''; } };
  for await (const line of rl) {
    if (line.trim() === '') continue;
    const reply = answer(engine, line, state);
    if (reply === undefined) break;
    // replies to pipelined requests leave in one write per turn of the event loop
    batch += `${JSON.stringify(reply)}\n`;
    if (!flushScheduled) { flushScheduled = true; setImmediate(flush); }
  }
  flush();
  rl.close();
}
