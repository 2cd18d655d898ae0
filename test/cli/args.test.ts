/** Command-line parsing (no Python needed). */
import { describe, expect, it } from 'vitest';
import { UsageError, parseArgs } from '../../src/cli/args';

describe('parseArgs', () => {
  it('parses run with every option, in both --flag value and --flag=value forms', () => {
    expect(
      parseArgs(['run', 'x.py', '--trace', 'out.json', '--html=out.html', '--time-limit', '1.5', '--snapshot-limit=10', '--max-tensor-elements', '1000']),
    ).toEqual({
      command: 'run',
      file: 'x.py',
      traceOut: 'out.json',
      htmlOut: 'out.html',
      timeLimitMs: 1500,
      snapshotLimit: 10,
      maxTensorElements: 1000,
      trace: true,
    });
    expect(parseArgs(['run', '--no-trace', 'nb.ipynb'])).toEqual({ command: 'run', file: 'nb.ipynb', trace: false });
  });

  it('recognises help and version', () => {
    expect(parseArgs(['--help'])).toEqual({ command: 'help' });
    expect(parseArgs(['run', 'x.py', '-h'])).toEqual({ command: 'help' });
    expect(parseArgs(['--version'])).toEqual({ command: 'version' });
  });

  it.each([
    [[], /no command/],
    [['walk', 'x.py'], /unknown command 'walk'/],
    [['run'], /needs a FILE/],
    [['run', 'a.py', 'b.py'], /one file/],
    [['run', 'x.txt'], /neither a \.py file nor a \.ipynb/],
    [['run', 'x.py', '--time-limit'], /--time-limit needs a value/],
    [['run', 'x.py', '--time-limit', '0'], /positive number of seconds/],
    [['run', 'x.py', '--time-limit', 'soon'], /positive number of seconds/],
    [['run', 'x.py', '--snapshot-limit', '-1'], /whole number/],
    [['run', 'x.py', '--frobnicate'], /unknown option '--frobnicate'/],
    [['run', 'x.py', '--no-trace', '--trace', 't.json'], /cannot be combined/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseArgs(argv)).toThrow(UsageError);
    expect(() => parseArgs(argv)).toThrow(message);
  });
});
