/**
 * Finds where Tapescope offers code lenses in Python source: above every gradient call on a tape
 * (`tape.gradient(`, `.jacobian(`, `.batch_jacobian(`) and above every `with tf.GradientTape(...)`.
 *
 * Pure (no vscode) so it is unit-tested directly. It works on one text at a time: a `.py` file or
 * one notebook cell. Comments and string literals are blanked first, so a call written inside a
 * docstring or after `#` gets no lens.
 */

export type GradientMethod = 'gradient' | 'jacobian' | 'batch_jacobian';

export interface GradientCallSite {
  kind: 'gradient';
  method: GradientMethod;
  /** 0-based line of the receiver (where the call starts). */
  line: number;
  /** 0-based column of the receiver's first character. */
  character: number;
  /** The expression the method is called on, as written (`tape`, `self.tape`, `g`). */
  receiver: string;
}

export interface TapeBlockSite {
  kind: 'record';
  /** 0-based line of the `with` statement. */
  line: number;
  /** 0-based column of `GradientTape`. */
  character: number;
  /** The name bound by `as NAME`, when there is one. */
  tapeName?: string;
}

export type LensSite = GradientCallSite | TapeBlockSite;

/**
 * Receivers that have a `.gradient(` of their own and are not tapes (numpy's finite-difference
 * gradient and the like). Anything else called `.gradient(` is treated as a tape: tapes are often
 * passed into functions under any name, so requiring a visible `as tape` would miss them.
 */
const NON_TAPE_RECEIVERS = new Set(['np', 'numpy', 'jnp', 'jax', 'torch', 'tf', 'tensorflow', 'scipy', 'sp']);

const GRADIENT_CALL = /([A-Za-z_][\w]*(?:\s*\.\s*[A-Za-z_]\w*)*)\s*\.\s*(batch_jacobian|jacobian|gradient)\s*\(/g;
const WITH_TAPE = /^\s*(?:async\s+)?with\b/;
const TAPE_CONSTRUCTOR = /\bGradientTape\s*\(/g;

/**
 * Replaces the contents of comments and string literals by spaces, keeping every line's length and
 * the line breaks, so positions found in the result are positions in the original.
 */
export function blankCommentsAndStrings(source: string): string {
  const out = source.split('');
  let i = 0;
  const n = source.length;
  while (i < n) {
    const c = source[i];
    if (c === '#') {
      while (i < n && source[i] !== '\n') out[i++] = ' ';
      continue;
    }
    if (c === '"' || c === "'") {
      // A string prefix (r, b, f, ...) stays as code; only the quoted part is blanked. Raw strings
      // tokenize like the others: a backslash always takes the next character with it.
      const triple = source.startsWith(c.repeat(3), i);
      const quote = triple ? c.repeat(3) : c;
      i += quote.length;
      while (i < n) {
        if (source[i] === '\\') {
          if (i + 1 < n && source[i + 1] === '\n') {
            out[i] = ' ';
            i += 2; // line continuation inside the string
            continue;
          }
          out[i] = ' ';
          if (i + 1 < n) out[i + 1] = ' ';
          i += 2;
          continue;
        }
        if (source.startsWith(quote, i)) {
          i += quote.length;
          break;
        }
        if (source[i] === '\n') {
          if (!triple) break; // an unterminated one-line string ends with its line
          i++;
          continue;
        }
        out[i] = ' ';
        i++;
      }
      continue;
    }
    i++;
  }
  return out.join('');
}

/** Every lens site in `source`, in document order. */
export function findLensSites(source: string): LensSite[] {
  const code = blankCommentsAndStrings(source);
  const lines = code.split('\n');
  const sites: LensSite[] = [];
  lines.forEach((lineText, line) => {
    if (WITH_TAPE.test(lineText)) {
      for (const m of lineText.matchAll(TAPE_CONSTRUCTOR)) {
        const after = lineText.slice((m.index ?? 0) + m[0].length);
        const asName = /\)\s*as\s+([A-Za-z_]\w*)/.exec(after);
        const site: TapeBlockSite = { kind: 'record', line, character: m.index ?? 0 };
        if (asName) site.tapeName = asName[1];
        sites.push(site);
      }
    }
    for (const m of lineText.matchAll(GRADIENT_CALL)) {
      const receiver = m[1].replace(/\s+/g, '');
      if (NON_TAPE_RECEIVERS.has(receiver.split('.')[0])) continue;
      sites.push({
        kind: 'gradient',
        method: m[2] as GradientMethod,
        line,
        character: m.index ?? 0,
        receiver,
      });
    }
  });
  return sites;
}

/** True when the text mentions GradientTape outside comments and strings: worth offering lenses. */
export function mentionsGradientTape(source: string): boolean {
  return /\bGradientTape\b/.test(blankCommentsAndStrings(source));
}
