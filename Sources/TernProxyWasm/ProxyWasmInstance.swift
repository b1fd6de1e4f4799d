import Synchronization
import TernEngine
import TernWASI

/// One loaded function: an instance of a `ProxyWasmModule` in its own
/// store, with its host state. Serves one call (request, tick, queue
/// notification) at a time and is not reentrant; a pool gives each
/// concurrent request its own instance. After an error that interrupted the
/// guest (`isUsable` false) the instance must be discarded.
///
/// Loading (`init`): `_initialize` (then `main(0, 0)` if exported) or
/// `_start`; `proxy_get_id`, whose call-data buffer announces the function
/// id; `proxy_on_context_create(1, 0)`; `proxy_on_vm_start(1, size)`;
/// `proxy_on_configure(1, size)`.
///
/// A request (`handle`) gets a fresh context id and runs
/// `proxy_on_context_create(id, 1)`, `proxy_on_request_headers`,
/// `proxy_on_request_body` (when the body buffer, which holds the query
/// string when the request has no body, is not empty) and
/// `proxy_on_request_trailers` (when there are trailers), then
/// `proxy_on_done`, `proxy_on_log` and `proxy_on_delete`. A callback that
/// pauses, a local response or a closed stream skips the remaining request
/// callbacks. Answers to `proxy_http_call` are delivered after the callback
/// that made the call.
public final class ProxyWasmInstance: @unchecked Sendable {
    public let module: ProxyWasmModule
    /// The id the guest announced from `proxy_get_id`; nil when it has no
    /// such export or announced nothing.
    public private(set) var announcedID: String?
    /// False once an error interrupted the guest: discard the instance.
    public private(set) var isUsable = true

    private let store: Store
    private let state: HostState
    private let exports: [GuestExport: Function]
    /// Turns concurrent or reentrant use into `instanceBusy` instead of
    /// memory corruption.
    private let isRunning = Atomic<Bool>(false)

    /// Instantiates `module` and runs its load sequence.
    /// - Parameter deadline: when loading must be done (nil: no limit).
    public init(module: ProxyWasmModule, services: ProxyWasmHostServices,
                configuration: ProxyWasmConfiguration = ProxyWasmConfiguration(),
                deadline: ContinuousClock.Instant? = nil) throws(ProxyWasmError) {
        let state = HostState(services: services, configuration: configuration)
        let store = Store(engine: module.engine, limits: configuration.limits)
        let linker = Linker()
        HostImports.define(in: linker, for: module.compiledModule, state: state)
        do {
            let wasi = try WASI(configuration: configuration.wasi,
                                stdout: GuestOutputLogger(logger: services.logger, level: .info, identity: state.identity),
                                stderr: GuestOutputLogger(logger: services.logger, level: .error, identity: state.identity))
            wasi.define(in: linker, for: module.compiledModule)
        } catch {
            throw .startFailed(error.description)
        }
        let instance: Instance
        do {
            instance = try linker.instantiate(module.compiledModule, store: store)
        } catch {
            throw .instantiation(error)
        }
        var exports: [GuestExport: Function] = [:]
        for export in GuestExport.allCases {
            exports[export] = instance.function(export.rawValue)
        }
        self.module = module
        self.store = store
        self.state = state
        self.exports = exports
        try load(deadline: deadline)
    }

    /// The function id: announced by the guest, else the configured one.
    public var functionID: String { state.functionID }

    /// How often the guest asked for `tick()`; nil when it did not.
    public var tickPeriod: Duration? { state.tickPeriod }

    private func load(deadline: ContinuousClock.Instant?) throws(ProxyWasmError) {
        try run(deadline: deadline, depth: 0) { () throws(ProxyWasmError) in
            if exports[.initialize] != nil {
                try call(.initialize)
                try call(.main, [0, 0])
            } else {
                try call(.start)
            }
            state.callData = []
            if let status = try call(.getID), status != ProxyStatus.ok.rawValue {
                throw .startFailed("proxy_get_id returned status \(status)")
            }
            if !state.callData.isEmpty {
                let id = String(decoding: state.callData, as: UTF8.self)
                announcedID = id
                state.functionID = id
            }
            let root = HostState.rootContextID
            try call(.contextCreate, [root, 0])
            let configuration = state.configuration
            if try call(.vmStart, [root, UInt32(clamping: configuration.vmConfiguration.count)]) == 0 {
                throw .startFailed("proxy_on_vm_start returned false")
            }
            if try call(.configure, [root, UInt32(clamping: configuration.pluginConfiguration.count)]) == 0 {
                throw .startFailed("proxy_on_configure returned false")
            }
            try deliverHTTPCallResponses()
        }
    }

    /// Serves `request`.
    /// - Parameters:
    ///   - deadline: when the answer is due; the guest is interrupted then,
    ///     and invocations it makes inherit it.
    ///   - depth: 0 for an outside request; invokers pass the depth they
    ///     are given, so chains of invocations are bounded.
    public func handle(_ request: FunctionRequest, deadline: ContinuousClock.Instant? = nil,
                       depth: Int = 0) throws(ProxyWasmError) -> FunctionResponse {
        try run(deadline: deadline, depth: depth) { () throws(ProxyWasmError) -> FunctionResponse in
            let contextID = state.makeContextID()
            let stream = StreamState(contextID: contextID, request: request)
            state.stream = stream
            defer { state.stream = nil }
            try call(.contextCreate, in: contextID, [contextID, HostState.rootContextID])
            let bodyFollows = !stream.requestBody.isEmpty, trailersFollow = stream.requestTrailers.count > 0
            try runRequestCallback(.requestHeaders, contextID, [UInt32(clamping: stream.requestHeaders.count),
                                                                bodyFollows || trailersFollow ? 0 : 1])
            if bodyFollows {
                // The headers callback may have changed the body.
                let bodySize = UInt32(clamping: state.stream?.requestBody.count ?? 0)
                try runRequestCallback(.requestBody, contextID, [bodySize, trailersFollow ? 0 : 1])
            }
            if trailersFollow {
                try runRequestCallback(.requestTrailers, contextID, [UInt32(clamping: stream.requestTrailers.count)])
            }
            if try call(.done, in: contextID, [contextID]) == 0 {
                state.stream?.isFinalizationPending = true
            }
            try deliverHTTPCallResponses()
            try call(.log, in: contextID, [contextID])
            try call(.delete, in: contextID, [contextID])
            guard let finished = state.stream, !finished.isClosed else { throw .streamClosed }
            return finished.response
        }
    }

