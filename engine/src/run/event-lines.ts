/**
 * Splits a tracer's event stream into validated roar.events/1 objects.
 * A malformed or truncated line is counted, never thrown: the run record
 * then says the trace is incomplete.
 */
import { TraceEvent } from '../../protocol';

export class EventLines {
  private rest = '';
  invalid = 0;
  firstInvalid: string | null = null;

  constructor(private readonly onEvent: (e: TraceEvent) => void) {}

  push(chunk: string): void {
    const text = this.rest + chunk;
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.line(text.slice(start, nl));
      start = nl + 1;
    }
    this.rest = text.slice(start);
  }

  /** At end of stream: a last line without its newline was cut off. */
  end(): void {
    if (this.rest.trim()) this.bad(this.rest);
    this.rest = '';
  }

  private line(line: string): void {
    if (!line.trim()) return;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch {
      this.bad(line);
      return;
    }
    const parsed = TraceEvent.safeParse(json);
    if (!parsed.success) {
      this.bad(line);
      return;
    }
    this.onEvent(parsed.data);
  }

  private bad(line: string): void {
    this.invalid++;
    this.firstInvalid ??= line.slice(0, 200);
  }
}
