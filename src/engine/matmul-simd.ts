/**
 * A float32 matrix-multiply kernel in WebAssembly SIMD, assembled here byte by byte (no toolchain,
 * no binary blob: the emitter below spells each instruction). Plain JavaScript tops out near
 * 1.3 GFLOP/s on this kind of machine (no SIMD, no FMA); 128-bit SIMD lanes take a 4x8 block of C
 * per inner step to tens of GFLOP/s, single-threaded.
 *
 * Layout the kernel expects (the caller packs, which is also where transposes are handled):
 *   A  : m4 / 4 panels, each k x 4 row-major: A(i..i+3, t) side by side (m4 = m rounded up to
 *        4, extra rows zero)
 *   Bp : n8 / 8 panels, each k x 8 row-major (n8 = n rounded up to 8, extra columns zero)
 *   C  : m4 x n8 row-major, written (not accumulated)
 * Works in WebAssembly-capable hosts (Node, browsers, VS Code); `simdMatmul()` is null elsewhere
 * and the backend keeps its JavaScript loop.
 */

// ---- a tiny emitter ----------------------------------------------------------------------------

function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const utf8 = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];

const I32 = 0x7f;
const V128 = 0x7b;
const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  brIf: (depth: number) => [0x0d, ...uleb(depth)],
  get: (i: number) => [0x20, ...uleb(i)],
  set: (i: number) => [0x21, ...uleb(i)],
  tee: (i: number) => [0x22, ...uleb(i)],
  i32: (v: number) => [0x41, ...sleb(v)],
  add: [0x6a],
  mul: [0x6c],
  ltU: [0x49],
  f32Load: (offset = 0) => [0x2a, 2, ...uleb(offset)],
  v128Load32Splat: (offset = 0) => [0xfd, ...uleb(0x09), 2, ...uleb(offset)],
  v128Load: (offset = 0) => [0xfd, ...uleb(0x00), 4, ...uleb(offset)],
  v128Store: (offset = 0) => [0xfd, ...uleb(0x0b), 4, ...uleb(offset)],
  v128Zero: [0xfd, ...uleb(0x0c), ...new Array<number>(16).fill(0)],
  f32x4Splat: [0xfd, ...uleb(0x13)],
  f32x4Add: [0xfd, ...uleb(0xe4)],
  f32x4Mul: [0xfd, ...uleb(0xe6)],
};

// Locals: parameters first, then the declared ones.
// K is the full inner dimension (it sets the strides); KC the length of the block this call sums.
const A_PTR = 0, BP_PTR = 1, C_PTR = 2, M4 = 3, K = 4, N8 = 5, KC = 6;
const JP = 7, I = 8, T = 9, AP = 10, BP = 11, K4 = 12, CP = 13, PANEL = 14;
const ACC = 15; // 8 accumulators: ACC..ACC+7 (rows 0..3 x two 4-lane halves)
const B0 = 23, B1 = 24, S = 25;

/** acc[r*2+h] += splat(A(i+r, t)) * B half h; A is packed so A(i..i+3, t) are 4 floats at ap. */
function innerStep(): number[] {
  const code: number[] = [
    ...op.get(BP), ...op.v128Load(0), ...op.set(B0),
    ...op.get(BP), ...op.v128Load(16), ...op.set(B1),
  ];
  for (let r = 0; r < 4; r++) {
    code.push(...op.get(AP), ...op.v128Load32Splat(r * 4), ...op.set(S));
    for (let h = 0; h < 2; h++) {
      const acc = ACC + r * 2 + h;
      code.push(...op.get(acc), ...op.get(S), ...op.get(h === 0 ? B0 : B1), ...op.f32x4Mul, ...op.f32x4Add, ...op.set(acc));
    }
  }
  return code;
}

