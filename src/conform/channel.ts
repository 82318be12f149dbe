// The implementation under test as a child process: JSON lines out, JSON lines in, replies in
// request order, a timeout per reply, and every way it can misbehave turned into a value
// (never a thrown error, never a hang). Imperative by nature: it owns a process.
import { spawn, type ChildProcess } from 'node:child_process';

/** How a process failed to answer a request. */
export type ChannelFailure =
  | { readonly kind: 'crash'; readonly code: number | null; readonly signal: string | null; readonly stderr: string }
  | { readonly kind: 'hang'; readonly timeoutMs: number; readonly stderr: string }
  | { readonly kind: 'garbage'; readonly line: string; readonly why: string; readonly stderr: string };

export type Answer = { readonly ok: true; readonly value: unknown; readonly line: string } | { readonly ok: false; readonly failure: ChannelFailure };

interface Waiter {
  readonly resolve: (a: Answer) => void;
  readonly request: string;
}

const STDERR_TAIL = 2000;
/** A reply line longer than this is garbage (a runaway writer), reported without reading on. */
export const MAX_LINE = 8 * 1024 * 1024;

/** PROTO-FRAMING (replies in request order, one per line) and PROTO-TIMEOUT (crash, hang, garbage). */
export class Channel {
  private child: ChildProcess | undefined;
  private readonly queue: Waiter[] = [];
  private buf = '';
  private stderrTail = '';
  private timer: NodeJS.Timeout | undefined;
  private dead: ChannelFailure | undefined;
  private closed = false;
  /** Processes started so far (1 + restarts). */
  spawned = 0;

  /** No reply has come from the current process yet: its first reply also gets `startupMs`. */
  private starting = true;
  /** The last request answered (to place an unsolicited line). */
  private lastAnswered = '';

  constructor(private readonly command: string, private readonly timeoutMs: number, private readonly startupMs = 20000) {}

  /** Start (or restart) the process. */
  start(): void {
    this.stop();
    this.buf = '';
    this.out = '';
    this.stderrTail = '';
    this.dead = undefined;
    this.closed = false;
    this.starting = true;
    this.lastAnswered = '';
    this.spawned++;
    // its own process group, so that a wrapper (sh, npx, tsx) and its children die together
    const child = spawn('/bin/sh', ['-c', this.command], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    this.child = child;
    track(child);
    child.stdout!.setEncoding('utf8');
    child.stderr!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => { if (this.child === child) this.onData(d); });
    child.stderr!.on('data', (d: string) => {
      if (this.child !== child) return;
      this.stderrTail = (this.stderrTail + d).slice(-STDERR_TAIL);
    });
    child.stdin!.on('error', () => { /* EPIPE: the close handler reports the crash */ });
    child.on('error', (err) => { if (this.child === child) this.fail({ kind: 'crash', code: null, signal: null, stderr: `${this.stderrTail}${err.message}\n` }); });
    child.on('close', (code, signal) => {
      if (this.child !== child) return;
      this.closed = true;
      this.fail({ kind: 'crash', code, signal, stderr: this.stderrTail });
    });
  }

  /** Send one request; the answer resolves in request order. Never rejects. */
  request(msg: unknown): Promise<Answer> {
    return new Promise<Answer>((resolve) => {
      if (this.dead) { resolve({ ok: false, failure: this.dead }); return; }
      if (!this.child) this.start();
      const line = JSON.stringify(msg);
      this.queue.push({ resolve, request: line });
      if (this.queue.length === 1) this.arm();
      this.write(`${line}\n`);
    });
  }

  private out = '';
  /** Requests sent in one turn of the event loop leave in one write (one syscall, one wake-up of the other side). */
  private write(line: string): void {
    if (this.out === '') setImmediate(() => this.flush());
    this.out += line;
  }

  private flush(): void {
    const data = this.out;
    this.out = '';
    if (data && this.child && !this.dead && !this.closed) this.child.stdin!.write(data);
  }

  /** Send without expecting a reply (bye). */
  notify(msg: unknown): void {
    if (this.child && !this.dead && !this.closed) { this.write(`${JSON.stringify(msg)}\n`); this.flush(); }
  }

