/**
 * Progress of a long client command (backfill, inventory import) on standard error: a cli-progress bar redrawn in
 * place on a terminal (objects, objects/s, pages, retried errors, and a bar with an ETA when the total is known),
 * plain log lines at most once a second otherwise (a CI log, a file), and nothing at all with `quiet`.
 */
import { SingleBar } from 'cli-progress';

export interface ProgressFigures {
  objects: number;
  pages?: number;
  errors: number;
  /** work done and total work (bytes of an inventory), when the total is known: the bar and the ETA */
  done?: number;
  total?: number;
}

export interface ProgressReporter {
  update(p: ProgressFigures): void;
  /** the last figures drawn once more, the bar left on its line */
  stop(): void;
}

export interface ProgressOutput {
  /** plain lines go here */
  err(text: string): void;
  /** a terminal to draw the bar on (process.stderr when it is one) */
  tty?: NodeJS.WriteStream;
}

const rate = (objects: number, ms: number) => (ms > 0 ? Math.round((objects * 1000) / ms) : 0);

export function progressReporter(label: string, out: ProgressOutput, opts: { quiet?: boolean } = {}): ProgressReporter {
  const started = Date.now();
  if (opts.quiet) return { update: () => undefined, stop: () => undefined };
  if (out.tty !== undefined) {
    let bar: SingleBar | undefined;
    let last: ProgressFigures = { objects: 0, errors: 0 };
    const payload = (p: ProgressFigures) => ({
      objects: p.objects.toLocaleString('en-US'),
      rate: rate(p.objects, Date.now() - started).toLocaleString('en-US'),
      pages: p.pages === undefined ? '' : ` | ${p.pages.toLocaleString('en-US')} pages`,
      errors: p.errors,
    });
    return {
      update(p) {
        last = p;
        const known = p.total !== undefined && p.total > 0;
        if (bar === undefined) {
          bar = new SingleBar({
            stream: out.tty,
            format: known
              ? `${label} [{bar}] {percentage}% | {objects} objects | {rate}/s{pages} | {errors} retried | ETA {eta_formatted}`
              : `${label} {objects} objects | {rate}/s{pages} | {errors} retried | {duration_formatted}`,
            barsize: 24,
            hideCursor: true,
            etaBuffer: 50,
            fps: 5,
          });
          bar.start(known ? p.total! : 1, 0, payload(p));
        }
        bar.update(known ? Math.min(p.done ?? 0, p.total!) : 0, payload(p));
      },
      stop() {
        if (bar === undefined) return;
        bar.update(payload(last));
        bar.stop();
      },
    };
  }
  let lastLine = 0;
  const line = (p: ProgressFigures) => {
    const pages = p.pages === undefined ? '' : `, ${p.pages} pages`;
    const pct = p.total ? `, ${Math.floor((100 * (p.done ?? 0)) / p.total)}%` : '';
    out.err(`${label}: ${p.objects} objects${pages}, ${p.errors} retried errors${pct}\n`);
  };
  let last: ProgressFigures | undefined;
  return {
    update(p) {
      last = p;
      if (Date.now() - lastLine < 1000) return;
      lastLine = Date.now();
      line(p);
    },
    stop() {
      if (last !== undefined && lastLine !== 0) line(last);
    },
  };
}
