/// Decodes a WebAssembly 2.0 binary module.
///
/// Only the structure of the binary format is checked here: section framing
/// and order, encodings, and the counts that must agree across sections.
/// Function bodies are located but their instructions are left to the
/// validator, which decodes them in the same pass that type-checks them.
public func decodeModule(_ bytes: [UInt8]) throws(MalformedError) -> Module {
    var decoder = ModuleDecoder(module: Module(bytes: bytes))
    try decoder.decodeSections()
    try decoder.checkSectionAgreement()
    return decoder.module
}

/// The section ids of the binary format.
enum SectionID: UInt8 {
    case custom = 0
    case type = 1
    case `import` = 2
    case function = 3
    case table = 4
    case memory = 5
    case global = 6
    case export = 7
    case start = 8
    case element = 9
    case code = 10
    case data = 11
    case dataCount = 12

    /// Rank in the order that non-custom sections must follow. The data count
    /// section was added after the others, so its id is not its rank: it
    /// precedes the code section so that a one-pass validator knows the
    /// number of data segments before it sees `memory.init`.
    var rank: Int {
        switch self {
        case .custom: 0
        case .type: 1
        case .import: 2
        case .function: 3
        case .table: 4
        case .memory: 5
        case .global: 6
        case .export: 7
        case .start: 8
        case .element: 9
        case .dataCount: 10
        case .code: 11
        case .data: 12
        }
    }
}

/// Walks the sections of a module and fills in `module`.
struct ModuleDecoder {
    private(set) var module: Module

    init(module: Module) {
        self.module = module
    }

    mutating func decodeSections() throws(MalformedError) {
        var reader = ByteReader(bytes: module.bytes)
        try Self.readHeader(&reader)
        var lastRank = 0
        while !reader.isAtEnd {
            let idOffset = reader.offset
            guard let id = SectionID(rawValue: try reader.readByte()) else {
                throw MalformedError("malformed section id", at: idOffset)
            }
            // A size beyond the end of the module is "length out of bounds".
            let size = try reader.readCount(minElementSize: 1)
            if id != .custom {
                // Covers both a repeated section and one out of order; the
                // wording is the spec interpreter's.
                guard id.rank > lastRank else {
                    throw MalformedError("unexpected content after last section", at: idOffset)
                }
                lastRank = id.rank
            }
            try decodeSection(id, contents: reader.offset..<reader.offset + size)
            try reader.skip(size)
        }
    }

    /// Cross-section counts, checkable only once every section has been seen
    /// (either section of a pair may be absent, which counts as empty).
    func checkSectionAgreement() throws(MalformedError) {
        let end = module.bytes.count
        guard module.functions.count == module.codes.count else {
            throw MalformedError("function and code section have inconsistent lengths", at: end)
        }
        if let dataCount = module.dataCount, Int(dataCount) != module.data.count {
            throw MalformedError("data count and data section have inconsistent lengths", at: end)
        }
    }

    private static func readHeader(_ reader: inout ByteReader) throws(MalformedError) {
        guard try reader.readFixedU32() == 0x6D73_6100 else {  // "\0asm"
            throw MalformedError("magic header not detected", at: 0)
        }
        guard try reader.readFixedU32() == 1 else {
            throw MalformedError("unknown binary version", at: 4)
        }
    }

    /// Decodes one section with a reader bounded by its declared size, which
    /// the contents must fill exactly.
    private mutating func decodeSection(_ id: SectionID, contents: Range<Int>) throws(MalformedError) {
        var reader = ByteReader(bytes: module.bytes, range: contents)
        do {
            try decodeContents(of: id, from: &reader)
        } catch let error where error.reason == "unexpected end" {
            // ByteReader's generic reason; the spec interpreter's longer one
            // (of which it is a prefix) says which unit ran out.
            throw MalformedError("unexpected end of section or function", at: error.offset)
        }
        guard reader.isAtEnd else {
            throw MalformedError("section size mismatch", at: reader.offset)
        }
    }

    private mutating func decodeContents(of id: SectionID, from reader: inout ByteReader) throws(MalformedError) {
        switch id {
        case .custom:
            try decodeCustomSection(&reader)
        case .type:
            module.types = try reader.readVector { r throws(MalformedError) in try r.readFunctionType() }
        case .import:
            module.imports = try reader.readVector { r throws(MalformedError) in try r.readImport() }
        case .function:
            module.functions = try reader.readVector { r throws(MalformedError) in try r.readU32() }
        case .table:
            module.tables = try reader.readVector { r throws(MalformedError) in try r.readTableType() }
        case .memory:
            module.memories = try reader.readVector { r throws(MalformedError) in try r.readMemoryType() }
        case .global:
            module.globals = try reader.readVector { r throws(MalformedError) in try r.readGlobal() }
        case .export:
            module.exports = try reader.readVector { r throws(MalformedError) in try r.readExport() }
        case .start:
            module.start = try reader.readU32()
        case .element:
            module.elements = try reader.readVector { r throws(MalformedError) in try r.readElementSegment() }
        case .dataCount:
            module.dataCount = try reader.readU32()
        case .code:
            module.codes = try reader.readVector { r throws(MalformedError) in try r.readFunctionBody() }
        case .data:
            module.data = try reader.readVector { r throws(MalformedError) in try r.readDataSegment() }
        }
    }

    /// Custom sections are kept for embedders; only the `name` section is
    /// interpreted, and a malformed one is ignored (its contents are merely
    /// debugging aids, so the spec does not let them invalidate a module).
    /// Should a module carry several, the last well-formed one wins.
    private mutating func decodeCustomSection(_ reader: inout ByteReader) throws(MalformedError) {
        let name = try reader.readName()
        let payload = reader.offset..<reader.end
        module.customSections.append(CustomSection(name: name, payloadRange: payload))
        if name == "name", let names = NameMap(decodingPayload: ByteReader(bytes: module.bytes, range: payload)) {
            module.names = names
        }
        try reader.skip(reader.remaining)
    }
}
