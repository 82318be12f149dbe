// Requests sent ahead of their replies (up to a window), judged in order, stopping at the first
// failure. The plan never depends on the replies, so pipelining changes nothing but the speed.
import type { Failure } from './failure.ts';

export interface Op<R> {
  readonly send: () => Promise<R>;
  /** undefined when the reply is as expected. */
  readonly judge: (reply: R) => Failure | undefined;
}

export interface PipelineResult {
  readonly failure?: Failure;
  /** Ops whose reply was judged. */
  readonly judged: number;
}

export async function runPipelined<R>(ops: Iterable<Op<R>>, window: number): Promise<PipelineResult> {
  const inFlight: { op: Op<R>; reply: Promise<R> }[] = [];
  let judged = 0;
  const settle = async (): Promise<Failure | undefined> => {
    const head = inFlight.shift()!;
    const f = head.op.judge(await head.reply);
    judged++;
    return f;
  };
  for (const op of ops) {
    inFlight.push({ op, reply: op.send() });
    if (inFlight.length >= window) {
      const f = await settle();
      if (f) return { failure: f, judged };
    }
  }
  while (inFlight.length > 0) {
    const f = await settle();
    if (f) return { failure: f, judged };
  }
  return { judged };
}
