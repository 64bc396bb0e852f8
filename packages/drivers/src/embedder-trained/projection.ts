// The trained sentence encoder's math, shared by the driver and the training script: a learned linear projection
// W (rows × cols) of the first `cols` coordinates of the offline wink feature vector x (its SIF-weighted word-vector
// block: the hashed lexical blocks are domain-specific and do not transfer), and the shipped embedding
// y = [a·x ; b·normalize(W·x[0..cols))] / √(a²+b²) (unit length when x is), so
// cos(y1, y2) = (a²·cos_wink + b²·cos_projected) / (a² + b²). Pure.

/** u = W·x for W of shape rows × cols, row-major. */
export function project(W: Float32Array, rows: number, cols: number, x: Float32Array, u: Float32Array | Float64Array): void {
  for (let r = 0; r < rows; r++) {
    let s = 0;
    const off = r * cols;
    for (let c = 0; c < cols; c++) s += W[off + c]! * x[c]!;
    u[r] = s;
  }
}

/** Writes the shipped embedding of feature vector x (unit length) into out (length x.length + rows). */
export function combine(W: Float32Array, rows: number, cols: number, x: Float32Array, a: number, b: number, out: Float32Array): Float32Array {
  const u = new Float64Array(rows);
  project(W, rows, cols, x, u);
  let n2 = 0;
  for (let r = 0; r < rows; r++) n2 += u[r]! * u[r]!;
  const norm = Math.sqrt(a * a + b * b);
  const sa = a / norm;
  const n = x.length;
  for (let c = 0; c < n; c++) out[c] = sa * x[c]!;
  if (n2 > 0) {
    const sb = b / norm / Math.sqrt(n2);
    for (let r = 0; r < rows; r++) out[n + r] = sb * u[r]!;
  } else {
    // No projected signal (e.g. the empty text): put the missing weight on x so the output stays unit length.
    for (let c = 0; c < n; c++) out[c] = x[c]!;
    for (let r = 0; r < rows; r++) out[n + r] = 0;
  }
  return out;
}
