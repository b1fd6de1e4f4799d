/// Size limits a parser enforces on one message.
public struct HTTPLimits: Sendable, Equatable {
    /// The start line plus header section (and separately, a trailer
    /// section), including line terminators.
    public var maxHeaderBytes: Int
    /// The decoded body.
    public var maxBodyBytes: Int

    public init(maxHeaderBytes: Int = 64 * 1024, maxBodyBytes: Int = 16 * 1024 * 1024) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxBodyBytes = maxBodyBytes
    }
}

/// Why bytes from the peer are not an acceptable HTTP/1.1 message. Each case
/// maps to the status a server answers with before closing the connection.
public enum HTTPParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Not valid HTTP/1.1 syntax or framing (400).
    case malformed(String)
    /// The header or trailer section exceeds `HTTPLimits.maxHeaderBytes` (431).
    case headerTooLarge(limit: Int)
    /// The body exceeds `HTTPLimits.maxBodyBytes` (413).
    case bodyTooLarge(limit: Int)
    /// A transfer coding other than `chunked` (501).
    case unsupportedTransferEncoding(String)
    /// An HTTP major version other than 1 (505).
    case unsupportedVersion(String)
    /// An `Expect` value other than `100-continue` (417).
    case unsupportedExpectation
    /// The stream ended inside a message.
    case truncated

    /// The status a server responds with.
    public var status: HTTPStatus {
        switch self {
        case .malformed, .truncated: .badRequest
        case .headerTooLarge: .requestHeaderFieldsTooLarge
        case .bodyTooLarge: .contentTooLarge
        case .unsupportedTransferEncoding: .notImplemented
        case .unsupportedVersion: .httpVersionNotSupported
        case .unsupportedExpectation: .expectationFailed
        }
    }

    public var description: String {
        switch self {
        case .malformed(let reason): "malformed message: \(reason)"
        case .headerTooLarge(let limit): "header section larger than \(limit) bytes"
        case .bodyTooLarge(let limit): "body larger than \(limit) bytes"
        case .unsupportedTransferEncoding(let coding): "unsupported transfer coding \(coding)"
        case .unsupportedVersion(let version): "unsupported protocol version \(version)"
        case .unsupportedExpectation: "unsupported expectation (only 100-continue is)"
        case .truncated: "connection closed in the middle of a message"
        }
    }
}
