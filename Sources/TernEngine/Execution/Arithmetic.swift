// Numeric helpers used by the generated instruction bodies, written once
// generically and specialized by the optimizer. All are `@inline(__always)`:
// the interpreter loop is too large for cost-based inlining.

/// The same bits as another type of the same size. Unlike `bitPattern`,
/// always inlined, even into the interpreter loop.
@inline(__always)
func reinterpret<Source, Target>(_ value: Source, as _: Target.Type) -> Target {
    unsafeBitCast(value, to: Target.self)
}

extension UInt32 {
    @inline(__always) var signed: Int32 { Int32(bitPattern: self) }
}

extension UInt64 {
    @inline(__always) var signed: Int64 { Int64(bitPattern: self) }
}

extension Int32 {
    @inline(__always) var unsigned: UInt32 { UInt32(bitPattern: self) }
}

extension Int64 {
    @inline(__always) var unsigned: UInt64 { UInt64(bitPattern: self) }
}

extension FixedWidthInteger where Self: UnsignedInteger {
    /// Rotations take the count modulo the bit width, as Wasm's rotl/rotr do.
    @inline(__always)
    func rotatedLeft(by count: Self) -> Self {
        (self &<< count) | (self &>> (Self(Self.bitWidth) &- count))
    }

    @inline(__always)
    func rotatedRight(by count: Self) -> Self {
        (self &>> count) | (self &<< (Self(Self.bitWidth) &- count))
    }
}

/// Wasm `fmin`: NaN if either operand is NaN, and -0 is less than +0.
@inline(__always)
func wasmMinimum<F: BinaryFloatingPoint>(_ a: F, _ b: F) -> F {
    if a.isNaN || b.isNaN { return a + b }  // propagates a (quieted) NaN
    if a == b { return a.sign == .minus ? a : b }  // only ±0 compare equal but differ
    return a < b ? a : b
}

/// Wasm `fmax`: NaN if either operand is NaN, and +0 is greater than -0.
@inline(__always)
func wasmMaximum<F: BinaryFloatingPoint>(_ a: F, _ b: F) -> F {
    if a.isNaN || b.isNaN { return a + b }
    if a == b { return a.sign == .minus ? b : a }
    return a > b ? a : b
}

extension FixedWidthInteger {
    /// The float truncated toward zero, or nil when that is NaN or out of
    /// this type's range (the trapping `trunc` instructions). The bounds are
    /// powers of two, exact in every float format, and compared after
    /// truncation, so no value is misjudged by rounding.
    @inline(__always)
    init?<F: BinaryFloatingPoint>(truncatingExactly value: F) {
        let truncated = value.rounded(.towardZero)
        guard truncated >= Self.lowerBound(as: F.self), truncated < Self.upperBound(as: F.self) else { return nil }
        self.init(truncated)
    }

    /// The float truncated toward zero and clamped to this type's range; 0
    /// for NaN (the `trunc_sat` instructions).
    @inline(__always)
    init<F: BinaryFloatingPoint>(truncatingSaturated value: F) {
        if value.isNaN {
            self = 0
            return
        }
        let truncated = value.rounded(.towardZero)
        if truncated < Self.lowerBound(as: F.self) {
            self = .min
        } else if truncated >= Self.upperBound(as: F.self) {
            self = .max
        } else {
            self.init(truncated)
        }
    }

    /// `Self.min` as a float: -2^(bits-1) or 0.
    @inline(__always)
    private static func lowerBound<F: BinaryFloatingPoint>(as: F.Type) -> F {
        Self.isSigned ? -F(sign: .plus, exponent: F.Exponent(bitWidth - 1), significand: 1) : 0
    }

    /// `Self.max + 1` as a float: 2^(bits-1) or 2^bits.
    @inline(__always)
    private static func upperBound<F: BinaryFloatingPoint>(as: F.Type) -> F {
        F(sign: .plus, exponent: F.Exponent(Self.isSigned ? bitWidth - 1 : bitWidth), significand: 1)
    }
}
