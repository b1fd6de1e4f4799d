/// Decoders for the entries of the module sections. Each reads one entry at
/// the reader's position and leaves the reader just after it.
extension ByteReader {
    /// A `vec(T)`.
    ///
    /// The count is bounded like the spec interpreter bounds it: "length out
    /// of bounds" only if it exceeds the bytes left counting its own
    /// encoding; a smaller overstatement surfaces as a truncated entry, which
    /// is what the spec tests expect. Storage is reserved for at most one
    /// entry per byte left (every entry takes at least one), so a forged
    /// count cannot make the decoder allocate more than a small multiple of
    /// the input size.
    mutating func readVector<Element>(
        _ readElement: (inout ByteReader) throws(MalformedError) -> Element
    ) throws(MalformedError) -> [Element] {
        let countOffset = offset
        let count = Int(try readU32())
        guard count <= end - countOffset else {
            throw MalformedError("length out of bounds", at: countOffset)
        }
        var elements: [Element] = []
        elements.reserveCapacity(Swift.min(count, remaining))
        for _ in 0..<count {
            elements.append(try readElement(&self))
        }
        return elements
    }

    /// A `vec(byte)`. Not `readCount`: a length past the end is reported as
    /// a truncation ("unexpected end"), as the spec interpreter does.
    mutating func readByteVector() throws(MalformedError) -> [UInt8] {
        let length = Int(try readU32())
        return Array(try readBytes(length))
    }

    // MARK: Types

    mutating func readValueType() throws(MalformedError) -> ValueType {
        let typeOffset = offset
        guard let type = ValueType(rawValue: try readByte()) else {
            throw MalformedError("malformed value type", at: typeOffset)
        }
        return type
    }

    mutating func readReferenceType() throws(MalformedError) -> ValueType {
        let typeOffset = offset
        guard let type = ValueType(rawValue: try readByte()), type.isReference else {
            throw MalformedError("malformed reference type", at: typeOffset)
        }
        return type
    }

    mutating func readFunctionType() throws(MalformedError) -> FunctionType {
        let formOffset = offset
        // The form byte 0x60 is -0x20 as a signed LEB128; the spec tests
        // expect it decoded as one ("integer representation too long" for a
        // continuation bit).
        guard try readSigned(bits: 7) == -0x20 else {
            throw MalformedError("malformed function type", at: formOffset)
        }
        let parameters = try readVector { r throws(MalformedError) in try r.readValueType() }
        let results = try readVector { r throws(MalformedError) in try r.readValueType() }
        return FunctionType(parameters: parameters, results: results)
    }

    mutating func readLimits() throws(MalformedError) -> Limits {
        // The flag is a one-bit LEB128 (whether a maximum follows): other
        // values, such as the threads proposal's shared flag 2, are
        // "integer too large", a continuation bit "representation too long".
        if try readUnsigned(bits: 1) == 0 {
            return Limits(min: try readU32())
        }
        let min = try readU32()
        return Limits(min: min, max: try readU32())
    }

    mutating func readTableType() throws(MalformedError) -> TableType {
        let elementType = try readReferenceType()
        return TableType(elementType: elementType, limits: try readLimits())
    }

    mutating func readMemoryType() throws(MalformedError) -> MemoryType {
        MemoryType(limits: try readLimits())
    }

    mutating func readGlobalType() throws(MalformedError) -> GlobalType {
        let valueType = try readValueType()
        let mutabilityOffset = offset
        switch try readByte() {
        case 0x00: return GlobalType(valueType: valueType, isMutable: false)
        case 0x01: return GlobalType(valueType: valueType, isMutable: true)
        default: throw MalformedError("malformed mutability", at: mutabilityOffset)
        }
    }

    // MARK: Imports, exports, globals

