/**
 * Herding (Welling, 2009), iCaRL's exemplar selection: pick samples one at a time so that the
 * mean of the picked samples' features stays as close as possible to the class mean. Exemplars
 * come out in order of priority, so cutting a set to its first m keeps the best m-subset the
 * greedy rule found. Features are plain row-major typed arrays ([rows, dim]).
 */

/** Each row scaled to unit L2 norm (a zero row stays zero). */
export function normalizeRows(features: Float32Array, dim: number): Float32Array {
  const out = new Float32Array(features.length);
  for (let r = 0; r * dim < features.length; r++) {
    let sq = 0;
    for (let d = 0; d < dim; d++) sq += features[r * dim + d] ** 2;
    const scale = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    for (let d = 0; d < dim; d++) out[r * dim + d] = features[r * dim + d] * scale;
  }
  return out;
}

/** The mean row, [dim]. */
export function meanRow(features: Float32Array, dim: number): Float32Array {
  const rows = features.length / dim;
  const mean = new Float32Array(dim);
  for (let r = 0; r < rows; r++) for (let d = 0; d < dim; d++) mean[d] += features[r * dim + d] / rows;
  return mean;
}

/**
 * The indices of `m` rows (at most all of them, none repeated) chosen greedily: step k takes the
 * row i that minimises `|| (sum of the k rows picked so far + f_i) / (k + 1) - target ||`.
 * Ties go to the lowest index. The distance is expanded, `|f_i|^2 / (k+1)^2 + 2 f_i . (S / (k+1)^2
 * - target / (k+1))` plus terms that do not depend on i, so a step costs one dot product per row.
 */
export function herding(features: Float32Array, dim: number, m: number, target: Float32Array): Int32Array {
  const rows = features.length / dim;
  const count = Math.min(m, rows);
  const picked = new Int32Array(count);
  const taken = new Uint8Array(rows);
  const squares = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    for (let d = 0; d < dim; d++) squares[r] += features[r * dim + d] ** 2;
  }
  const sum = new Float64Array(dim);
  const direction = new Float64Array(dim);
  for (let k = 0; k < count; k++) {
    const n = k + 1;
    for (let d = 0; d < dim; d++) direction[d] = 2 * (sum[d] / (n * n) - target[d] / n);
    let best = -1;
    let bestCost = Infinity;
    for (let r = 0; r < rows; r++) {
      if (taken[r]) continue;
      let cost = squares[r] / (n * n);
      const row = r * dim;
      for (let d = 0; d < dim; d++) cost += features[row + d] * direction[d];
      if (cost < bestCost) {
        bestCost = cost;
        best = r;
      }
    }
    picked[k] = best;
    taken[best] = 1;
    for (let d = 0; d < dim; d++) sum[d] += features[best * dim + d];
  }
  return picked;
}
