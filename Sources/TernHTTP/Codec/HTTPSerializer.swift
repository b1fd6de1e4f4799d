/// A message that cannot be put on the wire as given. Responses may carry
/// headers that came from untrusted code (a wasm function), so everything is
/// validated: a CR or LF in a value would otherwise split the response.
public enum HTTPSerializationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Final responses need a code in 200...599.
    case invalidStatusCode(Int)
    case invalidReasonPhrase
    case invalidHeaderName(String)
    case invalidHeaderValue(name: String)
    case invalidMethod(String)
    case invalidTarget(String)

    public var description: String {
        switch self {
        case .invalidStatusCode(let code): "invalid status code \(code)"
        case .invalidReasonPhrase: "invalid character in reason phrase"
        case .invalidHeaderName(let name): "invalid header name \(String(reflecting: name))"
        case .invalidHeaderValue(let name): "invalid character in the value of header \(name)"
        case .invalidMethod(let method): "invalid method \(String(reflecting: method))"
        case .invalidTarget(let target): "invalid request target \(String(reflecting: target))"
        }
    }
}

/// Turns responses into bytes. Pure, like the parser.
///
/// The serializer owns framing: any `Content-Length`, `Transfer-Encoding`
/// or `Connection` header in the response is replaced by its own, derived
/// from the body and `Context`. Responses are always HTTP/1.1, which
/// HTTP/1.0 clients accept (RFC 9110 §6.2).
public enum HTTPResponseSerializer {
    /// What the serializer needs to know about the request being answered.
    public struct Context: Sendable, Equatable {
        /// For `HEAD`, the head describes the body but the body is not sent.
        public var requestMethod: HTTPMethod
        public var requestVersion: HTTPVersion
        /// Whether the connection stays open after this response.
        public var keepAlive: Bool

        public init(requestMethod: HTTPMethod, requestVersion: HTTPVersion, keepAlive: Bool) {
            self.requestMethod = requestMethod
            self.requestVersion = requestVersion
            self.keepAlive = keepAlive
        }

        /// The context for answering `request` as it asks.
        public init(answering request: HTTPRequest) {
            self.init(requestMethod: request.method, requestVersion: request.version, keepAlive: request.keepAlive)
        }
    }

    /// The interim response to `Expect: 100-continue`.
    public static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// The bytes of `response`. `date` (an IMF-fixdate) is sent as the
    /// `Date` header unless the response has one.
    public static func serialize(
        _ response: HTTPResponse, context: Context, date: String? = nil
    ) throws(HTTPSerializationError) -> [UInt8] {
        let status = response.status
        guard (200...599).contains(status.code) else { throw .invalidStatusCode(status.code) }
        guard status.reasonPhrase.utf8.allSatisfy(\.isFieldValueCharacter) else { throw .invalidReasonPhrase }
        // 204 and 304 have no body; 204 also no Content-Length (RFC 9110 §8.6).
        let hasBody = status.code != 204 && status.code != 304

        var bytes: [UInt8] = []
        bytes.reserveCapacity(256 + response.body.count)
        bytes.append(contentsOf: "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n".utf8)
        try bytes.appendFields(response.headers, omitting: ["Content-Length", "Transfer-Encoding", "Connection"])
        if let date, !response.headers.contains("Date") {
            bytes.append(contentsOf: "Date: \(date)\r\n".utf8)
        }
        if hasBody {
            bytes.append(contentsOf: "Content-Length: \(response.body.count)\r\n".utf8)
        }
        if !context.keepAlive {
            bytes.append(contentsOf: "Connection: close\r\n".utf8)
        } else if context.requestVersion < .http1_1 {
            bytes.append(contentsOf: "Connection: keep-alive\r\n".utf8)
        }
        bytes.append(contentsOf: "\r\n".utf8)
        if hasBody, context.requestMethod != .head {
            bytes.append(contentsOf: response.body)
        }
        return bytes
    }
}

/// Turns client requests into bytes; the counterpart of `HTTPRequestParser`.
enum HTTPRequestSerializer {
    /// The bytes of `request` as HTTP/1.1 with a `Content-Length` body.
    /// `Host` and `Connection` are taken from `request.headers` (the client
    /// sets them); `Content-Length` and `Transfer-Encoding` are replaced.
    static func serialize(_ request: HTTPRequest) throws(HTTPSerializationError) -> [UInt8] {
        guard request.method.rawValue.utf8.isToken else { throw .invalidMethod(request.method.rawValue) }
        guard !request.target.isEmpty, request.target.utf8.allSatisfy({ (0x21...0x7E).contains($0) }) else {
            throw .invalidTarget(request.target)
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256 + request.body.count)
        bytes.append(contentsOf: "\(request.method) \(request.target) HTTP/1.1\r\n".utf8)
        try bytes.appendFields(request.headers, omitting: ["Content-Length", "Transfer-Encoding"])
        // Methods that define a body get an explicit length even when empty,
        // so servers need not guess (RFC 9110 §8.6).
        if !request.body.isEmpty || [.post, .put, .patch].contains(request.method) {
            bytes.append(contentsOf: "Content-Length: \(request.body.count)\r\n".utf8)
        }
        bytes.append(contentsOf: "\r\n".utf8)
        bytes.append(contentsOf: request.body)
        return bytes
    }
}

extension [UInt8] {
    /// Appends `headers` as field lines, validated, except those named in
    /// `omitting` (the framing fields the serializer writes itself).
    mutating func appendFields(_ headers: HTTPHeaders, omitting omitted: [String]) throws(HTTPSerializationError) {
        for field in headers where !omitted.contains(where: { $0.equalsIgnoringASCIICase(field.name) }) {
            guard field.name.utf8.isToken else { throw .invalidHeaderName(field.name) }
            guard field.value.utf8.allSatisfy(\.isFieldValueCharacter) else { throw .invalidHeaderValue(name: field.name) }
            append(contentsOf: field.name.utf8)
            append(contentsOf: ": ".utf8)
            append(contentsOf: field.value.utf8)
            append(contentsOf: "\r\n".utf8)
        }
    }
}
