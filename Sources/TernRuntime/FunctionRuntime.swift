import Synchronization
import TernEngine
import TernProxyWasm

/// Tern's function runtime, independent of HTTP: installs functions
/// (compiled once, instances pooled per function) and serves requests on a
/// pool of worker threads.
///
/// Threads: callers of `serve` (the HTTP event loops) only route and
/// queue; guest code runs on the worker pool; installs, updates and
/// removals are serialized by `adminLock`, which the request path never
/// takes.
public final class FunctionRuntime: Sendable {
    /// The services behind the host functions, shared by every instance.
    public let services: ProxyWasmHostServices
    /// The metrics functions define, for the admin API.
    public let metrics: InMemoryMetricsRegistry
    let engine = Engine()
    let registry = FunctionRegistry()
    let executor: FunctionExecutor
    private let adminLock = Mutex(())

    /// The longest the first instance of an install may take to load when
    /// the function has no timeout.
    static let defaultLoadTimeout = Duration.seconds(60)

    /// - Parameters:
    ///   - workers: threads running guest code; 0 means one per core.
    ///   - stateStores: the in-memory state stores and their contents.
    ///   - stateStore: a store to use instead of in-memory ones; its calls
    ///     are taken to block (see `WorkerPool.blocking`).
    ///   - upstreams: `proxy_http_call` targets outside Tern; their calls
    ///     are taken to block.
    public init(workers: Int = 0, stateStores: [String: [String: [UInt8]]] = [:],
                stateStore: (any StateStore)? = nil, upstreams: (any UpstreamClient)? = nil,
                logger: any FunctionLogger = StandardErrorLogger()) {
        let workerPool = WorkerPool(workerCount: workers > 0 ? workers : FunctionSettings.defaultInstances)
        let executor = FunctionExecutor(registry: registry, workers: workerPool, logger: logger)
        let metrics = InMemoryMetricsRegistry()
        self.executor = executor
        self.metrics = metrics
        services = ProxyWasmHostServices(
            stateStore: stateStore.map { BlockingStateStore(base: $0, workers: workerPool) }
                ?? InMemoryStateStore(stateStores),
            invoker: executor,
            sharedQueues: InMemorySharedQueues(onEnqueue: { queueID, vmID in
                executor.deliverQueueReady(queueID: queueID, vmID: vmID)
            }),
            metrics: metrics,
            logger: logger,
            upstreams: upstreams.map { BlockingUpstreamClient(base: $0, workers: workerPool) })
    }

    deinit {
        shutdown()
    }

    /// Drops every function and stops the workers once queued work is
    /// done. Requests already running finish.
    public func shutdown() {
        for deployment in registry.removeAll() { deployment.retire() }
        executor.workers.shutdown()
    }

    // MARK: Serving

    /// Serves `request` with function `functionID`. `completion` is called
    /// exactly once, from a worker thread (or, for a refusal, from the
    /// calling thread); this call never blocks.
    public func serve(_ request: FunctionRequest, functionID: String,
                      completion: @escaping @Sendable (Result<FunctionResponse, FunctionFailure>) -> Void) {
        executor.serve(request, functionID: functionID, completion: completion)
    }

    // MARK: Installing

    /// How an install treats a function already there.
    public enum InstallMode: Sendable {
        /// Layotto's `/wasm/install`: the name and the route id must be free.
        case new
        /// `PUT /v1/functions/{id}` and the configuration: a function
        /// routed at the same id is replaced; in-flight requests finish on
        /// it.
        case replace
    }

    /// Compiles, validates and loads a first instance of `definition`, then
    /// routes it. On any error nothing changes.
    @discardableResult
    public func install(_ definition: FunctionDefinition, mode: InstallMode) throws(DeploymentError) -> FunctionStatus {
        let bytes: [UInt8]
        do {
            bytes = try definition.source.load()
        } catch {
            throw .invalidSettings(error)
        }
        return try install(bytes: bytes, settings: definition.settings, mode: mode)
    }

