// Typed errors for events the model refuses: they never change the state.
import type { Event } from './event.ts';

export type ModelError =
  | { readonly tag: 'UnknownDevice'; readonly dev: number }
  | { readonly tag: 'UnknownProcess'; readonly mm: number }
  | { readonly tag: 'UnknownDomain'; readonly domain: number }
  | { readonly tag: 'BadArgument'; readonly field: string; readonly expected: string }
  /** The event is well-formed but cannot happen in this state (the reason says why). */
  | { readonly tag: 'NotEnabled'; readonly event: Event; readonly reason: string };

export function describeError(e: ModelError): string {
  switch (e.tag) {
    case 'UnknownDevice': return `unknown device index ${e.dev}`;
    case 'UnknownProcess': return `unknown process index ${e.mm}`;
    case 'UnknownDomain': return `unknown domain index ${e.domain}`;
    case 'BadArgument': return `bad argument ${e.field}: expected ${e.expected}`;
    case 'NotEnabled': return `event ${e.event.kind} not enabled: ${e.reason}`;
  }
}
