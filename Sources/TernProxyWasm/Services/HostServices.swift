/// The services behind the host functions, injected by the runtime layer.
/// One value is typically shared by every instance of every function:
/// implementations must be thread-safe.
public struct ProxyWasmHostServices: Sendable {
    /// `proxy_get_state`.
    public var stateStore: any StateStore
    /// `proxy_invoke_service`, and `proxy_http_call` to another function.
    public var invoker: any FunctionInvoker
    /// `proxy_get_shared_data` / `proxy_set_shared_data`.
    public var sharedData: any SharedData
    /// `proxy_*_shared_queue`.
    public var sharedQueues: any SharedQueues
    /// `proxy_*_metric`.
    public var metrics: any MetricsRegistry
    /// `proxy_log`, and the guest's WASI stdout (info) and stderr (error).
    public var logger: any FunctionLogger
    /// `proxy_http_call` to upstreams outside Tern; nil: functions only.
    public var upstreams: (any UpstreamClient)?

    public init(stateStore: any StateStore = InMemoryStateStore(),
                invoker: any FunctionInvoker = NoFunctionInvoker(),
                sharedData: any SharedData = InMemorySharedData(),
                sharedQueues: any SharedQueues = InMemorySharedQueues(),
                metrics: any MetricsRegistry = InMemoryMetricsRegistry(),
                logger: any FunctionLogger = StandardErrorLogger(),
                upstreams: (any UpstreamClient)? = nil) {
        self.stateStore = stateStore
        self.invoker = invoker
        self.sharedData = sharedData
        self.sharedQueues = sharedQueues
        self.metrics = metrics
        self.logger = logger
        self.upstreams = upstreams
    }
}

// MARK: - State

public enum StateStoreError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No store has that name; the guest gets `NOT_FOUND`.
    case unknownStore(String)
    /// The store failed (e.g. a backend is down); the guest gets
    /// `INTERNAL_FAILURE`.
    case unavailable(String)

    public var description: String {
        switch self {
        case .unknownStore(let name): "unknown state store '\(name)'"
        case .unavailable(let reason): "state store unavailable: \(reason)"
        }
    }
}

/// Layotto's state API as seen by `proxy_get_state`.
public protocol StateStore: Sendable {
    /// The value of `key` in `store`; nil when the key is absent (the guest
    /// then gets `OK` with an empty value, as in Layotto).
    func get(store: String, key: String) throws(StateStoreError) -> [UInt8]?
}

// MARK: - Invocation

public enum InvocationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No function is installed under that id.
    case unknownFunction(String)
    /// The chain of nested invocations is deeper than allowed: usually a
    /// cycle between functions.
    case callDepthExceeded(limit: Int)
    /// The deadline passed before the callee answered.
    case deadlineExceeded
    /// The callee failed (trapped, could not be instantiated...).
    case failed(String)

    public var description: String {
        switch self {
        case .unknownFunction(let id): "unknown function '\(id)'"
        case .callDepthExceeded(let limit): ProxyWasmError.callDepthExceeded(limit: limit).description
        case .deadlineExceeded: "deadline exceeded"
        case .failed(let reason): reason
        }
    }

    /// How a callee's failure looks to its caller; invokers use it to
    /// report what `ProxyWasmInstance.handle` threw, so depth and deadline
    /// failures keep unwinding the whole chain.
    public init(_ error: ProxyWasmError) {
        switch error {
        case .callDepthExceeded(let limit): self = .callDepthExceeded(limit: limit)
        case .deadlineExceeded: self = .deadlineExceeded
        default: self = .failed(error.description)
        }
    }
}

/// Runs another function: the runtime routes `functionID` to an instance
/// (never the calling one, which is busy) and calls
/// `ProxyWasmInstance.handle(_:deadline:depth:)` with the `deadline` and
/// `depth` given here, so limits hold across the whole chain.
public protocol FunctionInvoker: Sendable {
    /// - Parameters:
    ///   - method: Layotto's method for `proxy_invoke_service` (often
    ///     empty), the `:method` header for `proxy_http_call`.
    ///   - headers: empty for `proxy_invoke_service`; for `proxy_http_call`
    ///     the call's headers, including the `:path` and `:authority`
    ///     pseudo-headers. `FunctionRequest(invocationMethod:headers:body:)`
    ///     builds the callee's request from these arguments.
    ///   - deadline: when the whole request must be done (nil: no limit).
    ///   - depth: the callee's invocation depth (1 for a function called by
    ///     a function serving an outside request).
    func invoke(functionID: String, method: String, body: [UInt8], headers: [(String, String)],
                deadline: ContinuousClock.Instant?, depth: Int) throws(InvocationError) -> FunctionResponse
}

