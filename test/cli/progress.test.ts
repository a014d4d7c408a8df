/**
 * The backfill's progress: a cli-progress bar on a terminal (a stand-in terminal stream records what is drawn),
 * plain lines at most once a second otherwise.
 */
import { Writable } from 'node:stream';
import { progressReporter } from '../../src/cli/progress';

function terminal(): { stream: NodeJS.WriteStream; text: () => string } {
  let out = '';
  const w = new Writable({
    write(chunk, _enc, cb) {
      out += String(chunk);
      cb();
    },
  }) as unknown as NodeJS.WriteStream & Record<string, unknown>;
  // the terminal calls cli-progress makes: each calls back and reports success
  const done = (...args: unknown[]) => {
    const cb = args.at(-1);
    if (typeof cb === 'function') cb();
    return true;
  };
  Object.assign(w, {
    isTTY: true,
    columns: 160,
    cursorTo: done,
    clearLine: done,
    clearScreenDown: done,
    moveCursor: done,
  });
  return { stream: w, text: () => out };
}

test('on a terminal: a bar with a percentage and an ETA when the total is known', () => {
  const t = terminal();
  const lines: string[] = [];
  const p = progressReporter('s3-index backfill', { err: (s) => lines.push(s), tty: t.stream });
  p.update({ objects: 1500, errors: 2, done: 50, total: 200 });
  p.stop();
  expect(t.text()).toMatch(/s3-index backfill \[[^\]]+\] 25% \| 1,500 objects \| [\d,]+\/s \| 2 retried \| ETA/);
  expect(lines).toEqual([]);
});

test('on a terminal without a total: objects, rate, pages, errors, elapsed time', () => {
  const t = terminal();
  const p = progressReporter('s3-index backfill', { err: () => undefined, tty: t.stream });
  p.update({ objects: 12345, pages: 20, errors: 0 });
  p.stop();
  expect(t.text()).toMatch(/s3-index backfill 12,345 objects \| [\d,]+\/s \| 20 pages \| 0 retried \| \d+s/);
});

test('not a terminal: a plain line at most once a second, and the last figures at the end', () => {
  const lines: string[] = [];
  const p = progressReporter('s3-index backfill', { err: (s) => lines.push(s) });
  p.update({ objects: 1, pages: 1, errors: 0 });
  p.update({ objects: 2, pages: 2, errors: 0 });
  p.update({ objects: 3, pages: 3, errors: 1, done: 1, total: 4 });
  p.stop();
  expect(lines).toEqual([
    's3-index backfill: 1 objects, 1 pages, 0 retried errors\n',
    's3-index backfill: 3 objects, 3 pages, 1 retried errors, 25%\n',
  ]);
  const quiet: string[] = [];
  const q = progressReporter('x', { err: (s) => quiet.push(s) }, { quiet: true });
  q.update({ objects: 1, errors: 0 });
  q.stop();
  expect(quiet).toEqual([]);
});
