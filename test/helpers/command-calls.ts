/**
 * Which Redis commands a test source calls, for the meta-test that every command in the table has a test.
 *
 * The source is parsed with the TypeScript compiler, so comments are not seen at all; and a name that is only a test
 * title or an expected value (anything inside the arguments of a matcher such as `.toEqual(…)`, calls aside) is not a
 * call. Only these forms count, names compared case-insensitively:
 * - the first argument of a call that sends commands (see SENDERS): `exec('zadd', …)`, `engine.exec(…)`,
 *   `c.call(cmd('PING'))`, `run('SWAPDB', …)`; for inline commands, each line: `c.call('WATCH k\r\nUNWATCH\r\n')`;
 * - the first element of an array literal when it is exactly a name: argv arrays (`['zadd', …]`, `[B('ZADD'), k]`),
 *   bodies sent to /redis, redis-cli argument lists, `sendCommand([…])`;
 * - in a file that runs script lines (it uses describeScriptedSessions or parseScriptLine): the first word of each
 *   string in an array literal (`'zadd z 1 a'`);
 * - each line of a string made of lines ending in `\n` without `\r` (commands for redis-cli's stdin);
 * - in a file that imports a client library (ioredis, redis, @upstash/redis): the method called, `client.zadd(…)`.
 * `B(…)`, `b(…)` and `Buffer.from(…)` around a name are looked through.
 */
import ts from 'typescript';

/** Functions whose first argument is a command name, a command line, or commands one per line. */
const SENDERS = new Set(['exec', 'raw', 'execute', 'call', 'send', 'sendcommand', 'cmd', 'cli', 'rediscli', 'run']);
/** Calls that only turn a name into bytes. */
const WRAPPERS = new Set(['b', 'buffer.from']);
const CLIENT_LIBRARIES = new Set(['ioredis', 'redis', '@upstash/redis']);
const SCRIPT_RUNNERS = new Set(['describeScriptedSessions', 'parseScriptLine']);

/** `a.b.c` for an identifier or a chain of property accesses, else ''. */
function dottedName(e: ts.Expression): string {
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) {
    const left = dottedName(e.expression);
    return left === '' ? e.name.text : `${left}.${e.name.text}`;
  }
  return '';
}

/** The text of a string or template literal (substitutions as `${}`), looking through B(…) / Buffer.from(…). */
function stringText(e: ts.Expression | undefined): string | undefined {
  while (e !== undefined && ts.isCallExpression(e) && WRAPPERS.has(dottedName(e.expression).toLowerCase())) {
    e = e.arguments[0];
  }
  if (e === undefined) return undefined;
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return e.text;
  if (ts.isTemplateExpression(e)) return e.head.text + e.templateSpans.map((s) => `\${}${s.literal.text}`).join('');
  return undefined;
}

function firstWord(line: string): string {
  return line.trim().split(/\s/)[0]!.toLowerCase();
}

function addLines(text: string, called: Set<string>): void {
  for (const line of text.split(/\r?\n/)) if (line.trim() !== '') called.add(firstWord(line));
}

/** Lower-case names of the commands a test source calls (see the header for the forms that count). */
export function commandsCalledIn(source: string, fileName = 'source.ts'): Set<string> {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const called = new Set<string>();
  let usesClientLibrary = false;
  let runsScriptLines = false;
  for (const s of file.statements) {
    if (ts.isImportDeclaration(s) && ts.isStringLiteral(s.moduleSpecifier)) {
      usesClientLibrary ||= CLIENT_LIBRARIES.has(s.moduleSpecifier.text);
      const names = s.importClause?.namedBindings;
      if (names && ts.isNamedImports(names))
        runsScriptLines ||= names.elements.some((n) => SCRIPT_RUNNERS.has(n.name.text));
    }
  }
  const methodCalls = new Set<string>();

  /** inside the arguments of a matcher (`.toEqual([…])`): arrays and strings there are expected replies */
  let expected = 0;
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const callee = dottedName(node.expression);
      if (SENDERS.has(callee.split('.').pop()!.toLowerCase())) {
        const text = stringText(node.arguments[0]);
        if (text !== undefined) addLines(text, called);
      }
      if (ts.isPropertyAccessExpression(node.expression)) {
        const method = node.expression.name.text;
        methodCalls.add(method.toLowerCase());
        if (/^to[A-Z]/.test(method)) {
          visit(node.expression);
          expected++;
          for (const a of node.arguments) visit(a);
          expected--;
          return;
        }
      }
    } else if (expected > 0) {
      // an expected value: only the calls in it count
    } else if (ts.isArrayLiteralExpression(node)) {
      const first = stringText(node.elements[0]);
      if (first !== undefined && /^[\w.|]+$/.test(first)) called.add(first.toLowerCase());
      if (runsScriptLines) {
        for (const e of node.elements) {
          const text = stringText(e);
          if (text !== undefined && text.trim() !== '') called.add(firstWord(text));
        }
      }
    } else if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) {
      if (node.text.endsWith('\n') && !node.text.includes('\r')) addLines(node.text, called);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  if (usesClientLibrary) for (const m of methodCalls) called.add(m);
  return called;
}
