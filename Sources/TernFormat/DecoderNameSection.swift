extension NameMap {
    /// Decodes the payload of a `name` custom section: the module name
    /// (subsection 0) and the function names (subsection 1); other
    /// subsections are skipped. Returns nil when the payload is malformed,
    /// since such a section must be ignored rather than reject the module.
    init?(decodingPayload payload: ByteReader) {
        var reader = payload
        guard let names = try? reader.readNameSubsections() else { return nil }
        self = names
    }
}

extension ByteReader {
    fileprivate mutating func readNameSubsections() throws(MalformedError) -> NameMap {
        var names = NameMap()
        var previousID: UInt8?
        while !isAtEnd {
            let id = try readByte()
            // Subsections appear at most once each, in increasing id order.
            if let previousID, id <= previousID {
                throw error("name subsections out of order")
            }
            previousID = id
            let size = try readCount(minElementSize: 1)
            var subsection = ByteReader(bytes: bytes, range: offset..<offset + size)
            try skip(size)
            switch id {
            case 0: names.moduleName = try subsection.readName()
            case 1: names.functionNames = try subsection.readNameMap()
            default: try subsection.skip(subsection.remaining)
            }
            guard subsection.isAtEnd else { throw subsection.error("name subsection size mismatch") }
        }
        return names
    }

    /// A `namemap`: (index, name) pairs with strictly increasing indices.
    private mutating func readNameMap() throws(MalformedError) -> [UInt32: String] {
        let count = try readCount(minElementSize: 2)
        var map: [UInt32: String] = [:]
        map.reserveCapacity(count)
        var previousIndex: UInt32?
        for _ in 0..<count {
            let index = try readU32()
            if let previousIndex, index <= previousIndex {
                throw error("name map indices out of order")
            }
            previousIndex = index
            map[index] = try readName()
        }
        return map
    }
}
