// Parsing Linux ftrace text into concrete trace records (spec/trace-checker.md, "Accepted formats").
// Three layouts are accepted, line by line: bare event lines as in the seed's review thread
// ("smmu_bind_alloc: dev=0000:00:03.0 pasid=1"), the tracefs `trace` file (with its "#" header and
// a "task-pid [cpu] flags timestamp:" prefix) and `trace-cmd report` output (same prefix, flags
// optional, padding after the event name). Nothing here throws: every problem is a ParseError
// naming the field and what was expected.

/** A trace record with the kernel's own values (device names, PASIDs, addresses, group numbers). */
export type ConcreteRecord =
  | { readonly tp: 'smmu_bind_alloc' | 'smmu_unbind_free'; readonly dev: string; readonly pasid: number }
  | { readonly tp: 'smmu_mm_invalidate'; readonly pasid: number; readonly start: bigint; readonly end: bigint }
  | { readonly tp: 'smmu_mm_release'; readonly pasid: number }
  | {
      readonly tp: 'dev_fault';
      readonly dev: string;
      readonly type: number;
      readonly reason: number;
      readonly addr: bigint;
      readonly pasid: number;
      readonly group: number;
      readonly flags: number;
      readonly prot: number;
    }
  | { readonly tp: 'dev_page_response'; readonly dev: string; readonly code: number; readonly pasid: number; readonly group: number };

export type ParsedLine =
  /** Blank line, "#" comment (tracefs header) or a trace-cmd header line. */
  | { readonly tag: 'skip' }
  | { readonly tag: 'record'; readonly record: ConcreteRecord }
  /** Another tracepoint: counted and skipped (an error with --strict). */
  | { readonly tag: 'other'; readonly event: string }
  | { readonly tag: 'error'; readonly field: string; readonly message: string };

export const checkedTracepoints = [
  'smmu_bind_alloc', 'smmu_unbind_free', 'smmu_mm_invalidate', 'smmu_mm_release', 'dev_fault', 'dev_page_response',
] as const;

/** Longest line accepted (characters); longer lines are malformed. */
export const maxLineLength = 65536;

const MAX_U32 = 0xffffffff;
/** PCIe PASIDs are 20 bits wide. */
const MAX_PASID = 0xfffff;

type Fields = Map<string, string>;
type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly field: string; readonly message: string };

const ok = <T>(value: T): Result<T> => ({ ok: true, value });
const bad = (field: string, message: string): { ok: false; field: string; message: string } => ({ ok: false, field, message });

function show(s: string): string {
  const t = s.length > 40 ? `${s.slice(0, 37)}...` : s;
  return JSON.stringify(t);
}

function decimal(f: Fields, key: string, max: number): Result<number> {
  const v = f.get(key);
  if (v === undefined) return bad(key, `missing field "${key}="`);
  let n = 0;
  const digits = v.length > 0 && v.length <= 10;
  for (let i = 0; digits && i < v.length; i++) {
    const c = v.charCodeAt(i) - 48;
    if (c < 0 || c > 9) { n = -1; break; }
    n = n * 10 + c;
  }
  if (!digits || n < 0) return bad(key, `expected a decimal integer, got ${show(v)}`);
  if (n > max) return bad(key, `expected a value at most ${max}, got ${v}`);
  return ok(n);
}

function hexAddr(f: Fields, key: string): Result<bigint> {
  const v = f.get(key);
  if (v === undefined) return bad(key, `missing field "${key}="`);
  if (!/^0x[0-9a-fA-F]{1,16}$/.test(v)) return bad(key, `expected a hexadecimal address such as 0x0000ffff860e6000, got ${show(v)}`);
  return ok(BigInt(v));
}

/** dev_fault prints its flags with "%x": hexadecimal digits without "0x" (a "0x" prefix is accepted too). */
function hexFlags(f: Fields, key: string): Result<number> {
  const v = f.get(key)!;
  if (!/^(?:0x)?[0-9a-fA-F]{1,8}$/.test(v)) return bad(key, `expected hexadecimal flags (printed with %x, e.g. 3 or b), got ${show(v)}`);
  return ok(Number.parseInt(v.startsWith('0x') ? v.slice(2) : v, 16));
}

function deviceName(v: string | undefined, field: string): Result<string> {
  if (v === undefined || v.length === 0) return bad(field, 'missing device name');
  if (!/^[\x21-\x7e]{1,128}$/.test(v)) return bad(field, `expected a device name, got ${show(v)}`);
  return ok(v);
}