/// For runtimes (and tests) without calls between functions: every id is
/// unknown.
public struct NoFunctionInvoker: FunctionInvoker {
    public init() {}

    public func invoke(functionID: String, method: String, body: [UInt8], headers: [(String, String)],
                       deadline: ContinuousClock.Instant?, depth: Int) throws(InvocationError) -> FunctionResponse {
        throw .unknownFunction(functionID)
    }
}

// MARK: - Upstreams

public enum UpstreamError: Error, Sendable, Equatable, CustomStringConvertible {
    case timedOut
    case failed(String)

    public var description: String {
        switch self {
        case .timedOut: "upstream timed out"
        case .failed(let reason): reason
        }
    }
}

/// Sends `proxy_http_call`s to upstreams outside Tern. Only allow-listed
/// upstreams are reachable; any other name is taken for a function id.
public protocol UpstreamClient: Sendable {
    func allows(upstream: String) -> Bool
    /// Sends `request` (its `host` header from the call's `:authority`);
    /// `timeout` nil means none.
    func send(upstream: String, request: FunctionRequest, timeout: Duration?) throws(UpstreamError) -> FunctionResponse
}

// MARK: - Shared data

/// A shared-data value and its compare-and-swap token.
public struct SharedDataEntry: Sendable, Equatable {
    public var value: [UInt8]
    /// Changes on every write; never 0.
    public var cas: UInt32

    public init(value: [UInt8], cas: UInt32) {
        self.value = value
        self.cas = cas
    }
}

public enum SharedDataError: Error, Sendable, Equatable {
    /// The `cas` given does not match the entry's current one.
    case casMismatch
}

/// Process-wide key/value data with compare-and-swap.
public protocol SharedData: Sendable {
    func get(key: String) -> SharedDataEntry?
    /// Stores `value`. With `cas` 0 the write is unconditional; otherwise
    /// it happens only if the key is absent or its current cas is `cas`.
    func set(key: String, value: [UInt8], cas: UInt32) throws(SharedDataError)
}

// MARK: - Shared queues

public enum SharedQueueError: Error, Sendable, Equatable {
    case unknownQueue
    /// The queue holds as many items as allowed.
    case full
}

/// Named FIFO queues of byte strings, namespaced by VM id (Tern uses the
/// function id).
public protocol SharedQueues: Sendable {
    /// The queue `name` of `vmID`, created when new.
    func register(name: String, vmID: String) -> UInt32
    func resolve(name: String, vmID: String) -> UInt32?
    func enqueue(queueID: UInt32, item: [UInt8]) throws(SharedQueueError)
    /// The oldest item; nil when the queue is empty.
    func dequeue(queueID: UInt32) throws(SharedQueueError) -> [UInt8]?
}

// MARK: - Metrics

public enum MetricError: Error, Sendable, Equatable {
    case unknownMetric
    /// E.g. decrementing a counter, or reading a histogram.
    case unsupportedOperation
}

/// Metrics defined by functions.
public protocol MetricsRegistry: Sendable {
    /// The id of metric `name` of `functionID`, created when new. Defining
    /// the same name and type again returns the same id, so every instance
    /// of a function shares its metrics.
    func define(functionID: String, type: ProxyMetricType, name: String) -> UInt32
    func increment(metricID: UInt32, by delta: Int64) throws(MetricError)
    /// Counters and gauges take the value; histograms record a sample.
    func record(metricID: UInt32, value: UInt64) throws(MetricError)
    func value(metricID: UInt32) throws(MetricError) -> UInt64
}

// MARK: - Logging

/// Receives what functions log.
public protocol FunctionLogger: Sendable {
    /// Messages below it are dropped (guests read it with
    /// `proxy_get_log_level` to skip building them).
    var minimumLevel: ProxyLogLevel { get }
    func log(functionID: String, level: ProxyLogLevel, message: String)
}
