/** Notebook parsing and IPython-syntax stripping (pure functions, no Python needed). */
import { describe, expect, it } from 'vitest';
import { NotebookFormatError, cellFileName, parseCellFileName, parseNotebook, stripIPythonSyntax } from '../../src/runtime/notebook';

describe('stripIPythonSyntax', () => {
  it('blanks line magics and shell lines, keeping line numbers', () => {
    const { source, notes } = stripIPythonSyntax('%matplotlib inline\n!pip install tensorflow\nx = 1\n', 'cell 0');
    expect(source).toBe('\n\nx = 1\n');
    expect(notes).toEqual([
      'tapescope: skipped the IPython magic `%matplotlib inline` (cell 0, line 1)',
      'tapescope: skipped the shell command `!pip install tensorflow` (cell 0, line 2)',
    ]);
  });

  it('keeps an indented block valid with pass', () => {
    expect(stripIPythonSyntax('if True:\n    %time f()\n', 'c').source).toBe('if True:\n    pass\n');
  });

  it('leaves % and ! alone inside brackets, continuations and triple-quoted strings', () => {
    const python = ['x = (10', '     % 3)', 'y = 10 \\', '    % 4', 's = """', '%not a magic', '"""', "t = '%s' % x  # (", '!'].join('\n');
    const { source, notes } = stripIPythonSyntax(python, 'c');
    expect(source.split('\n').slice(0, 8)).toEqual(python.split('\n').slice(0, 8));
    expect(notes).toHaveLength(1); // only the final `!` line
  });

  it('runs the body of %%time but skips a non-Python cell magic', () => {
    expect(stripIPythonSyntax('%%time\nx = 1\n', 'cell 2')).toMatchObject({ source: '\nx = 1\n', skippedCell: false });
    const bash = stripIPythonSyntax('%%bash\nls\n', 'cell 3');
    expect(bash.skippedCell).toBe(true);
    expect(bash.notes[0]).toContain('cell magic `%%bash`');
  });
});

describe('parseNotebook', () => {
  const nb = JSON.stringify({
    nbformat: 4,
    cells: [
      { cell_type: 'markdown', source: ['# t'] },
      { cell_type: 'code', source: ['a = 1\n', 'a'] },
      { cell_type: 'raw', source: 'raw' },
      { cell_type: 'code', source: 'print(a)' },
    ],
  });

  it('keeps code cells with their notebook index and encoded file name', () => {
    expect(parseNotebook(nb, '/w/nb.ipynb', 'nb.ipynb')).toEqual([
      { index: 1, filename: '/w/nb.ipynb#cell1', source: 'a = 1\na', notes: [] },
      { index: 3, filename: '/w/nb.ipynb#cell3', source: 'print(a)', notes: [] },
    ]);
    expect(parseNotebook(nb, '/w/nb.ipynb', 'nb.ipynb', 2).map((cell) => cell.index)).toEqual([1]);
  });

  it('names the file when the JSON is invalid or is not a notebook', () => {
    expect(() => parseNotebook('{"cells": [', '/w/x.ipynb', 'x.ipynb')).toThrow(NotebookFormatError);
    expect(() => parseNotebook('{"cells": [', '/w/x.ipynb', 'x.ipynb')).toThrow(/^x\.ipynb is not a valid notebook: invalid JSON/);
    expect(() => parseNotebook('{"nbformat": 3, "worksheets": []}', '/w/x.ipynb', 'x.ipynb')).toThrow(/nbformat 3/);
    expect(() => parseNotebook('{"cells": [{"cell_type": "code", "source": 3}]}', '/w/x.ipynb', 'x.ipynb')).toThrow(
      /x\.ipynb, cell 0: "source"/,
    );
  });

  it('round-trips the cell file name encoding', () => {
    expect(parseCellFileName(cellFileName('/a b/n.ipynb', 12))).toEqual({ notebook: '/a b/n.ipynb', cell: 12 });
    expect(parseCellFileName('/a/x.py')).toBeUndefined();
  });
});