/** Split "k=v k=v" into a map; every token must be key=value and keys must be distinct and known. */
function keyValues(tokens: readonly string[], known: readonly string[]): Result<Fields> {
  const f: Fields = new Map();
  for (let i = 0; i < tokens.length; i++) {
    const tok = tokens[i]!;
    const eq = tok.indexOf('=');
    if (eq <= 0) return bad(tok.slice(0, 20) || '(empty)', `expected key=value, got ${show(tok)}`);
    const k = tok.slice(0, eq);
    if (!known.includes(k)) return bad(k, `unexpected field "${k}" (expected ${known.join(', ')})`);
    if (f.has(k)) return bad(k, `field "${k}" given twice`);
    f.set(k, tok.slice(eq + 1));
  }
  return ok(f);
}

/** Whitespace-separated tokens (spaces and tabs), without a regex. */
function tokenize(text: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i <= text.length; i++) {
    const c = i < text.length ? text.charCodeAt(i) : 32;
    if (c === 32 || c === 9) {
      if (start >= 0) { out.push(text.slice(start, i)); start = -1; }
    } else if (start < 0) start = i;
  }
  return out;
}

function firstError(...rs: Result<unknown>[]): { ok: false; field: string; message: string } | undefined {
  for (const r of rs) if (!r.ok) return r;
  return undefined;
}

/** The fields of one of the six checked tracepoints. */
export function parseFields(tp: (typeof checkedTracepoints)[number], text: string): Result<ConcreteRecord> {
  const tokens = tokenize(text);
  switch (tp) {
    case 'smmu_bind_alloc':
    case 'smmu_unbind_free': {
      const kv = keyValues(tokens, ['dev', 'pasid']);
      if (!kv.ok) return kv;
      const dev = deviceName(kv.value.get('dev'), 'dev');
      const pasid = decimal(kv.value, 'pasid', MAX_PASID);
      const e = firstError(dev, pasid);
      if (e) return e;
      return ok({ tp, dev: (dev as { value: string }).value, pasid: (pasid as { value: number }).value });
    }
    case 'smmu_mm_invalidate': {
      const kv = keyValues(tokens, ['pasid', 'start', 'end']);
      if (!kv.ok) return kv;
      const pasid = decimal(kv.value, 'pasid', MAX_PASID);
      const start = hexAddr(kv.value, 'start');
      const end = hexAddr(kv.value, 'end');
      const e = firstError(pasid, start, end);
      if (e) return e;
      const s = (start as { value: bigint }).value;
      const en = (end as { value: bigint }).value;
      if (en <= s) return bad('end', `expected end above start (0x${s.toString(16)}), got 0x${en.toString(16)}`);
      return ok({ tp, pasid: (pasid as { value: number }).value, start: s, end: en });
    }
    case 'smmu_mm_release': {
      const kv = keyValues(tokens, ['pasid']);
      if (!kv.ok) return kv;
      const pasid = decimal(kv.value, 'pasid', MAX_PASID);
      if (!pasid.ok) return pasid;
      return ok({ tp, pasid: pasid.value });
    }
    case 'dev_fault':
    case 'dev_page_response': {
      const head = tokens[0];
      if (head === undefined || !head.startsWith('IOMMU:')) return bad('IOMMU', `expected "IOMMU:<device>" first, got ${show(head ?? '')}`);
      const dev = deviceName(head.slice('IOMMU:'.length), 'IOMMU');
      if (!dev.ok) return dev;
      if (tp === 'dev_page_response') {
        // TRACE-RESPONSE-ADDR: older trees print "code=%d addr=0x%016llx pasid=%d group=%d"; the
        // address is checked for its form only (the model's response carries no address)
        const kv = keyValues(tokens.slice(1), ['code', 'addr', 'pasid', 'group']);
        if (!kv.ok) return kv;
        const code = decimal(kv.value, 'code', 2);
        const addr = kv.value.has('addr') ? hexAddr(kv.value, 'addr') : ok(0n);
        const pasid = decimal(kv.value, 'pasid', MAX_PASID);
        const group = decimal(kv.value, 'group', MAX_U32);
        const e = firstError(code, addr, pasid, group);
        if (e) return e;
        return ok({ tp, dev: dev.value, code: (code as { value: number }).value, pasid: (pasid as { value: number }).value, group: (group as { value: number }).value });
      }
      // Known variants: "flags=" (v5.8+), older trees print "last=" instead; some add "fetch=".
      const kv = keyValues(tokens.slice(1), ['type', 'reason', 'addr', 'fetch', 'pasid', 'group', 'flags', 'last', 'prot']);
      if (!kv.ok) return kv;
      const f = kv.value;
      const type = decimal(f, 'type', MAX_U32);
      const reason = decimal(f, 'reason', MAX_U32);
      const addr = hexAddr(f, 'addr');
      const fetch = f.has('fetch') ? hexAddr(f, 'fetch') : ok(0n);
      const pasid = decimal(f, 'pasid', MAX_PASID);
      const group = decimal(f, 'group', MAX_U32);
      const prot = decimal(f, 'prot', 15);
      let flags: Result<number>;
      if (f.has('flags')) flags = hexFlags(f, 'flags');
      else if (f.has('last')) {
        const last = decimal(f, 'last', 1);
        // flags bit 0 PASID valid (a PASID is printed), bit 1 last page in group
        flags = last.ok ? ok(1 | (last.value << 1)) : last;
      } else flags = bad('flags', 'missing field "flags=" (or "last=")');
      const e = firstError(type, reason, addr, fetch, pasid, group, flags, prot);
      if (e) return e;
      const v = <T>(r: Result<T>) => (r as { value: T }).value;
      return ok({ tp, dev: dev.value, type: v(type), reason: v(reason), addr: v(addr), pasid: v(pasid), group: v(group), flags: v(flags), prot: v(prot) });
    }
  }
}

