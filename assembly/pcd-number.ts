// Decimal to binary floating point, correctly rounded straight to the target type (no double rounding for float32):
// the Eisel-Lemire algorithm. A decimal w x 10^q with w < 2^64 (at most 19 significant digits, exact) is multiplied
// by a 128-bit approximation of 5^q (pow5.ts); the top bits of the product give the significand, and 128 bits are
// always enough to round it correctly (Mushtak and Lemire, "Fast number parsing without fallback", 2023).
import { LARGEST_POWER_OF_FIVE, POWERS_OF_FIVE, SMALLEST_POWER_OF_FIVE } from './pow5';

// The low word of the last product128.
let productLow: u64 = 0;

// @ts-ignore: decorator
@inline function product128(a: u64, b: u64): u64 {
  const aLow = a & 0xffffffff;
  const aHigh = a >> 32;
  const bLow = b & 0xffffffff;
  const bHigh = b >> 32;
  const lowLow = aLow * bLow;
  const lowHigh = aLow * bHigh;
  const highLow = aHigh * bLow;
  const middle = (lowLow >> 32) + (lowHigh & 0xffffffff) + (highLow & 0xffffffff);
  productLow = (middle << 32) | (lowLow & 0xffffffff);
  return aHigh * bHigh + (lowHigh >> 32) + (highLow >> 32) + (middle >> 32);
}

/**
 * The bits of the nearest binary value (ties to even) to w x 10^q, without sign: biased exponent above
 * `mantissaBits` explicit significand bits. w must not be 0. Float64: 52, -1023, 2047, -4..23; float32: 23, -127, 255,
 * -17..10 (the range of q where a product can fall exactly halfway).
 */
// @ts-ignore: decorator
@inline function eiselLemire(
  w: u64,
  q: i32,
  mantissaBits: i32,
  minimumExponent: i32,
  infinitePower: i32,
  minRoundToEven: i32,
  maxRoundToEven: i32,
): u64 {
  const leadingZeros = <i32>clz(w);
  w <<= <u64>leadingZeros;
  const index = (q - SMALLEST_POWER_OF_FIVE) << 1;
  let high = product128(w, unchecked(POWERS_OF_FIVE[index]));
  let low = productLow;
  // Only the top mantissaBits + 3 bits matter; when all bits below them are ones, the low word of 5^q may carry in.
  const precisionMask: u64 = <u64>0xffffffffffffffff >> <u64>(mantissaBits + 3);
  if ((high & precisionMask) == precisionMask) {
    const secondHigh = product128(w, unchecked(POWERS_OF_FIVE[index + 1]));
    low += secondHigh;
    if (secondHigh > low) high++;
  }
  const upperBit = <i32>(high >> 63);
  const shift = upperBit + 64 - mantissaBits - 3;
  let mantissa = high >> <u64>shift;
  // floor(log2(10^q)) + 63, exact for |q| <= 1650.
  let power2 = (((152170 + 65536) * q) >> 16) + 63 + upperBit - leadingZeros - minimumExponent;
  if (power2 <= 0) {
    // Subnormal (or zero): shift out the extra bits, then round.
    if (-power2 + 1 >= 64) return 0;
    mantissa >>= <u64>(-power2 + 1);
    mantissa += mantissa & 1;
    mantissa >>= 1;
    // Rounding up may reach the smallest normal.
    power2 = mantissa < (<u64>1 << <u64>mantissaBits) ? 0 : 1;
    return (<u64>power2 << <u64>mantissaBits) | (mantissa & ((<u64>1 << <u64>mantissaBits) - 1));
  }
  // Exactly halfway between two values (only zeros were shifted out): round to even, not up.
  if (low <= 1 && q >= minRoundToEven && q <= maxRoundToEven && (mantissa & 3) == 1) {
    if (mantissa << <u64>shift == high) mantissa &= ~(<u64>1);
  }
  mantissa += mantissa & 1;
  mantissa >>= 1;
  if (mantissa >= <u64>2 << <u64>mantissaBits) {
    mantissa = <u64>1 << <u64>mantissaBits;
    power2++;
  }
  mantissa &= ~(<u64>1 << <u64>mantissaBits);
  if (power2 >= infinitePower) return <u64>infinitePower << <u64>mantissaBits;
  return (<u64>power2 << <u64>mantissaBits) | mantissa;
}

// 10^0..10^22 are exact doubles, 10^0..10^10 exact floats: an exact operand scaled by one of them is one correctly
// rounded operation (Clinger's fast path).
const POWERS_OF_TEN: StaticArray<f64> = [
  1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20,
  1e21, 1e22,
];
const POWERS_OF_TEN_F32: StaticArray<f32> = [1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10];

/** The double nearest to w x 10^q. */
export function decimalToF64(w: u64, q: i32, negative: bool): f64 {
  let magnitude: f64;
  if (w == 0 || q < SMALLEST_POWER_OF_FIVE) magnitude = 0;
  else if (q > LARGEST_POWER_OF_FIVE) magnitude = Infinity;
  else if (w <= <u64>1 << 53 && q >= -22 && q <= 22) {
    magnitude = q < 0 ? <f64>w / unchecked(POWERS_OF_TEN[-q]) : <f64>w * unchecked(POWERS_OF_TEN[q]);
  } else magnitude = reinterpret<f64>(eiselLemire(w, q, 52, -1023, 0x7ff, -4, 23));
  return negative ? -magnitude : magnitude;
}

/** The float nearest to w x 10^q (not the float nearest to the double nearest to it). */
export function decimalToF32(w: u64, q: i32, negative: bool): f32 {
  let magnitude: f32;
  if (w == 0 || q < -65) magnitude = 0;
  else if (q > 38) magnitude = Infinity;
  else if (w <= <u64>1 << 24 && q >= -10 && q <= 10) {
    magnitude = q < 0 ? <f32>w / unchecked(POWERS_OF_TEN_F32[-q]) : <f32>w * unchecked(POWERS_OF_TEN_F32[q]);
  } else magnitude = reinterpret<f32>(<u32>eiselLemire(w, q, 23, -127, 0xff, -17, 10));
  return negative ? -magnitude : magnitude;
}
