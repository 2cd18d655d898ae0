/**
 * Einsum, recorded as one op as in TensorFlow's eager tape. The kernel is general: any number of
 * operands, repeated labels (diagonals, `ii->i`), ellipsis broadcasting, implicit output. Each
 * operand's gradient is again an Einsum: the upstream contracted with the other operands onto the
 * operand's own subscripts. Two extensions, used only by gradients, make that rule total: an
 * output label may repeat (`i->ii` writes onto the diagonal) and a 1-D ones operand stands in for
 * a label that was summed away from this operand alone (its gradient is broadcast along it).
 */
import { backend } from '../backend';
import { type NumericData } from '../dtype';
import { allocateChecked, getEngine, registerOp } from '../engine';
import { TFError } from '../errors';
import { shapeText } from '../shape';
import type { Tensor } from '../tensor';
import { checkNumeric, checkSameDType, make, numeric } from './helpers';
import { fromDoubles, kernelError, run1, scratch } from './kernel-util';

export interface ParsedEinsum {
  inputs: string[][];
  /** Labels that stand for `...` dims (they may broadcast from size 1). */
  ellipsis: string[];
  output: string[];
  /** Size of every label. */
  sizes: Map<string, number>;
}

const LABEL = /^[a-zA-Z]$/;

/** Parses an equation against operand shapes, expanding `...` into fresh labels. */
export function parseEinsum(equation: string, shapes: number[][], broadcastLabels = ''): ParsedEinsum {
  const bad = (m: string) => new TFError('ValueError', m);
  const eq = equation.replace(/\s+/g, '');
  const arrow = eq.indexOf('->');
  const lhs = arrow >= 0 ? eq.slice(0, arrow) : eq;
  const rhs = arrow >= 0 ? eq.slice(arrow + 2) : null;
  const terms = lhs.split(',');
  if (terms.length !== shapes.length) {
    throw bad(`Expected ${terms.length} inputs but got: ${shapes.length}`);
  }
  const used = new Set(eq.replace(/[^a-zA-Z]/g, '').split(''));
  const fresh: string[] = [];
  for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz') if (!used.has(c)) fresh.push(c);
  // Ellipsis width: the most dims any operand leaves to its '...'.
  const widths = terms.map((t, k) => {
    if (!t.includes('...')) return 0;
    return shapes[k].length - t.replace('...', '').length;
  });
  const ellipsisRank = Math.max(0, ...widths);
  const ellipsisLabels = fresh.slice(0, ellipsisRank);
  const expand = (term: string, width: number): string[] => {
    const parts = term.split('...');
    if (parts.length > 2) throw bad(`Unable to parse einsum equation: ${equation}`);
    const labels = [...parts[0]];
    if (parts.length === 2) labels.push(...ellipsisLabels.slice(ellipsisRank - width), ...parts[1]);
    for (const l of labels) if (!LABEL.test(l)) throw bad(`Invalid character '${l}' in equation: ${equation}`);
    return labels;
  };
  const inputs = terms.map((t, k) => expand(t, Math.max(widths[k], 0)));
  const sizes = new Map<string, number>();
  const setBy = new Map<string, number>();
  inputs.forEach((labels, k) => {
    const shape = shapes[k];
    if (labels.length !== shape.length) {
      throw kernelError('Einsum', `Input ${k} to einsum has ${shape.length} dimensions but the subscripts ${terms[k]} have ${labels.length}`, { wrapped: `Einsum_N_${shapes.length}` });
    }
    labels.forEach((l, axis) => {
      const d = shape[axis];
      const known = sizes.get(l);
      const isEllipsis = ellipsisLabels.includes(l) || broadcastLabels.includes(l);
      if (known === undefined || (isEllipsis && known === 1)) {
        sizes.set(l, d);
        setBy.set(l, k);
      } else if (known !== d && !(isEllipsis && d === 1)) {
        if (isEllipsis) {
          throw kernelError('Einsum', `Invalid broadcasting dimensions: ${shapeText(shapes[setBy.get(l) as number])} vs. ${shapeText(shape)}`, { wrapped: `Einsum_N_${shapes.length}` });
        }
        throw kernelError('Einsum', `Expected dimension ${known} at axis ${axis} of the input shaped ${shapeText(shape)} but got dimension ${d}`, { wrapped: `Einsum_N_${shapes.length}` });
      }
    });
  });
  let output: string[];
  if (rhs === null) {
    // Implicit output: the ellipsis, then labels seen exactly once, alphabetically (numpy's rule).
    const counts = new Map<string, number>();
    for (const labels of inputs) for (const l of labels) counts.set(l, (counts.get(l) ?? 0) + 1);
    output = [...ellipsisLabels, ...[...counts.keys()].filter((l) => counts.get(l) === 1 && !ellipsisLabels.includes(l)).sort()];
  } else {
    output = rhs.includes('...') ? expand(rhs, ellipsisRank) : expand(rhs, 0);
    for (const l of output) if (!sizes.has(l)) throw bad(`einsum: output subscript ${l} does not appear in the inputs of ${equation}`);
  }
  return { inputs, output, sizes, ellipsis: ellipsisLabels };
}