  /** Whether the process is unusable (crashed, hung, spoke garbage) and needs a restart. */
  get broken(): boolean {
    return this.dead !== undefined;
  }

  get stderr(): string {
    return this.stderrTail;
  }

  /** Ask politely (bye), then make sure the whole process group is gone. */
  async close(graceMs = 500): Promise<void> {
    const child = this.child;
    if (!child) return;
    if (!this.dead && !this.closed) {
      this.notify({ op: 'bye' });
      child.stdin!.end();
      await new Promise<void>((res) => {
        const t = setTimeout(res, graceMs);
        child.once('close', () => { clearTimeout(t); res(); });
      });
    }
    this.stop();
  }

  /** Kill the process group now; pending requests fail as crashes. */
  stop(): void {
    const child = this.child;
    this.child = undefined;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (child) {
      killGroup(child);
      child.stdout!.removeAllListeners('data');
      child.stdout!.destroy();
      child.stderr!.destroy();
      child.stdin!.destroy();
    }
    const pending = this.queue.splice(0);
    for (const w of pending) w.resolve({ ok: false, failure: this.dead ?? { kind: 'crash', code: null, signal: 'SIGKILL', stderr: this.stderrTail } });
  }

  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.queue.length === 0) return;
    const ms = this.timeoutMs + (this.starting ? this.startupMs : 0);
    this.timer = setTimeout(() => this.fail({ kind: 'hang', timeoutMs: ms, stderr: this.stderrTail }), ms);
  }

  private onData(d: string): void {
    this.buf += d;
    let nl: number;
    while (!this.dead && (nl = this.buf.indexOf('\n')) >= 0) {
      const line = this.buf.slice(0, nl).replace(/\r$/, '');
      this.buf = this.buf.slice(nl + 1);
      this.onLine(line);
    }
    if (!this.dead && this.buf.length > MAX_LINE) {
      this.fail({ kind: 'garbage', line: this.buf, why: `a reply line longer than ${MAX_LINE} bytes`, stderr: this.stderrTail });
    }
  }

  private onLine(line: string): void {
    const w = this.queue.shift();
    if (!w) {
      const after = this.lastAnswered ? `, after the reply to ${this.lastAnswered.length > 160 ? `${this.lastAnswered.slice(0, 157)}...` : this.lastAnswered}` : ' before any request';
      this.fail({ kind: 'garbage', line, why: `a line nobody asked for (no request pending${after})`, stderr: this.stderrTail });
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (err) {
      this.queue.unshift(w);
      this.fail({ kind: 'garbage', line, why: `not JSON (${(err as Error).message})`, stderr: this.stderrTail });
      return;
    }
    this.starting = false;
    this.lastAnswered = w.request;
    this.arm();
    w.resolve({ ok: true, value, line });
  }

  /** The process can no longer be trusted: fail every pending request and kill it. */
  private fail(f: ChannelFailure): void {
    if (this.dead) return;
    // a crash report gets the stderr written up to the end
    this.dead = f.kind === 'crash' ? { ...f, stderr: this.stderrTail } : f;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const pending = this.queue.splice(0);
    for (const w of pending) w.resolve({ ok: false, failure: this.dead });
    if (this.child && !this.closed) killGroup(this.child);
  }
}

/** Process groups still running, killed when the runner exits however it exits. */
const live = new Set<ChildProcess>();
let exitHook = false;
function track(child: ChildProcess): void {
  live.add(child);
  child.once('close', () => live.delete(child));
  if (exitHook) return;
  exitHook = true;
  process.once('exit', killAll);
}

/** Kill every implementation process group started by this runner (exit, SIGINT, SIGTERM). */
export function killAll(): void {
  for (const c of live) killGroup(c);
  live.clear();
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    // the shell may be gone while its children live on: the group id is still the shell's pid
    if (child.pid !== undefined) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ }
    return;
  }
  try { process.kill(-child.pid, 'SIGKILL'); } catch { try { child.kill('SIGKILL'); } catch { /* gone */ } }
}