    /// Calls `proxy_on_tick`: the runtime calls it every `tickPeriod`.
    public func tick(deadline: ContinuousClock.Instant? = nil) throws(ProxyWasmError) {
        try run(deadline: deadline, depth: 0) { () throws(ProxyWasmError) in
            try call(.tick, [HostState.rootContextID])
            try deliverHTTPCallResponses()
        }
    }

    /// Calls `proxy_on_queue_ready`: the runtime calls it on an instance of
    /// the function that registered the queue when an item is enqueued
    /// (see `InMemorySharedQueues.init(capacity:onEnqueue:)`).
    public func deliverQueueReady(queueID: UInt32, deadline: ContinuousClock.Instant? = nil) throws(ProxyWasmError) {
        try run(deadline: deadline, depth: 0) { () throws(ProxyWasmError) in
            try call(.queueReady, [HostState.rootContextID, queueID])
            try deliverHTTPCallResponses()
        }
    }

    // MARK: Running the guest

    /// Runs `body` as one call of the instance: exclusive, refuelled, and
    /// interrupted at `deadline` by the shared deadline timer.
    private func run<R>(deadline: ContinuousClock.Instant?, depth: Int,
                        _ body: () throws(ProxyWasmError) -> R) throws(ProxyWasmError) -> R {
        guard isRunning.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            throw .instanceBusy
        }
        defer { isRunning.store(false, ordering: .releasing) }
        guard isUsable else { throw .instanceUnusable }
        if let deadline, ContinuousClock.now >= deadline { throw .deadlineExceeded }
        // A deadline that fired just after the previous call finished has
        // left the flag set.
        store.interruptHandle.clear()
        store.refuel()
        state.deadline = deadline
        state.invocationDepth = depth
        state.chainFailure = nil
        let timer = deadline.map { DeadlineTimer.shared.arm(store.interruptHandle, after: $0 - ContinuousClock.now) }
        defer {
            if let timer { DeadlineTimer.shared.disarm(timer) }
        }
        return try body()
    }

    /// Calls `export` (when the guest has it) with `context` as the
    /// effective context; returns its i32 result, if any. Any failure
    /// interrupted the guest, so it makes the instance unusable.
    @discardableResult
    private func call(_ export: GuestExport, in context: UInt32 = HostState.rootContextID,
                      _ arguments: [UInt32] = []) throws(ProxyWasmError) -> UInt32? {
        guard let function = exports[export] else { return nil }
        state.effectiveContextID = context
        do {
            let results = try function.invoke(arguments.map { .i32($0) })
            guard case .i32(let result)? = results.first else { return nil }
            return result
        } catch {
            isUsable = false
            if let failure = state.chainFailure { throw failure }
            throw error.kind == .deadlineExceeded ? .deadlineExceeded : .trap(error)
        }
    }

    /// Runs one request callback (unless the request is paused or ended)
    /// in the request's context, then delivers the answers of the HTTP
    /// calls it made. An action other than Continue pauses the request.
    private func runRequestCallback(_ callback: GuestExport, _ contextID: UInt32,
                                    _ arguments: [UInt32]) throws(ProxyWasmError) {
        guard state.stream?.isProceeding == true else { return }
        if let action = try call(callback, in: contextID, [contextID] + arguments),
           action != ProxyAction.continue.rawValue {
            state.stream?.isPaused = true
        }
        try deliverHTTPCallResponses()
    }

    /// Delivers, oldest first, the answers of HTTP calls, each in the
    /// context that made the call (answers may lead to more calls).
    private func deliverHTTPCallResponses() throws(ProxyWasmError) {
        while !state.completedHTTPCalls.isEmpty {
            let completed = state.completedHTTPCalls.removeFirst()
            state.deliveredHTTPCall = completed
            defer { state.deliveredHTTPCall = nil }
            try call(.httpCallResponse, in: completed.callerContextID,
                     [HostState.rootContextID, completed.callID, UInt32(clamping: completed.headers.count),
                      UInt32(clamping: completed.body.count), UInt32(clamping: completed.trailers.count)])
        }
    }
}

extension StreamState {
    /// Neither paused nor ended: the next request callback may run.
    var isProceeding: Bool { !isPaused && !hasEnded }

    /// The answer: the local response if one was sent, else the response
    /// headers, body and trailers the function built. A `:status` response
    /// header (100-599) sets the status, which is otherwise 200.
    var response: FunctionResponse {
        if let localResponse { return localResponse }
        let status = responseHeaders.value(for: ":status").flatMap { Int($0) }.flatMap { (100...599).contains($0) ? $0 : nil }
        return FunctionResponse(status: status ?? 200,
                                headers: responseHeaders.pairs.filter { !$0.0.hasPrefix(":") },
                                body: responseBody, trailers: responseTrailers.pairs)
    }
}
