import { engineHarness } from '../helpers/engine';

describe('PING / ECHO and the execute entry point', () => {
  it('answers PING and PING msg', () => {
    const { exec } = engineHarness();
    expect(exec('ping')).toBe('PONG');
    expect(exec('PING', 'hello')).toBe('hello');
    expect(exec('ping', 'a', 'b')).toEqual({ error: "ERR wrong number of arguments for 'ping' command" });
  });
  it('answers ECHO and checks arity', () => {
    const { exec } = engineHarness();
    expect(exec('echo', 'x y')).toBe('x y');
    expect(exec('echo')).toEqual({ error: "ERR wrong number of arguments for 'echo' command" });
  });
  it('rejects unknown commands with Redis wording', () => {
    const { exec } = engineHarness();
    expect(exec('nosuch', 'a', 'b')).toEqual({
      error: "ERR unknown command 'nosuch', with args beginning with: 'a' 'b' ",
    });
    expect(exec('nosuch')).toEqual({ error: "ERR unknown command 'nosuch', with args beginning with: " });
  });
});
