/// Bytes received but not yet consumed by a parser. Consumed bytes are
/// dropped lazily, so consuming a small message does not shift the rest.
struct InputBuffer: Sendable {
    private var bytes: [UInt8] = []
    private var readIndex = 0

    /// Capacity kept after the buffer empties; a larger buffer (left by a big
    /// body) is released so idle connections stay small.
    private static let retainedCapacity = 64 * 1024

    var count: Int { bytes.count - readIndex }
    var isEmpty: Bool { count == 0 }

    mutating func append(_ newBytes: some Collection<UInt8>) {
        if readIndex > 0, readIndex >= bytes.count / 2 {
            bytes.removeFirst(readIndex)
            readIndex = 0
        }
        bytes.append(contentsOf: newBytes)
    }

    /// The unconsumed byte at `offset` from the read position.
    subscript(offset: Int) -> UInt8 { bytes[readIndex + offset] }

    /// The first `length` unconsumed bytes, without consuming them.
    func peek(_ length: Int) -> ArraySlice<UInt8> { bytes[readIndex..<readIndex + length] }

    mutating func consume(_ length: Int) {
        readIndex += length
        if readIndex == bytes.count {
            if bytes.capacity > InputBuffer.retainedCapacity {
                bytes = []
            } else {
                bytes.removeAll(keepingCapacity: true)
            }
            readIndex = 0
        }
    }

    /// Consumes `length` bytes and returns them.
    mutating func take(_ length: Int) -> ArraySlice<UInt8> {
        let taken = peek(length)
        consume(length)
        return taken
    }

    /// Offset of the first CRLF at or after `start`, or `nil` if none is
    /// buffered yet. A LF not preceded by CR is malformed: accepting bare LF
    /// where another parser would not is a request-smuggling vector.
    func findLineEnd(from start: Int) throws(HTTPParseError) -> Int? {
        var offset = start
        while offset < count {
            if self[offset] == .lineFeed {
                guard offset > 0, self[offset - 1] == .carriageReturn else { throw .malformed("bare LF line ending") }
                return offset - 1
            }
            offset += 1
        }
        return nil
    }
}

extension UInt8 {
    static let carriageReturn = UInt8(ascii: "\r")
    static let lineFeed = UInt8(ascii: "\n")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let colon = UInt8(ascii: ":")

    var isHTTPWhitespace: Bool { self == .space || self == .tab }

    /// `tchar` of RFC 9110 §5.6.2: the characters of methods, header names
    /// and transfer-coding names.
    var isTokenCharacter: Bool {
        switch self {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
             UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "."),
             UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"), UInt8(ascii: "|"), UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    /// A byte allowed in a field value: visible ASCII, space, tab or
    /// obs-text (RFC 9110 §5.5); excludes every other control character.
    var isFieldValueCharacter: Bool { self == .tab || (self >= 0x20 && self != 0x7F) }

    var hexDigitValue: Int? {
        switch self {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(self - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(self - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(self - UInt8(ascii: "A") + 10)
        default: nil
        }
    }
}

extension Collection<UInt8> {
    var isToken: Bool { !isEmpty && allSatisfy(\.isTokenCharacter) }
}
