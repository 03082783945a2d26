/** Share of `whole` that `part` is, in percent rounded to two decimals and kept within 0..100; 0 when `whole` is not positive. */
export function percentOf(part: number, whole: number): number {
  if (!(whole > 0)) return 0;
  const value = Math.round((part / whole) * 10_000) / 100;
  return Math.min(100, Math.max(0, value));
}