/** The general kernel: for every assignment of labels, out[output] += prod inputs[their labels]. */
function einsumKernel(parsed: ParsedEinsum, operands: Tensor[]): { shape: number[]; values: Float64Array } {
  const outUnique = [...new Set(parsed.output)];
  const summed = [...parsed.sizes.keys()].filter((l) => !outUnique.includes(l));
  const order = [...outUnique, ...summed];
  const dims = order.map((l) => parsed.sizes.get(l) as number);
  const outShape = parsed.output.map((l) => parsed.sizes.get(l) as number);
  const outSize = outShape.reduce((p, d) => p * d, 1);
  const values = scratch(outSize);
  const total = dims.reduce((p, d) => p * d, 1);
  if (total === 0 || outSize === 0) return { shape: outShape, values };
  // Per operand and per label: the stride that label moves the operand's offset by (summed over
  // repeated positions, which walks a diagonal; zero along broadcast dims of size 1).
  const strideTable = (labels: string[], shape: number[]): number[] => {
    const strides = new Array<number>(shape.length);
    let s = 1;
    for (let i = shape.length - 1; i >= 0; i--) {
      strides[i] = shape[i] === 1 ? 0 : s;
      s *= shape[i];
    }
    return order.map((l) => labels.reduce((acc, m, i) => (m === l ? acc + strides[i] : acc), 0));
  };
  const opStrides = operands.map((t, k) => strideTable(parsed.inputs[k], t.shape));
  // A size-1 output dim gets stride 0 here, harmless: its label never advances.
  const outStrides = strideTable(parsed.output, outShape);
  const data = operands.map((t) => numeric(t));
  const rank = order.length;
  const counter = new Array<number>(rank).fill(0);
  const offsets = new Array<number>(operands.length).fill(0);
  let outOffset = 0;
  const nOps = operands.length;
  for (let step = 0; step < total; step++) {
    let product = 1;
    for (let k = 0; k < nOps; k++) product *= data[k][offsets[k]];
    values[outOffset] += product;
    for (let d = rank - 1; d >= 0; d--) {
      counter[d]++;
      for (let k = 0; k < nOps; k++) offsets[k] += opStrides[k][d];
      outOffset += outStrides[d];
      if (counter[d] < dims[d]) break;
      for (let k = 0; k < nOps; k++) offsets[k] -= opStrides[k][d] * dims[d];
      outOffset -= outStrides[d] * dims[d];
      counter[d] = 0;
    }
  }
  return { shape: outShape, values };
}

/**
 * Fast path for two-operand contractions that are a batched matmul (no repeated labels, no label
 * summed out of one operand alone, no broadcasting): transpose each operand to [batch, free,
 * contracted] order, run the backend's matmul, transpose to the output order. Null otherwise.
 */
