/// A complete request: head, body and (for chunked bodies) trailers.
public struct HTTPRequest: Sendable {
    public var method: HTTPMethod
    /// The request-target exactly as sent: usually origin-form (`/path?query`);
    /// absolute-form (`http://host/path`), authority-form (`host:port`, for
    /// CONNECT) and asterisk-form (`*`) are also possible.
    public var target: String
    public var version: HTTPVersion
    public var headers: HTTPHeaders
    public var body: [UInt8]
    /// Fields from the trailer section of a chunked body; empty otherwise.
    public var trailers: HTTPHeaders

    public init(
        method: HTTPMethod, target: String, version: HTTPVersion = .http1_1,
        headers: HTTPHeaders = [:], body: [UInt8] = [], trailers: HTTPHeaders = [:]
    ) {
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers
        self.body = body
        self.trailers = trailers
    }

    /// The path component of the target, still percent-encoded: the part
    /// before `?` (for absolute-form, after the authority; `/` if empty).
    /// Authority-form and asterisk-form targets are returned unchanged.
    public var path: String {
        let withoutQuery = target.prefix { $0 != "?" }
        guard !withoutQuery.hasPrefix("/"), let schemeEnd = withoutQuery.firstRange(of: "://") else {
            return String(withoutQuery)
        }
        let afterAuthority = withoutQuery[schemeEnd.upperBound...].drop { $0 != "/" }
        return afterAuthority.isEmpty ? "/" : String(afterAuthority)
    }

    /// The query component (after the first `?`), still percent-encoded, or
    /// `nil` when the target has none.
    public var query: String? {
        target.firstIndex(of: "?").map { String(target[target.index(after: $0)...]) }
    }

    /// Whether the client wants the connection kept open after this
    /// exchange: HTTP/1.1 defaults to yes unless `Connection: close`,
    /// HTTP/1.0 defaults to no unless `Connection: keep-alive`.
    public var keepAlive: Bool {
        version >= .http1_1
            ? !headers.containsToken("close", in: "Connection")
            : headers.containsToken("keep-alive", in: "Connection")
    }
}

/// A response. Framing (`Content-Length`, `Transfer-Encoding`) and
/// `Connection` are decided by the serializer, so handlers leave them out.
public struct HTTPResponse: Sendable {
    public var status: HTTPStatus
    public var headers: HTTPHeaders
    public var body: [UInt8]

    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A response with a UTF-8 text body; adds `Content-Type: text/plain;
    /// charset=utf-8` unless `headers` has a content type.
    public init(status: HTTPStatus = .ok, headers: HTTPHeaders = [:], text: String) {
        var headers = headers
        if !headers.contains("Content-Type") {
            headers.add(name: "Content-Type", value: "text/plain; charset=utf-8")
        }
        self.init(status: status, headers: headers, body: Array(text.utf8))
    }
}
