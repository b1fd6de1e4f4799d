/// Pieces of HTTP/1.1 syntax that requests and responses share.
enum MessageSyntax {
    /// `HTTP-version = "HTTP" "/" DIGIT "." DIGIT` (RFC 9112 §2.3). Major
    /// versions other than 1 are well-formed but unsupported.
    static func parseVersion(_ bytes: ArraySlice<UInt8>) throws(HTTPParseError) -> HTTPVersion {
        let digits = bytes.dropFirst(5)
        guard bytes.count == 8, bytes.starts(with: "HTTP/".utf8),
              let major = digits.first.flatMap(decimalDigit), digits.dropFirst().first == UInt8(ascii: "."),
              let minor = digits.last.flatMap(decimalDigit)
        else { throw .malformed("invalid protocol version") }
        guard major == 1 else { throw .unsupportedVersion(String(decoding: bytes, as: UTF8.self)) }
        return HTTPVersion(major: major, minor: minor)
    }

    static func decimalDigit(_ byte: UInt8) -> Int? {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) ? Int(byte - UInt8(ascii: "0")) : nil
    }

    /// What `Transfer-Encoding` says about framing.
    struct TransferCodings {
        /// The final coding is `chunked`, so the body is chunk-framed.
        var isChunked: Bool
        /// The first coding other than `chunked`; Tern decodes none.
        var unsupported: String?
    }

    /// The codings of `Transfer-Encoding`, or `nil` without the header.
    static func transferCodings(_ headers: HTTPHeaders) throws(HTTPParseError) -> TransferCodings? {
        guard headers.contains("Transfer-Encoding") else { return nil }
        let codings = headers.listElements("Transfer-Encoding")
        guard let final = codings.last else { throw .malformed("empty Transfer-Encoding") }
        let chunkedCount = codings.count { $0.equalsIgnoringASCIICase("chunked") }
        guard chunkedCount <= 1 else { throw .malformed("chunked applied more than once") }
        return TransferCodings(
            isChunked: final.equalsIgnoringASCIICase("chunked"),
            unsupported: codings.first { !$0.equalsIgnoringASCIICase("chunked") }.map(String.init)
        )
    }

    /// The `Content-Length`, or `nil` without one. Repeated values must agree
    /// (RFC 9112 §6.3); a length above the body limit is rejected here, before
    /// any of the body is read, which also rules out overflow.
    static func contentLength(_ headers: HTTPHeaders, limit: Int) throws(HTTPParseError) -> Int? {
        guard headers.contains("Content-Length") else { return nil }
        let values = headers.listElements("Content-Length")
        guard let first = values.first, values.allSatisfy({ $0 == first }) else {
            throw .malformed("invalid or conflicting Content-Length")
        }
        var length = 0
        for byte in first.utf8 {
            guard let digit = decimalDigit(byte) else { throw .malformed("invalid Content-Length") }
            guard digit <= limit, length <= (limit - digit) / 10 else { throw .bodyTooLarge(limit: limit) }
            length = length * 10 + digit
        }
        return length
    }
}
