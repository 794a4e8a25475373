/**
 * The reference the streaming models are held to: batch logistic regression fitted by
 * Newton's method (IRLS) to convergence, with a tiny L2 penalty (not on the intercept)
 * so that one-hot levels seen only with one label keep finite weights. Numeric columns
 * are standardised with the training rows' mean and standard deviation; categorical
 * ones are one-hot, one column per level seen in training (unseen levels score 0).
 */
export interface BatchLogistic {
  predict(row: readonly string[]): number;
}

export function fitBatchLogistic(
  rows: readonly (readonly string[])[],
  labels: readonly (0 | 1)[],
  columns: { readonly numeric: readonly number[]; readonly categorical: readonly number[] },
  l2 = 1e-4,
): BatchLogistic {
  const means = columns.numeric.map((j) => rows.reduce((sum, row) => sum + Number(row[j]), 0) / rows.length);
  const sds = columns.numeric.map((j, k) => Math.sqrt(rows.reduce((sum, row) => sum + (Number(row[j]) - means[k]!) ** 2, 0) / rows.length) || 1);
  const levels = columns.categorical.map((j) => [...new Set(rows.map((row) => row[j]!))]);
  const width = 1 + columns.numeric.length + levels.reduce((sum, l) => sum + l.length, 0);
  const design = (row: readonly string[]): number[] => {
    const x = [1, ...columns.numeric.map((j, k) => (Number(row[j]) - means[k]!) / sds[k]!)];
    columns.categorical.forEach((j, k) => {
      for (const level of levels[k]!) x.push(row[j] === level ? 1 : 0);
    });
    return x;
  };
  const xs = rows.map(design);
  const w = new Array<number>(width).fill(0);
  for (let iteration = 0; iteration < 50; iteration++) {
    // Gradient and Hessian of the penalised negative log-likelihood.
    const gradient = w.map((wi, i) => (i === 0 ? 0 : l2 * wi));
    const hessian = Array.from({ length: width }, (_, i) => Array.from({ length: width }, (_, k) => (i === k && i > 0 ? l2 : 0)));
    xs.forEach((x, r) => {
      const p = 1 / (1 + Math.exp(-x.reduce((sum, xi, i) => sum + xi * w[i]!, 0)));
      const weight = p * (1 - p);
      for (let i = 0; i < width; i++) {
        if (x[i] === 0) continue;
        gradient[i]! += (p - labels[r]!) * x[i]!;
        for (let k = 0; k < width; k++) if (x[k] !== 0) hessian[i]![k]! += weight * x[i]! * x[k]!;
      }
    });
    const step = solve(hessian, gradient);
    let largest = 0;
    for (let i = 0; i < width; i++) {
      w[i]! -= step[i]!;
      largest = Math.max(largest, Math.abs(step[i]!));
    }
    if (largest < 1e-8) break;
  }
  return { predict: (row) => 1 / (1 + Math.exp(-design(row).reduce((sum, xi, i) => sum + xi * w[i]!, 0))) };
}

/** Solves A s = b by Gaussian elimination with partial pivoting (A is copied). */
function solve(a: readonly (readonly number[])[], b: readonly number[]): number[] {
  const n = b.length;
  const m = a.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let pivot = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[pivot]![c]!)) pivot = r;
    [m[c], m[pivot]] = [m[pivot]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const factor = m[r]![c]! / m[c]![c]!;
      if (factor !== 0) for (let k = c; k <= n; k++) m[r]![k]! -= factor * m[c]![k]!;
    }
  }
  const s = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let sum = m[r]![n]!;
    for (let k = r + 1; k < n; k++) sum -= m[r]![k]! * s[k]!;
    s[r] = sum / m[r]![r]!;
  }
  return s;
}
