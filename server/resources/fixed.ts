// Fixed-point scalar arithmetic. Mesos holds scalar resource amounts as integer thousandths
// (3 decimal places, rounded half away from zero); every scalar operation here works on those
// integers ("milli" units) so that e.g. 0.1 + 0.2 === 0.3 exactly.

/** Thousandths per unit. */
export const SCALAR_SCALE = 1000;

/** A scalar amount as integer thousandths (rounded to the nearest; -0 becomes 0). */
export function toMilli(value: number): number {
  const scaled = value * SCALAR_SCALE;
  const rounded = scaled < 0 ? -Math.round(-scaled) : Math.round(scaled);
  return rounded + 0;
}

/** Integer thousandths back to a double: the double nearest to the 3-decimal value. */
export function fromMilli(milli: number): number {
  return milli / SCALAR_SCALE;
}

/** Rounds a scalar to 3 decimal places exactly as Mesos does. */
export function toFixed3(value: number): number {
  return fromMilli(toMilli(value));
}
