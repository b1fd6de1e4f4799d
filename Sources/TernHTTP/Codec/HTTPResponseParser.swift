/// A response as the client receives it, with what decides connection reuse.
struct ReceivedResponse {
    var response: HTTPResponse
    /// The server framed the body and did not ask to close, so the
    /// connection can carry another request.
    var connectionReusable: Bool
}

/// The incremental parser for the response to one request: the client's
/// counterpart of `HTTPRequestParser`. Interim (1xx) responses are skipped.
struct HTTPResponseParser {
    private let requestMethod: HTTPMethod
    private let limits: HTTPLimits
    private var input = InputBuffer()
    private var headReader: MessageHeadReader
    private var pending: PendingResponse?

    init(requestMethod: HTTPMethod, limits: HTTPLimits) {
        self.requestMethod = requestMethod
        self.limits = limits
        self.headReader = MessageHeadReader(maxBytes: limits.maxHeaderBytes)
    }

    mutating func append(_ bytes: some Collection<UInt8>) {
        input.append(bytes)
    }

    /// Whether any part of a response has arrived.
    var hasReceivedBytes: Bool { pending != nil || !input.isEmpty }

    /// The final response once complete, or `nil` when more bytes are needed.
    mutating func next() throws(HTTPParseError) -> ReceivedResponse? {
        while true {
            if pending == nil {
                guard let head = try headReader.read(from: &input) else { return nil }
                pending = try PendingResponse(head: head, requestMethod: requestMethod, limits: limits)
            }
            guard try pending!.body.decode(from: &input) else { return nil }
            let finished = pending!
            pending = nil
            if !finished.status.isInformational { return finished.received(hasExtraBytes: !input.isEmpty) }
        }
    }

    /// The server closed the connection: completes a body framed by the close.
    mutating func finish() throws(HTTPParseError) -> ReceivedResponse {
        if let response = try next() { return response }
        guard pending != nil else { throw .truncated }
        try pending!.body.finishAtEndOfInput()
        let finished = pending!
        pending = nil
        return finished.received(hasExtraBytes: false)
    }
}

private struct PendingResponse {
    var status: HTTPStatus
    var version: HTTPVersion
    var headers: HTTPHeaders
    var framing: BodyFraming
    var body: BodyDecoder

    /// `status-line = HTTP-version SP status-code SP [ reason-phrase ]`;
    /// the space before an empty reason is often missing and tolerated.
    init(head: MessageHead, requestMethod: HTTPMethod, limits: HTTPLimits) throws(HTTPParseError) {
        let line = head.startLine
        let versionEnd = line.firstIndex(of: .space) ?? line.endIndex
        version = try MessageSyntax.parseVersion(line[..<versionEnd])
        let codeBytes = line[versionEnd...].dropFirst().prefix(3)
        let reason = line[versionEnd...].dropFirst(4)
        guard codeBytes.count == 3, case let digits = codeBytes.compactMap(MessageSyntax.decimalDigit), digits.count == 3,
              reason.isEmpty || reason.first == .space, reason.allSatisfy(\.isFieldValueCharacter)
        else { throw .malformed("invalid status line") }
        status = HTTPStatus(code: digits[0] * 100 + digits[1] * 10 + digits[2], reasonPhrase: String(decoding: reason.dropFirst(), as: UTF8.self))
        guard status.code >= 100 else { throw .malformed("invalid status code") }
        headers = head.fields
        framing = try PendingResponse.framing(status: status, headers: headers, requestMethod: requestMethod, limits: limits)
        body = BodyDecoder(framing: framing, limits: limits)
    }

    func received(hasExtraBytes: Bool) -> ReceivedResponse {
        let keepAlive = version >= .http1_1
            ? !headers.containsToken("close", in: "Connection")
            : headers.containsToken("keep-alive", in: "Connection")
        return ReceivedResponse(
            response: HTTPResponse(status: status, headers: headers, body: body.body),
            connectionReusable: keepAlive && framing != .untilClose && !hasExtraBytes
        )
    }

    /// RFC 9112 §6.3 for responses.
    private static func framing(status: HTTPStatus, headers: HTTPHeaders, requestMethod: HTTPMethod, limits: HTTPLimits) throws(HTTPParseError) -> BodyFraming {
        if requestMethod == .head || status.isInformational || status.code == 204 || status.code == 304 {
            return .empty
        }
        if let codings = try MessageSyntax.transferCodings(headers) {
            return codings.isChunked ? .chunked : .untilClose
        }
        if let length = try MessageSyntax.contentLength(headers, limit: limits.maxBodyBytes) {
            return .contentLength(length)
        }
        return .untilClose
    }
}