    mutating func readImport() throws(MalformedError) -> Import {
        let module = try readName()
        let name = try readName()
        let descriptor: ImportDescriptor
        switch try readExternalKind(reason: "malformed import kind") {
        case .function: descriptor = .function(typeIndex: try readU32())
        case .table: descriptor = .table(try readTableType())
        case .memory: descriptor = .memory(try readMemoryType())
        case .global: descriptor = .global(try readGlobalType())
        }
        return Import(module: module, name: name, descriptor: descriptor)
    }

    mutating func readExport() throws(MalformedError) -> Export {
        let name = try readName()
        let kind = try readExternalKind(reason: "malformed export kind")
        return Export(name: name, kind: kind, index: try readU32())
    }

    private mutating func readExternalKind(reason: String) throws(MalformedError) -> ExternalKind {
        let kindOffset = offset
        guard let kind = ExternalKind(rawValue: try readByte()) else {
            throw MalformedError(reason, at: kindOffset)
        }
        return kind
    }

    mutating func readGlobal() throws(MalformedError) -> Global {
        let type = try readGlobalType()
        return Global(type: type, initializer: try readConstExpression())
    }

    // MARK: Constant expressions

    /// A constant expression: in Wasm 2.0, exactly one constant instruction
    /// and `end`. Anything else is rejected here, classified as invalid and
    /// with the messages the spec interpreter's validator gives for it, as no
    /// other shape can validate:
    /// a non-constant instruction is "constant expression required", and an
    /// empty expression or several constants leave the wrong number of
    /// values on the stack ("type mismatch").
    mutating func readConstExpression() throws(MalformedError) -> ConstExpression {
        let start = offset
        var first: ConstExpression?
        var instructionCount = 0
        // Every iteration consumes at least one byte, so the loop ends at the
        // end of the reader at the latest.
        while true {
            let opcodeOffset = offset
            let instruction: ConstExpression
            switch try readByte() {
            case 0x0B:
                guard instructionCount == 1, let first else {
                    throw MalformedError("type mismatch", at: start, classification: .invalid)
                }
                return first
            case 0x41: instruction = .i32(try readS32())
            case 0x42: instruction = .i64(try readS64())
            case 0x43: instruction = .f32(bits: try readFixedU32())
            case 0x44: instruction = .f64(bits: try readFixedU64())
            case 0xD0: instruction = .refNull(try readReferenceType())
            case 0xD2: instruction = .refFunc(functionIndex: try readU32())
            case 0x23: instruction = .globalGet(globalIndex: try readU32())
            case 0xFD:
                // `v128.const`: well-formed, but Tern does not implement SIMD
                // and `ConstExpression` has no v128 case, so it is rejected
                // here with the validator's message for SIMD.
                throw MalformedError("simd", at: opcodeOffset, classification: .unsupportedFeature)
            case let opcode where Self.isDefinedOpcode(opcode):
                throw MalformedError("constant expression required", at: opcodeOffset, classification: .invalid)
            default:
                throw MalformedError("illegal opcode", at: opcodeOffset)
            }
            first = first ?? instruction
            instructionCount += 1
        }
    }

    /// Whether `byte` starts an instruction of Wasm 2.0 (0xFC and 0xFD are
    /// prefixes). A constant expression holding any other byte is malformed,
    /// not merely non-constant.
    static func isDefinedOpcode(_ byte: UInt8) -> Bool {
        switch byte {
        case 0x00...0x05, 0x0B...0x11, 0x1A...0x1C, 0x20...0x26, 0x28...0xC4, 0xD0...0xD2, 0xFC, 0xFD: true
        default: false
        }
    }

    // MARK: Segments

