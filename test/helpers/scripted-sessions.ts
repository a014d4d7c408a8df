/**
 * Scripted sessions run on both the real redis-server and a fresh engine: every RESP2 reply must be
 * byte-identical. Script lines are split on spaces; `""` stands for an empty argument and `\xNN` for a byte.
 */
import { Engine } from '../../src/engine/engine';
import { encodeResp2, engineTarget, type Resp2, showResp2, useOracleClient } from './oracle';
import { describeWithTool } from './redis-server';

export function parseScriptLine(line: string): Buffer[] {
  const out: Buffer[] = [];
  for (const m of line.matchAll(/"([^"]*)"|(\S+)/g)) {
    const text = m[1] ?? m[2]!;
    out.push(
      Buffer.from(
        text.replace(/\\x([0-9a-f]{2})/g, (_, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
        'latin1',
      ),
    );
  }
  return out;
}

function sortedArray(r: Resp2): Resp2 {
  if (r.t !== '*') return r;
  return { t: '*', v: [...r.v].sort((a, b) => encodeResp2(a).localeCompare(encodeResp2(b))) };
}

export interface ScriptOptions {
  /** lines run before every script */
  setup?: readonly string[];
  /** lines whose array replies are compared as sets (e.g. KEYS) */
  unordered?: (line: string) => boolean;
}

export function describeScriptedSessions(
  title: string,
  scripts: Record<string, readonly string[]>,
  opts: ScriptOptions = {},
): void {
  describeWithTool('redis-server')(`${title} sessions vs redis-server (RESP2, byte for byte)`, () => {
    const oracle = useOracleClient();

    it.each(Object.entries(scripts))('%s', async (_name, script) => {
      const local = engineTarget(new Engine());
      await oracle().call(parseScriptLine('flushall'));
      const mismatches: string[] = [];
      for (const line of [...(opts.setup ?? []), ...script]) {
        const argv = parseScriptLine(line);
        const [redisReply, engineReply] = await Promise.all([oracle().call(argv), local(argv)]);
        const unordered = opts.unordered?.(line) ?? false;
        const expected = unordered ? sortedArray(redisReply) : redisReply;
        const actual = unordered ? sortedArray(engineReply) : engineReply;
        if (encodeResp2(expected) !== encodeResp2(actual)) {
          mismatches.push(`${line}\n  redis:  ${showResp2(expected)}\n  engine: ${showResp2(actual)}`);
        }
      }
      expect(mismatches).toEqual([]);
    });
  });
}
