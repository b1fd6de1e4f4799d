/// An ordered list of HTTP fields (headers, trailers, or an HTTP call's
/// response fields), with the operations the header-map host functions
/// need. Names compare ASCII case-insensitively, as HTTP field names do;
/// the case the HTTP layer or the guest used is kept.
struct HeaderFields: Equatable {
    struct Field: Equatable {
        var name: String
        var value: String
    }

    var fields: [Field]

    init(_ pairs: [(String, String)] = []) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    var pairs: [(String, String)] { fields.map { ($0.name, $0.value) } }
    var count: Int { fields.count }

    /// The first value of `name`.
    func value(for name: String) -> String? {
        fields.first { $0.name.equalsIgnoringASCIICase(name) }?.value
    }

    mutating func add(_ name: String, _ value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces the first value of `name` (others stay, as in Envoy), or
    /// adds the field when absent.
    mutating func replace(_ name: String, _ value: String) {
        if let index = fields.firstIndex(where: { $0.name.equalsIgnoringASCIICase(name) }) {
            fields[index].value = value
        } else {
            add(name, value)
        }
    }

    /// Removes every value of `name`.
    mutating func remove(_ name: String) {
        fields.removeAll { $0.name.equalsIgnoringASCIICase(name) }
    }

    // MARK: Serialization

    /// The ABI's encoding: a u32 pair count, a u32 key size and u32 value
    /// size per pair, then each key and each value followed by a NUL byte;
    /// integers little-endian. An empty map is the 4-byte count 0, which
    /// every SDK parses (the Go SDK reads the count unconditionally).
    var serialized: [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(serializedSize)
        bytes.appendLittleEndian(UInt32(fields.count))
        for field in fields {
            bytes.appendLittleEndian(UInt32(field.name.utf8.count))
            bytes.appendLittleEndian(UInt32(field.value.utf8.count))
        }
        for field in fields {
            bytes.append(contentsOf: field.name.utf8)
            bytes.append(0)
            bytes.append(contentsOf: field.value.utf8)
            bytes.append(0)
        }
        return bytes
    }

    var serializedSize: Int {
        fields.reduce(4) { $0 + 10 + $1.name.utf8.count + $1.value.utf8.count }
    }

    /// Parses the ABI's encoding. Besides the canonical form, an empty map
    /// may arrive as no bytes or as a single NUL byte (both allowed by the
    /// spec). Returns nil when the bytes are malformed.
    init?(serialized bytes: [UInt8]) {
        if bytes.isEmpty || bytes == [0] {
            fields = []
            return
        }
        guard let count = bytes.littleEndianUInt32(at: 0).map(Int.init),
              count <= (bytes.count - 4) / 8
        else { return nil }
        var fields: [Field] = []
        fields.reserveCapacity(count)
        var offset = 4 + 8 * count
        for index in 0..<count {
            guard let nameSize = bytes.littleEndianUInt32(at: 4 + 8 * index).map(Int.init),
                  let valueSize = bytes.littleEndianUInt32(at: 8 + 8 * index).map(Int.init),
                  nameSize + 1 + valueSize + 1 <= bytes.count - offset
            else { return nil }
            let name = String(decoding: bytes[offset..<offset + nameSize], as: UTF8.self)
            offset += nameSize + 1
            let value = String(decoding: bytes[offset..<offset + valueSize], as: UTF8.self)
            offset += valueSize + 1
            fields.append(Field(name: name, value: value))
        }
        self.fields = fields
    }
}

extension String {
    func equalsIgnoringASCIICase(_ other: String) -> Bool {
        let left = utf8, right = other.utf8
        guard left.count == right.count else { return false }
        return zip(left, right).allSatisfy { $0.asciiLowercased == $1.asciiLowercased }
    }
}

extension UInt8 {
    var asciiLowercased: UInt8 { (0x41...0x5A).contains(self) ? self | 0x20 : self }
}

extension [UInt8] {
    mutating func appendLittleEndian(_ value: UInt32) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }

    func littleEndianUInt32(at offset: Int) -> UInt32? {
        guard offset >= 0, offset <= count - 4 else { return nil }
        return (0..<4).reduce(UInt32(0)) { $0 | UInt32(self[offset + $1]) << (8 * $1) }
    }
}
