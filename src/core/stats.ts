// Small statistics shared by the dial (core) and the model check (adapters). Pure: no node imports.

/** The middle value (the upper one of the two middles for an even count); 0 for none. */
export function median(values: readonly number[]): number {
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0
}
