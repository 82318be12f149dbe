// Streaming line reader: yields the lines of a byte stream one at a time, in constant memory.
// A line longer than the cap is not buffered: its first `cap` characters are kept, the rest is
// dropped up to the next newline and the line is flagged (the parser then reports it malformed).
import { StringDecoder } from 'node:string_decoder';

export interface Line {
  /** 1-based line number. */
  readonly no: number;
  readonly text: string;
  /** The line was longer than the cap (text holds its beginning only). */
  readonly tooLong: boolean;
}

export async function* readLines(source: AsyncIterable<Buffer | string>, cap: number): AsyncGenerator<Line> {
  const decoder = new StringDecoder('utf8');
  let partial = '';
  let overflow = false;
  let no = 0;
  const emit = (text: string): Line => {
    no++;
    const t = text.endsWith('\r') ? text.slice(0, -1) : text;
    const line: Line = { no, text: t, tooLong: overflow };
    overflow = false;
    return line;
  };
  for await (const chunk of source) {
    const s = typeof chunk === 'string' ? chunk : decoder.write(chunk);
    let from = 0;
    for (;;) {
      const nl = s.indexOf('\n', from);
      if (nl < 0) break;
      const piece = s.slice(from, nl);
      if (overflow) {
        yield emit(partial);
      } else if (partial.length + piece.length > cap) {
        overflow = true;
        yield emit((partial + piece).slice(0, cap));
      } else {
        yield emit(partial + piece);
      }
      partial = '';
      from = nl + 1;
    }
    if (from < s.length && !overflow) {
      const rest = s.slice(from);
      if (partial.length + rest.length > cap) {
        partial = (partial + rest).slice(0, cap);
        overflow = true;
      } else {
        partial += rest;
      }
    }
  }
  const tail = decoder.end();
  if (tail && !overflow) {
    if (partial.length + tail.length > cap) { partial = (partial + tail).slice(0, cap); overflow = true; } else partial += tail;
  }
  if (partial.length > 0 || overflow) yield emit(partial);
}
