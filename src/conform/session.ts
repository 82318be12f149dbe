// One implementation process seen through the protocol: typed requests, decoded replies, and
// every misbehaviour as a value naming the request that caused it.
import * as E from 'fp-ts/lib/Either.js';
import { encodeConfig } from '../codecs/config.ts';
import type { Config } from '../model/config.ts';
import type { Event } from '../model/event.ts';
import type { VariantName } from '../model/variant.ts';
import { Channel, type ChannelFailure } from './channel.ts';
import { decodeStepReply, explainErrors, type Actual } from './compare.ts';
import { eventCodec } from '../codecs/event.ts';
import { ackReply, PROTOCOL_VERSION, type Feature } from '../codecs/protocol.ts';

/** A reply the runner cannot use: the process crashed, hung, or wrote something else than a reply. */
export type Misbehaviour = ChannelFailure | { readonly kind: 'protocol'; readonly line: string; readonly why: string };

export type StepOutcome = { readonly ok: true; readonly actual: Actual } | { readonly ok: false; readonly bad: Misbehaviour };
export type AckOutcome =
  | { readonly ok: true; readonly features: readonly Feature[] }
  | { readonly ok: false; readonly refused: string }
  | { readonly ok: false; readonly bad: Misbehaviour };

export class Session {
  readonly channel: Channel;
  constructor(command: string, timeoutMs: number, startupMs?: number) {
    this.channel = new Channel(command, timeoutMs, startupMs);
  }

  /** Processes started after the first one. */
  get restarts(): number {
    return Math.max(0, this.channel.spawned - 1);
  }

  /** Restart the process if a misbehaviour left it unusable. */
  ensureAlive(): boolean {
    if (!this.channel.broken) return false;
    this.channel.start();
    return true;
  }

  reset(config: Config, variant: VariantName): Promise<AckOutcome> {
    return this.ack({ op: 'reset', protocol: PROTOCOL_VERSION, config: encodeConfig(config), variant }, true);
  }

  save(slot: number): Promise<AckOutcome> {
    return this.ack({ op: 'save', slot }, false);
  }

  restore(slot: number): Promise<AckOutcome> {
    return this.ack({ op: 'restore', slot }, false);
  }

  async step(event: Event): Promise<StepOutcome> {
    const a = await this.channel.request({ op: 'step', event: eventCodec.encode(event) });
    if (!a.ok) return { ok: false, bad: a.failure };
    const d = decodeStepReply(a.value);
    if (E.isLeft(d)) return { ok: false, bad: this.garbage(a.line, d.left.join('; ')) };
    return { ok: true, actual: d.right };
  }

  close(): Promise<void> {
    return this.channel.close();
  }

  private async ack(msg: unknown, isReset: boolean): Promise<AckOutcome> {
    const a = await this.channel.request(msg);
    if (!a.ok) return { ok: false, bad: a.failure };
    const d = ackReply.decode(a.value);
    if (E.isLeft(d)) return { ok: false, bad: this.garbage(a.line, explainErrors(d.left).slice(0, 3).join('; ')) };
    const v = d.right;
    if (!v.ok) return { ok: false, refused: v.error ?? 'no reason given' };
    if (isReset && v.protocol !== undefined && v.protocol !== PROTOCOL_VERSION) {
      return { ok: false, bad: { kind: 'protocol', line: a.line, why: `speaks protocol ${v.protocol}, the runner speaks ${PROTOCOL_VERSION}` } };
    }
    return { ok: true, features: (v.features ?? []).filter((f): f is Feature => f === 'snapshot') };
  }

  /** A JSON line that is not the reply asked for: the stream can no longer be trusted. */
  private garbage(line: string, why: string): Misbehaviour {
    this.channel.stop();
    return { kind: 'garbage', line, why, stderr: this.channel.stderr };
  }
}