    /// An element segment in any of the eight encodings. The flags are a
    /// bit field: bit 0 set means passive or declarative (else active),
    /// bit 1 means an explicit table index (active) or declarative (else
    /// passive), and bit 2 means the items are expressions rather than
    /// function indices.
    mutating func readElementSegment() throws(MalformedError) -> ElementSegment {
        let flagsOffset = offset
        let flags = try readU32()
        guard flags <= 7 else {
            throw MalformedError("malformed elements segment kind", at: flagsOffset)
        }
        let isActive = flags & 0b001 == 0
        let bit1 = flags & 0b010 != 0
        let itemsAreExpressions = flags & 0b100 != 0

        let mode: ElementSegment.Mode
        if isActive {
            let tableIndex = bit1 ? try readU32() : 0
            mode = .active(tableIndex: tableIndex, offset: try readConstExpression())
        } else {
            mode = bit1 ? .declarative : .passive
        }

        // The two encodings for table 0 (flags 0 and 4) imply funcref; the
        // others spell out the type: a reference type before expressions,
        // an element kind (only 0x00, funcref) before function indices.
        let type: ValueType
        if isActive && !bit1 {
            type = .funcref
        } else if itemsAreExpressions {
            type = try readReferenceType()
        } else {
            type = try readElementKind()
        }

        let items: [ConstExpression]
        if itemsAreExpressions {
            items = try readVector { r throws(MalformedError) in try r.readConstExpression() }
        } else {
            items = try readVector { r throws(MalformedError) in .refFunc(functionIndex: try r.readU32()) }
        }
        return ElementSegment(type: type, items: items, mode: mode)
    }

    private mutating func readElementKind() throws(MalformedError) -> ValueType {
        let kindOffset = offset
        guard try readByte() == 0x00 else {
            throw MalformedError("malformed element kind", at: kindOffset)
        }
        return .funcref
    }

    /// A data segment: flags 0 (active, memory 0), 1 (passive) or 2 (active,
    /// explicit memory index).
    mutating func readDataSegment() throws(MalformedError) -> DataSegment {
        let flagsOffset = offset
        let mode: DataSegment.Mode
        switch try readU32() {
        case 0:
            mode = .active(memoryIndex: 0, offset: try readConstExpression())
        case 1:
            mode = .passive
        case 2:
            let memoryIndex = try readU32()
            mode = .active(memoryIndex: memoryIndex, offset: try readConstExpression())
        default:
            throw MalformedError("malformed data segment kind", at: flagsOffset)
        }
        return DataSegment(bytes: try readByteVector(), mode: mode)
    }

    // MARK: Code

    /// One entry of the code section: its size, the local declarations and
    /// the location of its instructions, which are left undecoded.
    mutating func readFunctionBody() throws(MalformedError) -> FunctionBody {
        let size = try readCount(minElementSize: 1)
        var body = ByteReader(bytes: bytes, range: offset..<offset + size)
        try skip(size)

        // Each count is below 2^32 and the total is checked after every
        // addition, so the UInt64 sum cannot overflow.
        var localCount: UInt64 = 0
        let localGroups = try body.readVector { r throws(MalformedError) in
            let countOffset = r.offset
            let count = try r.readU32()
            localCount += UInt64(count)
            guard localCount <= Module.maxLocalsPerFunction else {
                throw MalformedError("too many locals", at: countOffset)
            }
            return FunctionBody.LocalGroup(count: count, type: try r.readValueType())
        }

        let code = body.offset..<body.end
        guard let lastByte = code.last.map({ bytes[$0] }), lastByte == 0x0B else {
            throw MalformedError(missingEndReason(bodyEnd: body.end), at: body.end)
        }
        return FunctionBody(localGroups: localGroups, codeRange: code)
    }

    /// The spec interpreter decodes instructions past the end of a body that
    /// lacks its final `end`, so its message depends on what follows the
    /// body; mirrored here so that the spec tests' expected messages match.
    /// (`self` reads the code section, so `end` is the section's end.)
    private func missingEndReason(bodyEnd: Int) -> String {
        if bodyEnd == bytes.count {
            return "unexpected end of section or function"
        }
        if bodyEnd == end {
            return "section size mismatch"
        }
        return "END opcode expected"
    }
}
