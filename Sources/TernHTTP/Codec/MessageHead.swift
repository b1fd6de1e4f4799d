/// The start line and header fields of a message, split off the input once
/// the whole head (up to the empty line) has arrived. Shared by the request
/// and the response parser; the start line is interpreted by the caller.
struct MessageHead {
    var startLine: ArraySlice<UInt8>
    var fields: HTTPHeaders
}

/// Finds complete heads in the input, resuming the search for the
/// terminating empty line where the previous call stopped, so a head that
/// arrives one byte at a time is still scanned once.
struct MessageHeadReader: Sendable {
    let maxBytes: Int
    private var scannedCount = 0

    init(maxBytes: Int) {
        self.maxBytes = maxBytes
    }

    /// Consumes and returns the next head, or returns `nil` when its end has
    /// not arrived yet. `skippingEmptyLines` drops CRLFs before the start
    /// line, which servers should tolerate between requests (RFC 9112 §2.2).
    mutating func read(from input: inout InputBuffer, skippingEmptyLines: Bool = false) throws(HTTPParseError) -> MessageHead? {
        while skippingEmptyLines, input.count >= 2, input[0] == .carriageReturn, input[1] == .lineFeed {
            input.consume(2)
            scannedCount = 0
        }
        guard let length = try headLength(in: input) else { return nil }
        scannedCount = 0
        let head = input.take(length)
        var lines: [ArraySlice<UInt8>] = []
        var lineStart = head.startIndex
        for index in head.indices where head[index] == .lineFeed {
            lines.append(head[lineStart..<index - 1])
            lineStart = index + 1
        }
        // The last line is the empty one that ends the head.
        lines.removeLast()
        guard let startLine = lines.first, !startLine.isEmpty else { throw .malformed("empty start line") }
        var fields = HTTPHeaders()
        for line in lines.dropFirst() {
            fields.add(try MessageHeadReader.parseField(line))
        }
        return MessageHead(startLine: startLine, fields: fields)
    }

    /// Length of the head including its terminating empty line, if complete.
    private mutating func headLength(in input: InputBuffer) throws(HTTPParseError) -> Int? {
        let searchEnd = min(input.count, maxBytes)
        var offset = scannedCount
        while offset < searchEnd {
            if input[offset] == .lineFeed {
                guard offset > 0, input[offset - 1] == .carriageReturn else { throw .malformed("bare LF line ending") }
                // The previous line ended at offset - 2: this line is empty.
                if offset >= 3, input[offset - 2] == .lineFeed { return offset + 1 }
            }
            offset += 1
        }
        guard input.count < maxBytes else { throw .headerTooLarge(limit: maxBytes) }
        scannedCount = offset
        return nil
    }

    /// `field-line = field-name ":" OWS field-value OWS` (RFC 9112 §5).
    /// Rejects obsolete line folding and whitespace before the colon, both
    /// of which parsers disagree on.
    static func parseField(_ line: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPField {
        guard let first = line.first, !first.isHTTPWhitespace else { throw .malformed("obsolete line folding") }
        guard let colon = line.firstIndex(of: .colon) else { throw .malformed("header line without a colon") }
        let name = line[..<colon]
        guard name.isToken else { throw .malformed("invalid header name") }
        var value = line[(colon + 1)...]
        while let byte = value.first, byte.isHTTPWhitespace { value.removeFirst() }
        while let byte = value.last, byte.isHTTPWhitespace { value.removeLast() }
        guard value.allSatisfy(\.isFieldValueCharacter) else { throw .malformed("invalid character in header value") }
        return HTTPField(name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self))
    }
}

extension HTTPHeaders {
    mutating func add(_ field: HTTPField) {
        add(name: field.name, value: field.value)
    }
}
