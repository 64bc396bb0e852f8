// Mean pooling of token vectors over the attention mask, then L2 normalisation. Pure.
import { AiosError } from '@aios/abi';

/**
 * `data` is the model output of shape `dims`: [b, L, dim] token vectors (mean-pooled over positions whose mask
 * is 1) or [b, dim] already-pooled vectors (only normalised). A zero vector becomes the unit
 * vector on the first axis, so every result has unit length. Any other shape, or a dimension other than
 * `dim`, is EIO (the model is not what its folder says).
 */
export function meanPoolNormalize(data: Float32Array, dims: number[], mask: Float32Array, b: number, L: number, dim: number): Float32Array[] {
  const out: Float32Array[] = [];
  const ok3 = dims.length === 3 && dims[0] === b && dims[1] === L && dims[2] === dim;
  const ok2 = dims.length === 2 && dims[0] === b && dims[1] === dim;
  if (!ok3 && !ok2) throw new AiosError('EIO', `model output has shape [${dims.join(', ')}], expected [${b}, ${L}, ${dim}] or [${b}, ${dim}]`, { dims, dim });
  for (let i = 0; i < b; i++) {
    const v = new Float32Array(dim);
    if (ok3) {
      let n = 0;
      for (let j = 0; j < L; j++) {
        const m = mask[i * L + j]!;
        if (m === 0) continue;
        n += m;
        const off = (i * L + j) * dim;
        for (let k = 0; k < dim; k++) v[k]! += m * data[off + k]!;
      }
      if (n > 0) for (let k = 0; k < dim; k++) v[k]! /= n;
    } else {
      v.set(data.subarray(i * dim, (i + 1) * dim));
    }
    let n2 = 0;
    for (let k = 0; k < dim; k++) n2 += v[k]! * v[k]!;
    if (n2 > 0) {
      const inv = 1 / Math.sqrt(n2);
      for (let k = 0; k < dim; k++) v[k]! *= inv;
    } else v[0] = 1;
    out.push(v);
  }
  return out;
}
