/// Why a byte string is not a well-formed WebAssembly binary, and where.
public struct MalformedError: Error, Sendable, Equatable, CustomStringConvertible {
    /// How the spec classifies a rejection. The decoder keeps constant
    /// expressions decoded (one constant instruction each), so it rejects
    /// every other shape itself although the spec calls that a validation
    /// error; likewise a SIMD constant, which Tern does not implement.
    public enum Classification: Sendable, Equatable {
        case malformed
        case invalid
        case unsupportedFeature
    }

    public var reason: String
    /// Offset of the offending byte from the start of the module.
    public var offset: Int
    public var classification: Classification

    public init(_ reason: String, at offset: Int, classification: Classification = .malformed) {
        self.reason = reason
        self.offset = offset
        self.classification = classification
    }

    public var description: String { "malformed: \(reason) at offset \(offset)" }
}

/// A bounds-checked cursor over a module's bytes with the primitive decoders
/// of the binary format (LEB128 integers, IEEE floats, names). Every read
/// checks the remaining length first, so no input can read out of bounds.
public struct ByteReader {
    public let bytes: [UInt8]
    public private(set) var offset: Int
    /// Reads stop here (the end of the current section or body).
    public var end: Int

    public init(bytes: [UInt8], range: Range<Int>? = nil) {
        self.bytes = bytes
        let r = range ?? 0..<bytes.count
        self.offset = r.lowerBound
        self.end = r.upperBound
    }

    public var isAtEnd: Bool { offset >= end }
    public var remaining: Int { end - offset }

    public func error(_ reason: String) -> MalformedError { MalformedError(reason, at: offset) }

    public mutating func readByte() throws(MalformedError) -> UInt8 {
        guard offset < end else { throw error("unexpected end") }
        let b = bytes[offset]
        offset += 1
        return b
    }

    public func peekByte() throws(MalformedError) -> UInt8 {
        guard offset < end else { throw error("unexpected end") }
        return bytes[offset]
    }

    public mutating func readBytes(_ count: Int) throws(MalformedError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= remaining else { throw error("unexpected end") }
        defer { offset += count }
        return bytes[offset..<offset + count]
    }

    public mutating func skip(_ count: Int) throws(MalformedError) {
        guard count >= 0, count <= remaining else { throw error("unexpected end") }
        offset += count
    }

    /// Unsigned LEB128 of at most `bits` bits; unused bits of the last byte
    /// must be zero ("integer too large"), and the encoding may use at most
    /// ceil(bits/7) bytes ("integer representation too long").
    public mutating func readUnsigned(bits: Int) throws(MalformedError) -> UInt64 {
        var result: UInt64 = 0
        var shift = 0
        let maxBytes = (bits + 6) / 7
        for index in 0..<maxBytes {
            let byte = try readByte()
            let payload = UInt64(byte & 0x7F)
            if index == maxBytes - 1 {
                let usedBits = bits - shift
                if usedBits < 7 && (payload >> UInt64(usedBits)) != 0 {
                    offset -= 1
                    throw error(byte & 0x80 != 0 ? "integer representation too long" : "integer too large")
                }
            }
            result |= payload << UInt64(shift)
            if byte & 0x80 == 0 { return result }
            shift += 7
        }
        offset -= 1
        throw error("integer representation too long")
    }

    /// Signed LEB128 of at most `bits` bits; the unused bits of the last byte
    /// must all equal the sign bit.
    public mutating func readSigned(bits: Int) throws(MalformedError) -> Int64 {
        var result: Int64 = 0
        var shift = 0
        let maxBytes = (bits + 6) / 7
        for index in 0..<maxBytes {
            let byte = try readByte()
            let payload = Int64(byte & 0x7F)
            if index == maxBytes - 1 {
                let usedBits = bits - shift  // 1...7
                if usedBits < 7 {
                    // Bits [usedBits-1, 6] of the payload must be all 0 or all 1.
                    let signAndUnused = payload >> Int64(usedBits - 1)
                    let allOnes = Int64(0x7F) >> Int64(usedBits - 1)
                    if byte & 0x80 != 0 {
                        offset -= 1
                        throw error("integer representation too long")
                    }
                    if signAndUnused != 0 && signAndUnused != allOnes {
                        offset -= 1
                        throw error("integer too large")
                    }
                }
            }
            result |= payload << Int64(shift)
            shift += 7
            if byte & 0x80 == 0 {
                if shift < 64 && (byte & 0x40) != 0 {
                    result |= -1 << Int64(shift)
                }
                return result
            }
        }
        offset -= 1
        throw error("integer representation too long")
    }

    public mutating func readU32() throws(MalformedError) -> UInt32 {
        UInt32(truncatingIfNeeded: try readUnsigned(bits: 32))
    }

    public mutating func readS32() throws(MalformedError) -> Int32 {
        Int32(truncatingIfNeeded: try readSigned(bits: 32))
    }

    public mutating func readS33() throws(MalformedError) -> Int64 {
        try readSigned(bits: 33)
    }

    public mutating func readS64() throws(MalformedError) -> Int64 {
        try readSigned(bits: 64)
    }

    public mutating func readFixedU32() throws(MalformedError) -> UInt32 {
        let s = try readBytes(4)
        var v: UInt32 = 0
        for (i, b) in s.enumerated() { v |= UInt32(b) << UInt32(8 * i) }
        return v
    }

    public mutating func readFixedU64() throws(MalformedError) -> UInt64 {
        let s = try readBytes(8)
        var v: UInt64 = 0
        for (i, b) in s.enumerated() { v |= UInt64(b) << UInt64(8 * i) }
        return v
    }

    /// A vector length: a u32 that must not exceed the bytes left, given that
    /// each element takes at least `minElementSize` bytes. Checked before the
    /// caller allocates, so a forged count cannot cause a huge allocation.
    public mutating func readCount(minElementSize: Int = 1) throws(MalformedError) -> Int {
        let start = offset
        let n = Int(try readU32())
        if minElementSize > 0 && n > remaining / minElementSize {
            offset = start
            throw error("length out of bounds")
        }
        return n
    }

    /// A UTF-8 name (vec(byte)), validated.
    public mutating func readName() throws(MalformedError) -> String {
        let length = Int(try readU32())
        guard length <= remaining else { throw error("length out of bounds") }
        let slice = try readBytes(length)
        guard let s = String(validating: slice, as: UTF8.self) else {
            throw MalformedError("malformed UTF-8 encoding", at: offset - length)
        }
        return s
    }
}