function kernelBody(): number[] {
  const code: number[] = [];
  // k4 = k * 4 (bytes per A row); jp = 0
  code.push(...op.get(K), ...op.i32(4), ...op.mul, ...op.set(K4));
  code.push(...op.i32(0), ...op.set(JP));
  // for jp in 0..n8 step 8 (do-while: the caller guarantees m4, k, n8 > 0)
  code.push(...op.loop);
  {
    // panel = bpPtr + jp * k4   (panel jp/8 holds k rows of 8 floats = 32 k bytes = jp * k4)
    code.push(...op.get(BP_PTR), ...op.get(JP), ...op.get(K4), ...op.mul, ...op.add, ...op.set(PANEL));
    code.push(...op.i32(0), ...op.set(I));
    code.push(...op.loop);
    {
      // cp = cPtr + (i * n8 + jp) * 4; the accumulators start from C (k is summed block by block)
      code.push(...op.get(C_PTR), ...op.get(I), ...op.get(N8), ...op.mul, ...op.get(JP), ...op.add, ...op.i32(4), ...op.mul, ...op.add, ...op.set(CP));
      for (let r = 0; r < 4; r++) {
        code.push(...op.get(CP), ...op.i32(r), ...op.get(N8), ...op.mul, ...op.i32(4), ...op.mul, ...op.add, ...op.tee(AP)); // AP as a scratch address
        code.push(...op.v128Load(0), ...op.set(ACC + r * 2));
        code.push(...op.get(AP), ...op.v128Load(16), ...op.set(ACC + r * 2 + 1));
      }
      // ap = aPtr + i * k4; bp = panel; t = 0
      code.push(...op.get(A_PTR), ...op.get(I), ...op.get(K4), ...op.mul, ...op.add, ...op.set(AP));
      code.push(...op.get(PANEL), ...op.set(BP));
      code.push(...op.i32(0), ...op.set(T));
      code.push(...op.loop);
      {
        code.push(...innerStep());
        code.push(...op.get(AP), ...op.i32(16), ...op.add, ...op.set(AP));
        code.push(...op.get(BP), ...op.i32(32), ...op.add, ...op.set(BP));
        code.push(...op.get(T), ...op.i32(1), ...op.add, ...op.tee(T), ...op.get(KC), ...op.ltU, ...op.brIf(0));
      }
      code.push(...op.end);
      // cp = cPtr + (i * n8 + jp) * 4; store the 4x8 block row by row
      code.push(...op.get(C_PTR), ...op.get(I), ...op.get(N8), ...op.mul, ...op.get(JP), ...op.add, ...op.i32(4), ...op.mul, ...op.add, ...op.set(CP));
      for (let r = 0; r < 4; r++) {
        code.push(...op.get(CP), ...op.get(ACC + r * 2), ...op.v128Store(0));
        code.push(...op.get(CP), ...op.get(ACC + r * 2 + 1), ...op.v128Store(16));
        if (r < 3) code.push(...op.get(CP), ...op.get(N8), ...op.i32(4), ...op.mul, ...op.add, ...op.set(CP));
      }
      code.push(...op.get(I), ...op.i32(4), ...op.add, ...op.tee(I), ...op.get(M4), ...op.ltU, ...op.brIf(0));
    }
    code.push(...op.end);
    code.push(...op.get(JP), ...op.i32(8), ...op.add, ...op.tee(JP), ...op.get(N8), ...op.ltU, ...op.brIf(0));
  }
  code.push(...op.end);
  code.push(...op.end); // function end
  return code;
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const funcType = [0x60, ...vec(new Array<number[]>(7).fill([I32])), ...vec([])];
  const typeSection = section(1, vec([funcType]));
  const memoryImport = [...uleb(3), ...utf8('env'), ...uleb(6), ...utf8('memory'), 0x02, 0x00, ...uleb(1)];
  const importSection = section(2, [...uleb(1), ...memoryImport]);
  const functionSection = section(3, vec([uleb(0)]));
  const exportSection = section(7, [...uleb(1), ...uleb(2), ...utf8('mm'), 0x00, ...uleb(0)]);
  const locals = vec([[...uleb(8), I32], [...uleb(11), V128]]); // JP..PANEL, ACC..S
  const body = [...locals, ...kernelBody()];
  const codeSection = section(10, [...uleb(1), ...uleb(body.length), ...body]);
  return new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...typeSection, ...importSection, ...functionSection, ...exportSection, ...codeSection]);
}

// ---- the JavaScript side -----------------------------------------------------------------------

export interface SimdMatmul {
  /**
   * out[outOffset + i*n + j] = sum_t A(i,t) B(t,j) for one matrix pair, with A(i,t) read from
   * `a` at aOffset (transposed when transposeA) and B likewise; float32 accumulation.
   */
  matmul(
    a: Float32Array, aOffset: number, b: Float32Array, bOffset: number,
    m: number, k: number, n: number, transposeA: boolean, transposeB: boolean,
    out: Float32Array, outOffset: number,
  ): void;
}

/**
 * A into panels of 4 rows, each k steps of 4 floats; rows past m are zero. Each loop reads its
 * source sequentially and writes the panel in order. Separate small functions so that V8 keeps
 * them optimised (inside one large method, each newly taken branch deoptimised the whole copy).
 */
function packA(heap: Float32Array, a: Float32Array, aOffset: number, aBase: number, m: number, k: number, m4: number, transposeA: boolean): void {
  for (let i0 = 0; i0 < m4; i0 += 4) {
    let o = aBase + i0 * k;
    const rows = Math.min(4, m - i0);
    if (rows === 4 && !transposeA) {
      const r0 = aOffset + i0 * k;
      const r1 = r0 + k;
      const r2 = r1 + k;
      const r3 = r2 + k;
      for (let t = 0; t < k; t++, o += 4) {
        heap[o] = a[r0 + t];
        heap[o + 1] = a[r1 + t];
        heap[o + 2] = a[r2 + t];
        heap[o + 3] = a[r3 + t];
      }
    } else if (rows === 4) {
      // A(i0..i0+3, t) are 4 neighbours in row t of the stored (transposed) matrix.
      for (let t = 0, src = aOffset + i0; t < k; t++, o += 4, src += m) {
        heap[o] = a[src];
        heap[o + 1] = a[src + 1];
        heap[o + 2] = a[src + 2];
        heap[o + 3] = a[src + 3];
      }
    } else {
      for (let t = 0; t < k; t++, o += 4) {
        for (let r = 0; r < 4; r++) heap[o + r] = r < rows ? (transposeA ? a[aOffset + t * m + i0 + r] : a[aOffset + (i0 + r) * k + t]) : 0;
      }
    }
  }
}

