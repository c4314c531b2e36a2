/** A time in ms as job messages show it: `12.345 s`, `4 s`. */
export function formatMs(ms: number): string {
  return `${(ms / 1000).toFixed(3).replace(/\.?0+$/, '')} s`;
}
