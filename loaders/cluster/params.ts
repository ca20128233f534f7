/** An algorithm's parameters: its defaults, overridden by every given value that is not undefined. */
export function withDefaults<P extends object>(defaults: P, params: Partial<P> | undefined): P {
  const out = { ...defaults };
  for (const [key, value] of Object.entries(params ?? {})) if (value !== undefined) (out as Record<string, unknown>)[key] = value;
  return out;
}
