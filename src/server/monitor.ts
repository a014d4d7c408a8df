/**
 * MONITOR: every command a client runs is shown to the monitoring clients as one status line, in Redis's format:
 *
 *   +1700000000.123456 [0 127.0.0.1:50312] "set" "k" "v"
 *
 * (seconds.microseconds, the database after the command ran, the client's address, each argument quoted the way
 * sdscatrepr does it). Like Redis, a command is shown after it ran and only when it passed the checks (unknown
 * commands, arity errors, NOAUTH and MULTI-queued commands are not shown: queued ones are shown when EXEC runs
 * them, and EXEC after them); admin commands are never shown (CONFIG, MONITOR, CLIENT LIST/KILL/…), and AUTH's
 * arguments, HELLO's AUTH credentials are "(redacted)".
 */
import type { CommandSpec } from '../engine/command';

/** CLIENT subcommands that Redis flags admin (the rest, e.g. SETNAME, are shown). */
const ADMIN_CLIENT_SUBCOMMANDS = new Set(['list', 'kill', 'pause', 'unpause', 'no-evict', 'no-touch']);
const NEVER_SHOWN = new Set(['config', 'debug', 'shutdown', 'save', 'bgsave', 'bgrewriteaof', 'replicaof', 'slaveof']);

/** Whether Redis would show this command to monitors. */
export function isMonitored(spec: CommandSpec, argv: readonly Buffer[]): boolean {
  if (spec.flags.includes('admin') || NEVER_SHOWN.has(spec.name)) return false;
  if (spec.flags.includes('skip_monitor') && spec.name !== 'exec') return false;
  if (spec.name === 'client' && argv.length > 1) {
    return !ADMIN_CLIENT_SUBCOMMANDS.has(argv[1]!.toString('latin1').toLowerCase());
  }
  return true;
}

/** sdscatrepr: "…" with \\ \" \n \r \t \a \b escaped, printable ASCII as is, other bytes as \xhh. */
export function reprArg(b: Buffer): string {
  let s = '"';
  for (const c of b) {
    switch (c) {
      case 0x5c:
        s += '\\\\';
        break;
      case 0x22:
        s += '\\"';
        break;
      case 0x0a:
        s += '\\n';
        break;
      case 0x0d:
        s += '\\r';
        break;
      case 0x09:
        s += '\\t';
        break;
      case 0x07:
        s += '\\a';
        break;
      case 0x08:
        s += '\\b';
        break;
      default:
        s += c >= 0x20 && c <= 0x7e ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
    }
  }
  return `${s}"`;
}

const REDACTED = Buffer.from('(redacted)');

/** The arguments as shown: AUTH's and HELLO's credentials redacted. */
function shownArgs(spec: CommandSpec, argv: readonly Buffer[]): readonly Buffer[] {
  if (spec.name === 'auth') return [argv[0]!, ...argv.slice(1).map(() => REDACTED)];
  if (spec.name === 'hello') {
    const out = [...argv];
    for (let i = 2; i < out.length; i++) {
      if (out[i]!.toString('latin1').toUpperCase() === 'AUTH') {
        for (let j = i + 1; j <= i + 2 && j < out.length; j++) out[j] = REDACTED;
        i += 2;
      }
    }
    return out;
  }
  return argv;
}

/** The status line for one command (without the leading '+'). `nowMs` may carry fractions (microseconds). */
export function monitorLine(
  nowMs: number,
  db: number,
  addr: string,
  spec: CommandSpec,
  argv: readonly Buffer[],
): string {
  const us = Math.floor(nowMs * 1000);
  const sec = Math.floor(us / 1e6);
  const frac = String(us - sec * 1e6).padStart(6, '0');
  let line = `${sec}.${frac} [${db} ${addr}]`;
  for (const a of shownArgs(spec, argv)) line += ` ${reprArg(a)}`;
  return line;
}
