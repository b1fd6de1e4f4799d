/// `proxy_status_t`: what every proxy-wasm host function returns.
public enum ProxyStatus: UInt32, Sendable, CustomStringConvertible {
    case ok = 0
    case notFound = 1
    case badArgument = 2
    case serializationFailure = 3
    case parseFailure = 4
    case invalidMemoryAccess = 6
    case empty = 7
    case casMismatch = 8
    case internalFailure = 10
    case unimplemented = 12

    public var description: String {
        switch self {
        case .ok: "OK"
        case .notFound: "NOT_FOUND"
        case .badArgument: "BAD_ARGUMENT"
        case .serializationFailure: "SERIALIZATION_FAILURE"
        case .parseFailure: "PARSE_FAILURE"
        case .invalidMemoryAccess: "INVALID_MEMORY_ACCESS"
        case .empty: "EMPTY"
        case .casMismatch: "CAS_MISMATCH"
        case .internalFailure: "INTERNAL_FAILURE"
        case .unimplemented: "UNIMPLEMENTED"
        }
    }
}

/// `proxy_log_level_t`.
public enum ProxyLogLevel: UInt32, Sendable, Comparable, CaseIterable, CustomStringConvertible {
    case trace = 0
    case debug = 1
    case info = 2
    case warn = 3
    case error = 4
    case critical = 5

    public static func < (lhs: ProxyLogLevel, rhs: ProxyLogLevel) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .trace: "trace"
        case .debug: "debug"
        case .info: "info"
        case .warn: "warn"
        case .error: "error"
        case .critical: "critical"
        }
    }
}

/// `proxy_metric_type_t`.
public enum ProxyMetricType: UInt32, Sendable, CustomStringConvertible {
    case counter = 0
    case gauge = 1
    case histogram = 2

    public var description: String {
        switch self {
        case .counter: "counter"
        case .gauge: "gauge"
        case .histogram: "histogram"
        }
    }
}

/// `proxy_action_t`: what request callbacks return.
enum ProxyAction: UInt32 {
    case `continue` = 0
    case pause = 1
}

/// `proxy_buffer_type_t`. The spec names 8 `FOREIGN_FUNCTION_ARGUMENTS`;
/// Layotto's SDKs use 8 as the call-data buffer through which
/// `proxy_get_id` announces the function id. Tern registers no foreign
/// functions, so only Layotto's meaning exists here.
enum BufferType: UInt32 {
    case httpRequestBody = 0
    case httpResponseBody = 1
    case downstreamData = 2
    case upstreamData = 3
    case httpCallResponseBody = 4
    case grpcReceiveBuffer = 5
    case vmConfiguration = 6
    case pluginConfiguration = 7
    case callData = 8
}

/// `proxy_map_type_t`.
enum MapType: UInt32 {
    case httpRequestHeaders = 0
    case httpRequestTrailers = 1
    case httpResponseHeaders = 2
    case httpResponseTrailers = 3
    case grpcReceiveInitialMetadata = 4
    case grpcReceiveTrailingMetadata = 5
    case httpCallResponseHeaders = 6
    case httpCallResponseTrailers = 7
}

/// `proxy_stream_type_t`.
enum StreamType: UInt32 {
    case httpRequest = 0
    case httpResponse = 1
    case downstream = 2
    case upstream = 3
}
