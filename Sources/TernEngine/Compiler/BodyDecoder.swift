import TernFormat

/// Decodes function bodies without validating them, only to find whether one
/// is malformed. The spec decodes a whole module before validating it, so a
/// malformed body must be reported as such even when an earlier point of the
/// module is invalid; the compiler, which does both in one pass, asks this
/// after finding an invalid function.
struct BodyDecoder {
    private var reader: ByteReader
    private let module: Module

    /// The first decoding error in the bodies of defined functions
    /// `definedIndex...`, if any.
    static func firstMalformation(in module: Module, from definedIndex: Int) -> MalformedError? {
        for body in module.codes[definedIndex...] {
            var decoder = BodyDecoder(reader: ByteReader(bytes: module.bytes, range: body.codeRange), module: module)
            do {
                try decoder.decode()
            } catch {
                return error
            }
        }
        return nil
    }

    private mutating func decode() throws(MalformedError) {
        var depth = 1
        while depth > 0 {
            let opcode = try reader.readByte()
            switch opcode {
            case 0x02, 0x03, 0x04:
                let byte = try reader.peekByte()
                if byte == 0x40 || ValueType(rawValue: byte) != nil {
                    _ = try reader.readByte()
                } else {
                    _ = try reader.readS33()
                }
                depth += 1
            case 0x0B:
                depth -= 1
            case 0x0C, 0x0D, 0x10, 0x20...0x26, 0xD2:
                _ = try reader.readU32()
            case 0x0E:
                let count = try reader.readCount()
                for _ in 0...count { _ = try reader.readU32() }
            case 0x11, 0x28...0x3E:
                _ = try reader.readU32()
                _ = try reader.readU32()
            case 0x1C:
                let count = try reader.readCount()
                try reader.skip(count)
            case 0x3F, 0x40:
                try readZeroByte()
            case 0x41:
                _ = try reader.readS32()
            case 0x42:
                _ = try reader.readS64()
            case 0x43:
                try reader.skip(4)
            case 0x44:
                try reader.skip(8)
            case 0xD0:
                _ = try reader.readByte()
            case 0xFC:
                try decodePrefixed(try reader.readU32())
            case 0xFD:
                return  // SIMD: unsupported, not malformed
            case 0x00, 0x01, 0x05, 0x0F, 0x1A, 0x1B, 0x45...0xC4, 0xD1:
                break
            default:
                throw reader.error("illegal opcode \(String(opcode, radix: 16))")
            }
        }
        guard reader.isAtEnd else { throw reader.error("section size mismatch") }
    }

    private mutating func decodePrefixed(_ subopcode: UInt32) throws(MalformedError) {
        switch subopcode {
        case 0...7:
            break
        case 8, 9:
            let segment = try reader.readU32()
            if subopcode == 8 { try readZeroByte() }
            // As in the compiler: an index beyond the segments is invalid instead.
            guard module.dataCount != nil || segment >= module.data.count else {
                throw reader.error("data count section required")
            }
        case 10:
            try readZeroByte()
            try readZeroByte()
        case 11:
            try readZeroByte()
        case 12, 14:
            _ = try reader.readU32()
            _ = try reader.readU32()
        case 13, 15, 16, 17:
            _ = try reader.readU32()
        default:
            throw reader.error("illegal opcode fc \(subopcode)")
        }
    }

    private mutating func readZeroByte() throws(MalformedError) {
        guard try reader.readByte() == 0 else { throw reader.error("zero byte expected") }
    }
}
