import TernEngine

/// The request being served: what the guest reads and changes through
/// buffers, header maps and properties while its stream context is the
/// effective one.
struct StreamState {
    let contextID: UInt32
    let request: FunctionRequest
    var requestHeaders: HeaderFields
    /// The request body, or the query string when the body is empty
    /// (Layotto's convention: functions read parameters from the body).
    var requestBody: [UInt8]
    var requestTrailers: HeaderFields
    var responseHeaders = HeaderFields()
    var responseBody: [UInt8] = []
    var responseTrailers = HeaderFields()
    /// Set by `proxy_send_local_response`: the answer, ending the stream.
    var localResponse: FunctionResponse?
    /// A callback returned Pause; `proxy_continue_stream` resumes.
    var isPaused = false
    /// `proxy_close_stream`: the request is reset, without a response.
    var isClosed = false
    /// `proxy_on_done` returned false; `proxy_done` acknowledges.
    var isFinalizationPending = false
    /// Set with `proxy_set_property` during this request.
    var properties: [[String]: [UInt8]] = [:]

    init(contextID: UInt32, request: FunctionRequest) {
        self.contextID = contextID
        self.request = request
        var headers = HeaderFields([(":method", request.method), (":path", request.target)])
        if let host = request.headers.first(where: { $0.0.equalsIgnoringASCIICase("host") }) {
            headers.add(":authority", host.1)
        }
        headers.fields += HeaderFields(request.headers).fields
        requestHeaders = headers
        requestBody = request.body.isEmpty ? Array(request.query.utf8) : request.body
        requestTrailers = HeaderFields(request.trailers)
    }

    /// No request callback may run anymore (the end-of-request callbacks
    /// still do).
    var hasEnded: Bool { localResponse != nil || isClosed }
}

/// The answer to a `proxy_http_call`, waiting to be delivered to
/// `proxy_on_http_call_response`.
struct CompletedHTTPCall {
    let callID: UInt32
    /// The context that dispatched the call: effective while it is
    /// delivered.
    let callerContextID: UInt32
    /// HTTP status; 0 when the call failed.
    let status: UInt32
    let message: String
    /// With a leading `:status` pseudo-header; empty when the call failed
    /// (the ABI's signal of failure is zero headers).
    let headers: HeaderFields
    let body: [UInt8]
    let trailers: HeaderFields

    init(callID: UInt32, callerContextID: UInt32, response: FunctionResponse) {
        self.callID = callID
        self.callerContextID = callerContextID
        status = UInt32(clamping: response.status)
        message = ""
        var headers = HeaderFields([(":status", String(response.status))])
        headers.fields += HeaderFields(response.headers).fields
        self.headers = headers
        body = response.body
        trailers = HeaderFields(response.trailers)
    }

    init(callID: UInt32, callerContextID: UInt32, failure: String) {
        self.callID = callID
        self.callerContextID = callerContextID
        status = 0
        message = failure
        headers = HeaderFields()
        body = []
        trailers = HeaderFields()
    }
}

/// Everything the host functions of one instance read and change. Owned by
/// its `ProxyWasmInstance` and used on its thread only.
final class HostState {
    static let rootContextID: UInt32 = 1

    let services: ProxyWasmHostServices
    let configuration: ProxyWasmConfiguration
    let identity: FunctionIdentity
    /// Announced by the guest in `proxy_get_id`, else the configured one.
    var functionID: String {
        get { identity.value }
        set { identity.value = newValue }
    }

    /// The context host functions act on: the root context, or the stream
    /// of the request being served.
    var effectiveContextID = HostState.rootContextID
    var stream: StreamState?
    /// Layotto's call-data buffer (type 8), where `proxy_get_id` writes.
    var callData: [UInt8] = []
    var tickPeriod: Duration?
    /// Metric ids this instance defined: the only ones it may touch, so a
    /// function cannot change another function's metrics by guessing ids.
    var definedMetricIDs: Set<UInt32> = []
    /// Set with `proxy_set_property` outside any request.
    var rootProperties: [[String]: [UInt8]] = [:]
    /// Answers of `proxy_http_call`, delivered once the current callback
    /// returns, oldest first.
    var completedHTTPCalls: [CompletedHTTPCall] = []
    /// The answer `proxy_on_http_call_response` is running for.
    var deliveredHTTPCall: CompletedHTTPCall?

    /// Limits of the current run: when it must end, and how deep in a
    /// chain of invocations it is (0 for an outside request).
    var deadline: ContinuousClock.Instant?
    var invocationDepth = 0
    /// Set by a host function that stops the guest because the whole chain
    /// of invocations must fail (depth or deadline); the trap it throws
    /// only carries a message.
    var chainFailure: ProxyWasmError?

    private var lastContextID = HostState.rootContextID
    private var lastCallID: UInt32 = 0
    private var cachedAllocator: Function?

    init(services: ProxyWasmHostServices, configuration: ProxyWasmConfiguration) {
        self.services = services
        self.configuration = configuration
        identity = FunctionIdentity(configuration.functionID)
    }

    /// A context id for a new request: never 0 (no parent) nor the root's.
    func makeContextID() -> UInt32 {
        lastContextID = lastContextID == .max ? HostState.rootContextID + 1 : lastContextID + 1
        return lastContextID
    }

    func makeCallID() -> UInt32 {
        lastCallID = lastCallID == .max ? 1 : lastCallID + 1
        return lastCallID
    }

    /// The guest's allocator, found through the caller on first use (the
    /// same function serves every later call: it lives in this store).
    func allocator(for caller: Caller) -> Function? {
        if let cachedAllocator { return cachedAllocator }
        for export in GuestExport.allocators {
            if case .function(let function)? = caller.export(export.rawValue) {
                cachedAllocator = function
                return function
            }
        }
        return nil
    }

    func log(_ level: ProxyLogLevel, _ message: String) {
        guard level >= services.logger.minimumLevel else { return }
        services.logger.log(functionID: functionID, level: level, message: message)
    }

    /// Records why the whole chain fails and returns the trap that stops
    /// this guest.
    func failChain(_ error: ProxyWasmError) -> HostCallError {
        chainFailure = error
        return .trap(Trap(.host(error.description)))
    }

    // MARK: The effective stream

    /// The request stream, when it is the effective context.
    func readStream<R>(_ read: (StreamState) -> R) throws(HostCallError) -> R {
        guard let stream, stream.contextID == effectiveContextID else { throw .status(.notFound) }
        return read(stream)
    }

    /// Changes the request stream, when it is the effective context. The
    /// stream is moved out while `change` runs, so its buffers are changed
    /// in place rather than copied.
    func modifyStream<R>(_ change: (inout StreamState) throws(HostCallError) -> R) throws(HostCallError) -> R {
        guard var current = stream, current.contextID == effectiveContextID else { throw .status(.notFound) }
        stream = nil
        defer { stream = current }
        return try change(&current)
    }

    /// Refuses data the host would keep beyond `maxHostDataBytes`.
    func checkSize(_ byteCount: Int) throws(HostCallError) {
        guard byteCount <= configuration.maxHostDataBytes else { throw .status(.badArgument) }
    }
}
