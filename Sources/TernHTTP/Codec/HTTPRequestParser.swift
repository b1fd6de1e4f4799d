/// An incremental HTTP/1.1 request parser: feed it bytes as they arrive, in
/// chunks of any size, and pull complete requests out in order. Pure: it does
/// no I/O, so it is tested by feeding bytes.
///
/// Several requests may arrive in one chunk (pipelining); call `next()` until
/// it returns `nil` to get all of them. The first error is sticky: every later
/// `next()` throws it again, because after a framing error the position of the
/// next request is unknown and the connection must be closed.
public struct HTTPRequestParser: Sendable {
    public enum Event: Sendable {
        /// A request with `Expect: 100-continue` has arrived up to its head
        /// and its body has not: the server should send `100 Continue` now.
        /// The request itself follows as a `.request` event.
        case continueExpected
        case request(HTTPRequest)
    }

    public let limits: HTTPLimits
    private var input = InputBuffer()
    private var headReader: MessageHeadReader
    /// The request whose head has been parsed and whose body is arriving.
    private var pending: PendingRequest?
    private var failure: HTTPParseError?

    public init(limits: HTTPLimits = HTTPLimits()) {
        self.limits = limits
        self.headReader = MessageHeadReader(maxBytes: limits.maxHeaderBytes)
    }

    /// Adds received bytes.
    public mutating func append(_ bytes: some Collection<UInt8>) {
        input.append(bytes)
    }

    /// The next event, or `nil` when more bytes are needed.
    public mutating func next() throws(HTTPParseError) -> Event? {
        if let failure { throw failure }
        do throws(HTTPParseError) {
            return try advance()
        } catch {
            failure = error
            throw error
        }
    }

    private mutating func advance() throws(HTTPParseError) -> Event? {
        if pending == nil {
            guard let head = try headReader.read(from: &input, skippingEmptyLines: true) else { return nil }
            pending = try PendingRequest(head: head, limits: limits)
        }
        guard try pending!.body.decode(from: &input) else {
            guard pending!.expectsContinue else { return nil }
            pending!.expectsContinue = false
            return .continueExpected
        }
        let request = pending!.request
        pending = nil
        return .request(request)
    }
}

/// A request between its head and the end of its body.
private struct PendingRequest {
    var method: HTTPMethod
    var target: String
    var version: HTTPVersion
    var headers: HTTPHeaders
    var body: BodyDecoder
    /// `100 Continue` is owed until the body is complete or it has been sent.
    var expectsContinue: Bool

    var request: HTTPRequest {
        HTTPRequest(method: method, target: target, version: version, headers: headers, body: body.body, trailers: body.trailers)
    }

    /// `request-line = method SP request-target SP HTTP-version`, then the
    /// framing and expectation rules of RFC 9112 §6 and RFC 9110 §10.1.1.
    init(head: MessageHead, limits: HTTPLimits) throws(HTTPParseError) {
        let parts = head.startLine.split(separator: .space, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw .malformed("invalid request line") }
        guard parts[0].isToken else { throw .malformed("invalid method") }
        guard !parts[1].isEmpty, parts[1].allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .malformed("invalid request target")
        }
        method = HTTPMethod(rawValue: String(decoding: parts[0], as: UTF8.self))
        target = String(decoding: parts[1], as: UTF8.self)
        version = try MessageSyntax.parseVersion(parts[2])
        headers = head.fields

        let hostCount = headers.values(for: "Host").count
        guard hostCount == 1 || (hostCount == 0 && version < .http1_1) else {
            throw .malformed(hostCount == 0 ? "missing Host header" : "more than one Host header")
        }

        let framing = try PendingRequest.framing(headers: headers, version: version, limits: limits)
        body = BodyDecoder(framing: framing, limits: limits)

        expectsContinue = false
        if headers.contains("Expect"), version >= .http1_1 {
            guard headers.listElements("Expect").allSatisfy({ $0.equalsIgnoringASCIICase("100-continue") }) else {
                throw .unsupportedExpectation
            }
            expectsContinue = !body.isComplete
        }
    }

    private static func framing(headers: HTTPHeaders, version: HTTPVersion, limits: HTTPLimits) throws(HTTPParseError) -> BodyFraming {
        if let codings = try MessageSyntax.transferCodings(headers) {
            // Both headers is the classic request-smuggling setup; refuse it.
            guard !headers.contains("Content-Length") else { throw .malformed("both Transfer-Encoding and Content-Length") }
            guard version >= .http1_1 else { throw .malformed("Transfer-Encoding in an HTTP/1.0 request") }
            if let unsupported = codings.unsupported { throw .unsupportedTransferEncoding(unsupported) }
            return .chunked
        }
        if let length = try MessageSyntax.contentLength(headers, limit: limits.maxBodyBytes) {
            return .contentLength(length)
        }
        return .empty
    }
}
