// One line per target of issue 15: the measured figure, its threshold, and PASS or FAIL.
export function target(
  label: string,
  measured: number,
  threshold: number,
  options: { unit?: string; below?: boolean; digits?: number } = {},
): string {
  const pass = options.below === true ? measured < threshold : measured >= threshold;
  const unit = options.unit ?? '';
  const figure = `${measured.toFixed(options.digits ?? 2)}${unit}`;
  return `TARGET ${label.padEnd(46)} ${figure.padStart(10)}  (${options.below === true ? '<' : '≥'} ${threshold}${unit})  ${pass ? 'PASS' : 'FAIL'}`;
}