    @discardableResult
    public func install(bytes: [UInt8], settings: FunctionSettings, mode: InstallMode) throws(DeploymentError) -> FunctionStatus {
        let module: ProxyWasmModule
        do {
            module = try ProxyWasmModule(bytes: bytes, engine: engine)
        } catch {
            throw .invalidModule(error)
        }
        let provisionalID = settings.id ?? settings.name
        let loadDeadline = ContinuousClock.now + (settings.limits.timeout ?? FunctionRuntime.defaultLoadTimeout)
        let firstInstance: ProxyWasmInstance
        do {
            firstInstance = try ProxyWasmInstance(module: module, services: services,
                                                  configuration: settings.proxyWasmConfiguration(functionID: provisionalID),
                                                  deadline: loadDeadline)
        } catch {
            throw .startFailed(error)
        }
        let routeID = try FunctionRuntime.routeID(settings: settings, announcedID: firstInstance.announcedID)
        var settings = settings
        if settings.name.isEmpty { settings.name = routeID }

        return try adminLock.withLock { _ throws(DeploymentError) -> FunctionStatus in
            let version = (registry.deployment(id: routeID)?.version ?? 0) + 1
            let deployment = Deployment(id: routeID, settings: settings, module: module, moduleSize: bytes.count,
                                        version: version, firstInstance: firstInstance, services: services)
            let name = settings.name
            let replaced = try registry.publish(deployment) { (table) throws(DeploymentError) in
                if let owner = table.idsByName[name], mode == .new || owner != routeID { throw .nameInUse(name) }
                if let existing = table.deployments[routeID], mode == .new {
                    throw .idInUse(id: routeID, name: existing.settings.name)
                }
            }
            replaced?.retire()
            // The guest asks for ticks while loading; its first instance
            // tells how often.
            if let period = firstInstance.tickPeriod {
                deployment.startTicking(every: period) { [executor] in executor.tick($0) }
            }
            return FunctionStatus(deployment)
        }
    }

    /// The explicit id; else, as in Layotto, the id the guest announced;
    /// else the install name.
    private static func routeID(settings: FunctionSettings, announcedID: String?) throws(DeploymentError) -> String {
        if let id = settings.id { return id }
        guard let announcedID else { return settings.name }
        if let reason = FunctionIdentifier.problem(with: announcedID) {
            throw .invalidAnnouncedID(announcedID, reason: reason)
        }
        return announcedID
    }

    /// Layotto's `/wasm/update`: changes the number of instances of the
    /// function installed as `name`, in place (idle instances stay warm).
    @discardableResult
    public func update(name: String, instances: Int) throws(DeploymentError) -> FunctionStatus {
        try adminLock.withLock { _ throws(DeploymentError) -> FunctionStatus in
            guard let deployment = registry.deployment(named: name) else { throw .unknownName(name) }
            deployment.pool.resize(maximum: instances, queueLimit: deployment.settings.queueLimit)
            return FunctionStatus(deployment)
        }
    }

    /// Unroutes function `id`; requests already running on it finish.
    @discardableResult
    public func remove(id: String) throws(DeploymentError) -> FunctionStatus {
        try unroute(missing: .unknownFunction(id)) { id }
    }

    /// Layotto's `/wasm/uninstall`: removes the function installed as `name`.
    @discardableResult
    public func uninstall(name: String) throws(DeploymentError) -> FunctionStatus {
        try unroute(missing: .unknownName(name)) { registry.deployment(named: name)?.id }
    }

    /// Removes the function whose id `find` gives, under the admin lock.
    private func unroute(missing: DeploymentError, _ find: () -> String?) throws(DeploymentError) -> FunctionStatus {
        try adminLock.withLock { _ throws(DeploymentError) -> FunctionStatus in
            guard let id = find(), let removed = registry.remove(id: id) else { throw missing }
            removed.retire()
            return FunctionStatus(removed)
        }
    }

    // MARK: Status

    public func status(id: String) -> FunctionStatus? {
        registry.deployment(id: id).map(FunctionStatus.init)
    }

    /// Threads running guest code now, spare ones started while others
    /// block in host calls included.
    public var workerThreads: Int { executor.workers.threads }

    /// Every installed function, by id.
    public var functions: [FunctionStatus] {
        registry.snapshot.deployments.values.map(FunctionStatus.init).sorted { $0.id < $1.id }
    }
}