function einsumAsMatmul(parsed: ParsedEinsum, a: Tensor, b: Tensor): { shape: number[]; values: NumericData } | null {
  const [la, lb] = parsed.inputs;
  const out = parsed.output;
  const unique = (l: string[]) => new Set(l).size === l.length;
  if (!unique(la) || !unique(lb) || !unique(out)) return null;
  const size = (l: string) => parsed.sizes.get(l) as number;
  const batch: string[] = [];
  const freeA: string[] = [];
  const contracted: string[] = [];
  for (const l of la) {
    if (lb.includes(l)) (out.includes(l) ? batch : contracted).push(l);
    else if (out.includes(l)) freeA.push(l);
    else return null;
  }
  const freeB = lb.filter((l) => !la.includes(l));
  if (freeB.some((l) => !out.includes(l))) return null;
  // Broadcast (size-1) dims would need expansion first: leave those to the general kernel.
  if (la.some((l, i) => a.shape[i] !== size(l)) || lb.some((l, i) => b.shape[i] !== size(l))) return null;
  const prod = (ls: string[]) => ls.reduce((p, l) => p * size(l), 1);
  const arrange = (data: NumericData, shape: number[], labels: string[], order: string[]): NumericData => {
    const perm = order.map((l) => labels.indexOf(l));
    return perm.every((p, i) => p === i) ? data : backend().transpose(data, shape, perm, a.dtype);
  };
  const [nb, m, k, n] = [prod(batch), prod(freeA), prod(contracted), prod(freeB)];
  const aData = arrange(numeric(a), a.shape, la, [...batch, ...freeA, ...contracted]);
  const bData = arrange(numeric(b), b.shape, lb, [...batch, ...contracted, ...freeB]);
  const product = backend().matmul(aData, [nb, m, k], bData, [nb, k, n], false, false, [nb, m, n], a.dtype);
  const produced = [...batch, ...freeA, ...freeB];
  const values = arrange(product, produced.map(size), produced, out);
  return { shape: out.map(size), values };
}

/**
 * `broadcast_labels` (not a TensorFlow attribute, only set by gradients) names labels that were
 * `...` dims in the forward equation, so they keep broadcasting once spelled as letters.
 */
registerOp<{ equation: string; broadcast_labels?: string }>({
  type: 'Einsum',
  forward: (inputs, { equation, broadcast_labels = '' }) => {
    const dtype = checkSameDType('Einsum', inputs);
    checkNumeric('Einsum', inputs[0]);
    const parsed = parseEinsum(equation, inputs.map((t) => t.shape), broadcast_labels);
    if (inputs.length === 2) {
      // The backend's matmul allocates its own output: apply the engine's size cap first (a
      // byte-sized probe, thrown before allocating when the output would be too large).
      allocateChecked('bool', parsed.output.reduce((p, l) => p * (parsed.sizes.get(l) as number), 1));
      const fast = einsumAsMatmul(parsed, inputs[0], inputs[1]);
      if (fast) return [make(dtype, fast.shape, fast.values)];
    }
    const { shape, values } = einsumKernel(parsed, inputs);
    if (dtype === 'int32' || dtype === 'int64') {
      const out = allocateChecked(dtype, values.length) as Int32Array | Float64Array;
      for (let i = 0; i < values.length; i++) out[i] = values[i];
      return [make(dtype, shape, out)];
    }
    return [fromDoubles(dtype, shape, values)];
  },
  grad: ({ upstream: [dy], inputs, attrs: { equation, broadcast_labels = '' }, needed }) => {
    const parsed = parseEinsum(equation, inputs.map((t) => t.shape), broadcast_labels);
    const broadcastable = [...new Set([...parsed.ellipsis, ...broadcast_labels])].join('');
    const engine = getEngine();
    return inputs.map((x, k) => {
      if (!needed[k]) return null;
      const own = parsed.inputs[k];
      const operands: Tensor[] = [dy];
      const terms: string[] = [parsed.output.join('')];
      inputs.forEach((other, j) => {
        if (j === k) return;
        operands.push(other);
        terms.push(parsed.inputs[j].join(''));
      });
      const present = new Set(terms.join(''));
      for (const l of new Set(own)) {
        if (present.has(l)) continue;
        // A label only this operand has: the gradient is constant along it (a ones vector).
        operands.push(engine.run1('Fill', [engine.scalar(1, x.dtype)], { shape: [parsed.sizes.get(l) as number] }));
        terms.push(l);
      }
      let g = run1('Einsum', operands, broadcastable ? { equation: `${terms.join(',')}->${own.join('')}`, broadcast_labels: broadcastable } : { equation: `${terms.join(',')}->${own.join('')}` });
      // Ellipsis dims this operand broadcast (size 1) are summed back.
      const axes = x.shape.map((d, i) => (d === 1 && g.shape[i] !== 1 ? i : -1)).filter((i) => i >= 0);
      if (axes.length > 0) g = run1('Sum', [g], { axis: axes, keepdims: true });
      return g;
    });
  },
});