/** B into panels of 8 columns, each k rows of 8 floats; columns past n are zero. */
function packB(heap: Float32Array, b: Float32Array, bOffset: number, bBase: number, k: number, n: number, n8: number, transposeB: boolean): void {
  for (let p = 0; p < n8; p += 8) {
    const panel = bBase + p * k;
    const cols = Math.min(8, n - p);
    if (!transposeB) {
      for (let t = 0, o = panel, src = bOffset + p; t < k; t++, o += 8, src += n) {
        for (let c = 0; c < cols; c++) heap[o + c] = b[src + c];
        for (let c = cols; c < 8; c++) heap[o + c] = 0;
      }
    } else {
      // B(t, p + c) is row p + c of the stored matrix: read each row sequentially.
      for (let c = 0; c < 8; c++) {
        if (c < cols) for (let t = 0, o = panel + c, src = bOffset + (p + c) * k; t < k; t++, o += 8) heap[o] = b[src + t];
        else for (let t = 0, o = panel + c; t < k; t++, o += 8) heap[o] = 0;
      }
    }
  }
}

class WasmMatmul implements SimdMatmul {
  private heap: Float32Array;
  constructor(
    private readonly memory: WebAssembly.Memory,
    private readonly mm: (a: number, bp: number, c: number, m4: number, k: number, n8: number, kc: number) => void,
  ) {
    this.heap = new Float32Array(memory.buffer);
  }

  private ensure(floats: number): Float32Array {
    const bytes = floats * 4;
    if (this.memory.buffer.byteLength < bytes) {
      this.memory.grow(Math.ceil((bytes - this.memory.buffer.byteLength) / 65536));
    }
    if (this.heap.buffer !== this.memory.buffer) this.heap = new Float32Array(this.memory.buffer);
    return this.heap;
  }

  matmul(a: Float32Array, aOffset: number, b: Float32Array, bOffset: number, m: number, k: number, n: number, transposeA: boolean, transposeB: boolean, out: Float32Array, outOffset: number): void {
    const m4 = (m + 3) & ~3;
    const n8 = (n + 7) & ~7;
    const aBase = 0;
    const bBase = m4 * k;
    const cBase = bBase + n8 * k;
    const heap = this.ensure(cBase + m4 * n8);
    packA(heap, a, aOffset, aBase, m, k, m4, transposeA);
    packB(heap, b, bOffset, bBase, k, n, n8, transposeB);
    // Cache blocking: KC columns of A and rows of B at a time (a B panel slice stays in L1),
    // MC rows of A per call (the A block stays in L2 while every panel streams past it).
    heap.fill(0, cBase, cBase + m4 * n8);
    for (let pc = 0; pc < k; pc += KC_BLOCK) {
      const kc = Math.min(KC_BLOCK, k - pc);
      for (let ic = 0; ic < m4; ic += MC_BLOCK) {
        const mc = Math.min(MC_BLOCK, m4 - ic);
        this.mm((aBase + ic * k + pc * 4) * 4, (bBase + pc * 8) * 4, (cBase + ic * n8) * 4, mc, k, n8, kc);
      }
    }
    if (n8 === n) out.set(heap.subarray(cBase, cBase + m * n), outOffset);
    else for (let i = 0; i < m; i++) out.set(heap.subarray(cBase + i * n8, cBase + i * n8 + n), outOffset + i * n);
  }
}

const KC_BLOCK = 256;
const MC_BLOCK = 64;

let instance: SimdMatmul | null | undefined;

/** The SIMD kernel, or null where WebAssembly SIMD is unavailable (then callers use JavaScript). */
export function simdMatmul(): SimdMatmul | null {
  if (instance !== undefined) return instance;
  instance = null;
  try {
    if (typeof WebAssembly !== 'object') return instance;
    const memory = new WebAssembly.Memory({ initial: 1 });
    const module = new WebAssembly.Module(moduleBytes());
    const exports = new WebAssembly.Instance(module, { env: { memory } }).exports as { mm: (a: number, bp: number, c: number, m4: number, k: number, n8: number, kc: number) => void };
    instance = new WasmMatmul(memory, exports.mm);
    // V8 runs new WebAssembly in its baseline compiler (Liftoff: SIMD values spilled to the stack,
    // ~20x slower here) until a function has used its tier-up budget, and a running call never
    // switches. A few short calls now spend that budget, so the optimised kernel is compiled (in
    // the background) before the first real product, instead of after it.
    const warm = new Float32Array(4 * 512);
    const warmOut = new Float32Array(4 * 8);
    for (let i = 0; i < 8; i++) instance.matmul(warm, 0, warm, 0, 4, 512, 4, false, false, warmOut, 0);
  } catch {
    instance = null;
  }
  return instance;
}

/** For tests: force the JavaScript path (null) or restore detection (undefined). */
export function setSimdMatmulForTests(value: SimdMatmul | null | undefined): void {
  instance = value;
}
