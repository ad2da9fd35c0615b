// Python semantics the clinical engine depends on, reproduced exactly in JavaScript.
//
// - ValueError: the Python engine raises ValueError("<field>: ...") for invalid input; the
//   JavaScript engine throws a ValueError (an Error whose name is "ValueError") with the same
//   message, starting with the field name.
// - round(x, n): Python rounds the exact binary value of x, half to even (round(0.125, 2) is
//   0.12, round(0.375, 2) is 0.38), then returns the double nearest to that decimal.
// - str()/repr() of numbers, as they appear in the reasons' "finding" and "threshold" strings:
//   an int prints as digits, a float as its shortest repr with ".0" or an exponent as Python
//   does (115.0, 37.5, 1e-05, 1e+16).
// - sorted() of strings (code point order) and JSON-like deep equality ("r not in reasons").

/** The Python engine's ValueError. `field` is the name the message starts with. */
export class ValueError extends Error {
  constructor(message) {
    super(message);
    this.name = 'ValueError';
    const colon = /^([A-Za-z_][A-Za-z0-9_[\]]*)[: ]/.exec(message);
    this.field = colon ? colon[1] : null;
  }
}

/** Python's TypeError for a call with an unknown or a missing keyword argument. */
export class PyTypeError extends TypeError {
  constructor(message) {
    super(message);
    this.name = 'TypeError';
  }
}

/** Python's OverflowError (a date pushed out of years 1-9999). */
export class OverflowError extends RangeError {
  constructor(message) {
    super(message);
    this.name = 'OverflowError';
  }
}

/** True for the JSON values Python reads as None (a missing key is None too). */
export function isNone(value) {
  return value === null || value === undefined;
}

/** Python's isinstance(value, int | float) and not a bool. */
export function isNumber(value) {
  return typeof value === 'number';
}

/** A plain object used as a Python mapping (dict). */
export function isMapping(value) {
  return value !== null && typeof value === 'object' && !Array.isArray(value)
    && !(value instanceof Date);
}

/** Own property lookup (never the prototype chain: "constructor" is not a finding). */
export function get(mapping, key) {
  return Object.prototype.hasOwnProperty.call(mapping, key) ? mapping[key] : undefined;
}

export function has(mapping, key) {
  return Object.prototype.hasOwnProperty.call(mapping, key);
}

/**
 * Keyword arguments of a Python function: refuses an unknown key and a missing required one
 * (Python raises TypeError for both). Returns the arguments with the defaults filled in.
 */
export function kwargs(fn, args, required, defaults = {}) {
  if (!isMapping(args)) {
    throw new PyTypeError(`${fn}() takes keyword arguments (an object), got ${typeof args}`);
  }
  const allowed = new Set([...required, ...Object.keys(defaults)]);
  for (const key of Object.keys(args)) {
    if (!allowed.has(key)) {
      throw new PyTypeError(`${fn}() got an unexpected keyword argument '${key}'`);
    }
  }
  const out = {};
  for (const key of required) {
    if (!has(args, key)) {
      throw new PyTypeError(`${fn}() missing required keyword argument: '${key}'`);
    }
    out[key] = args[key];
  }
  for (const [key, value] of Object.entries(defaults)) {
    out[key] = has(args, key) && args[key] !== undefined ? args[key] : value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Rounding and formatting
// ---------------------------------------------------------------------------------------------

/**
 * The decimal digits of |x| rounded to `n` places, as Python computes them: correctly rounded
 * from the exact binary value, ties to even. Number.prototype.toFixed is also correctly rounded
 * but breaks exact ties upwards; an exact tie happens only when |x| * 2^(n+1) is an odd integer
 * (x = k + 0.5 units of 10^-n must be a dyadic rational), and then the even neighbour is taken.
 * Requires |x| < 1e21.
 */
function fixedDigits(ax, n) {
  let text = ax.toFixed(n);
  const scaled = ax * 2 ** (n + 1); // exact (a power-of-two scaling)
  if (Number.isInteger(scaled) && scaled % 2 === 1) {
    const last = text.charCodeAt(text.length - 1) - 48;
    if (last % 2 === 1) { // toFixed went up to an odd digit: the even one is just below
      text = text.slice(0, -1) + String.fromCharCode(48 + last - 1);
    }
  }
  return text;
}

/** Python's round(x, n) for a float x and an int n >= 0. */
export function pyRound(x, n) {
  if (!Number.isFinite(x) || Math.abs(x) >= 1e21) return x; // such floats are integers already
  const value = Number.parseFloat(fixedDigits(Math.abs(x), n));
  return x < 0 || Object.is(x, -0) ? -value : value;
}

/** Python's f"{x:.nf}" for a float x. */
export function pyFixed(x, n) {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const negative = x < 0 || Object.is(x, -0);
  const ax = Math.abs(x);
  if (ax >= 1e21) { // toFixed switches to an exponent: write the integer out
    const whole = BigInt(ax).toString();
    return (negative ? '-' : '') + whole + (n > 0 ? '.' + '0'.repeat(n) : '');
  }
  return (negative ? '-' : '') + fixedDigits(ax, n);
}

/** Python's repr(x) (also str(x) and f"{x}") for a float x. */
export function pyFloatRepr(x) {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : '';
  // toExponential() gives the shortest round-trip digits, like Python's repr.
  const [mantissa, exp] = Math.abs(x).toExponential().split('e');
  const digits = mantissa.replace('.', '');
  const decpt = Number(exp) + 1; // position of the decimal point after the first digit
  if (decpt > 16 || decpt < -3) { // Python: exponent when exp < -4 or exp >= 16
    const e = decpt - 1;
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const ee = String(Math.abs(e)).padStart(2, '0');
    return `${sign}${m}e${e < 0 ? '-' : '+'}${ee}`;
  }
  if (decpt <= 0) return `${sign}0.${'0'.repeat(-decpt)}${digits}`;
  if (decpt >= digits.length) return `${sign}${digits}${'0'.repeat(decpt - digits.length)}.0`;
  return `${sign}${digits.slice(0, decpt)}.${digits.slice(decpt)}`;
}

/** Python's str(int). */
export function pyIntStr(x) {
  return BigInt(x).toString();
}

/**
 * str() of a number read from JSON: an integral number is taken as a Python int, any other as
 * a float. (JSON cannot tell 37 from 37.0; Python prints "37" and "37.0". The rule data and the
 * vectors contain no integral float, see keneya/clinical/tests/test_bundle.py.)
 */
export function pyNum(x) {
  return Number.isInteger(x) ? pyIntStr(x) : pyFloatRepr(x);
}

/** Python's repr() of a JSON-like value, for error messages only. */
export function pyRepr(value) {
  if (value === null || value === undefined) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'number') return pyNum(value);
  if (typeof value === 'string') return `'${value}'`;
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

// ---------------------------------------------------------------------------------------------
// Collections
// ---------------------------------------------------------------------------------------------

/** Python's sorted() of strings: code point order. */
export function sorted(strings) {
  return [...strings].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** Python's == between JSON-like values (dicts, lists, str, numbers, bools, None). */
export function deepEqual(a, b) {
  if (a === b) return true;
  if (isNone(a) || isNone(b)) return isNone(a) && isNone(b);
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  if (typeof a === 'object' && typeof b === 'object' && !Array.isArray(b)) {
    const ka = Object.keys(a);
    const kb = Object.keys(b);
    return ka.length === kb.length && ka.every((k) => has(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}