// "task-pid [cpu] flags timestamp: event: fields"; the tgid column "(  123)" and the irq-info
// flags are optional; trace-cmd pads after "event:".
const prefixed = /^\s*(.+?)-(\d+)\s+(?:\(\s*(?:\d+|-+)\)\s+)?\[(\d+)\]\s+(?:([^\s\[\]]{1,8})\s+)?(\d+\.\d+):\s+([A-Za-z_][A-Za-z0-9_]*):(.*)$/;
const bare = /^\s*([A-Za-z_][A-Za-z0-9_]*):(?:\s(.*))?$/;
// trace-cmd report headers: "version = 6", "cpus=4", "CPU 3 is empty", "CPU0 data recorded at offset=..."
const traceCmdHeader = /^\s*(?:version\s*=\s*\d+|cpus\s*=\s*\d+|CPU\s*\d+ is empty|CPU\s*\d+ data recorded at .*|\s+\d+ bytes in size.*)\s*$/;
const lostEvents = /^\s*CPU:\s*\d+\s+\[LOST\s+(\d+)\s+EVENTS\]/;

/** Parse one line of ftrace text (without its newline). */
export function parseLine(line: string): ParsedLine {
  if (line.length > maxLineLength) return { tag: 'error', field: '(line)', message: `line longer than ${maxLineLength} characters` };
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0b-\x1f\x7f\ufffd]/.test(line)) return { tag: 'error', field: '(line)', message: 'binary data (control characters or invalid UTF-8)' };
  const trimmed = line.trim();
  if (trimmed === '' || trimmed.startsWith('#')) return { tag: 'skip' };
  const c0 = trimmed.charCodeAt(0);
  if ((c0 === 118 || c0 === 99 || c0 === 67 || c0 === 32) && traceCmdHeader.test(line)) return { tag: 'skip' }; // v, c, C
  const lost = lostEvents.exec(line);
  if (lost) return { tag: 'error', field: '(line)', message: `the kernel lost ${lost[1]} events here: the trace is incomplete and cannot be checked` };
  let event: string;
  let fields: string;
  const b = bare.exec(line);
  if (b) {
    event = b[1]!;
    fields = b[2] ?? '';
  } else {
    const p = prefixed.exec(line);
    if (!p) return { tag: 'error', field: '(line)', message: 'expected an ftrace event line ("[task-pid [cpu] flags timestamp:] event: fields")' };
    event = p[6]!;
    fields = p[7]!;
  }
  if (!(checkedTracepoints as readonly string[]).includes(event)) return { tag: 'other', event };
  const r = parseFields(event as (typeof checkedTracepoints)[number], fields);
  return r.ok ? { tag: 'record', record: r.value } : { tag: 'error', field: r.field, message: `${event}: field "${r.field}": ${r.message}` };
}
