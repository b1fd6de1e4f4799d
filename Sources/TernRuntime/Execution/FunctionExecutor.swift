import TernProxyWasm

/// Runs calls on function instances: outside requests asynchronously on
/// the worker pool, nested invocations synchronously on the caller's
/// worker, and notifications the host starts (queue ready, ticks).
///
/// It is the `FunctionInvoker` of every instance, so it holds the registry
/// weakly: deployments hold the host services, which hold the invoker.
final class FunctionExecutor: FunctionInvoker, Sendable {
    private weak let registry: FunctionRegistry?
    let workers: WorkerPool
    private let logger: any FunctionLogger

    init(registry: FunctionRegistry, workers: WorkerPool, logger: any FunctionLogger) {
        self.registry = registry
        self.workers = workers
        self.logger = logger
    }

    /// One call on an instance, given the deadline it must meet.
    typealias Call<T> = @Sendable (ProxyWasmInstance, ContinuousClock.Instant?) throws(ProxyWasmError) -> T

    // MARK: Outside requests

    /// Serves `request` with function `functionID`; `completion` is called
    /// once, on a worker (or on the calling thread when the request is
    /// refused at once).
    func serve(_ request: FunctionRequest, functionID: String,
               completion: @escaping @Sendable (Result<FunctionResponse, FunctionFailure>) -> Void) {
        guard let deployment = registry?.deployment(id: functionID) else {
            return completion(.failure(.unknownFunction(functionID)))
        }
        run(on: deployment, deadline: deployment.deadline()) { instance, deadline throws(ProxyWasmError) in
            try instance.handle(request, deadline: deadline, depth: 0)
        } completion: { result in
            deployment.counters.requests.add(1, ordering: .relaxed)
            if case .failure = result { deployment.counters.failures.add(1, ordering: .relaxed) }
            completion(result)
        }
    }

    /// Runs `call` on an instance of `deployment` on a worker: at once if
    /// an instance is idle or may be created, else once one is released.
    private func run<T: Sendable>(on deployment: Deployment, deadline: ContinuousClock.Instant?,
                                  _ call: @escaping Call<T>,
                                  completion: @escaping @Sendable (Result<T, FunctionFailure>) -> Void) {
        let start: InstancePool.Waiter = { slot in
            self.workers.submit {
                let result = self.execute(call, on: deployment, slot: slot, deadline: deadline)
                completion(result.mapError { FunctionFailure(function: deployment.id, $0) })
            }
        }
        switch deployment.pool.checkout(orWait: start) {
        case .granted(let slot): start(slot)
        case .queued: break
        case .full(let busy, let queued):
            completion(.failure(.overloaded(function: deployment.id, busy: busy, queued: queued)))
        }
    }

    // MARK: Nested invocations

    /// `proxy_invoke_service` and `proxy_http_call` to a function: runs
    /// the callee on this thread, within the caller's deadline (and the
    /// callee's own timeout), at depth `depth`.
    func invoke(functionID: String, method: String, body: [UInt8], headers: [(String, String)],
                deadline: ContinuousClock.Instant?, depth: Int) throws(InvocationError) -> FunctionResponse {
        guard let deployment = registry?.deployment(id: functionID) else { throw .unknownFunction(functionID) }
        deployment.counters.invocations.add(1, ordering: .relaxed)
        let callDeadline = [deadline, deployment.deadline()].compactMap { $0 }.min()
        let request = FunctionRequest(invocationMethod: method, headers: headers, body: body)
        let result = execute({ instance, deadline throws(ProxyWasmError) in
            try instance.handle(request, deadline: deadline, depth: depth)
        }, on: deployment, slot: deployment.pool.checkoutWithoutWaiting(), deadline: callDeadline)
        switch result {
        case .success(let response):
            return response
        case .failure(let error):
            deployment.counters.failures.add(1, ordering: .relaxed)
            throw InvocationError(error)
        }
    }

    // MARK: Host notifications

    /// An item was enqueued on a queue that function `vmID` registered:
    /// runs its `proxy_on_queue_ready` on one of its instances.
    func deliverQueueReady(queueID: UInt32, vmID: String) {
        guard let deployment = registry?.deployment(vmID: vmID) else { return }
        run(on: deployment, deadline: deployment.deadline()) { instance, deadline throws(ProxyWasmError) in
            try instance.deliverQueueReady(queueID: queueID, deadline: deadline)
        } completion: { [logger] result in
            guard case .failure(let failure) = result else { return }
            logger.log(functionID: deployment.id, level: .warn, message: "queue \(queueID) notification failed: \(failure)")
        }
    }

    /// The deployment's tick period passed: runs `proxy_on_tick` on each
    /// of its idle instances (busy ones skip this tick).
    func tick(_ deployment: Deployment) {
        for instance in deployment.pool.checkoutIdle() {
            workers.submit { [logger] in
                let result = self.execute({ instance, deadline throws(ProxyWasmError) in
                    try instance.tick(deadline: deadline)
                }, on: deployment, slot: .idle(instance), deadline: deployment.deadline())
                if case .failure(let error) = result {
                    logger.log(functionID: deployment.id, level: .warn, message: "proxy_on_tick failed: \(error.firstLine)")
                }
            }
        }
    }

    // MARK: Running a call

    /// Runs `call` on the current thread with `slot`'s instance (creating
    /// it if need be), then gives the slot back: the instance if it is
    /// still usable, nothing if a failure left it unusable.
    private func execute<T>(_ call: Call<T>, on deployment: Deployment, slot: InstancePool.Slot,
                            deadline: ContinuousClock.Instant?) -> Result<T, ProxyWasmError> {
        let instance: ProxyWasmInstance, counted: Bool
        switch slot {
        case .idle(let idle):
            instance = idle
            counted = true
        case .create(let isCounted):
            counted = isCounted
            // A request that expired while queued must not cost an
            // instantiation. (Running checks the deadline too.)
            if let deadline, ContinuousClock.now >= deadline {
                deployment.pool.release(nil, counted: counted)
                return .failure(.deadlineExceeded)
            }
            do {
                instance = try deployment.makeInstance(deadline: deadline)
            } catch {
                deployment.pool.release(nil, counted: counted)
                return .failure(error)
            }
        }
        do {
            let value = try call(instance, deadline)
            deployment.pool.release(instance, counted: counted)
            return .success(value)
        } catch {
            deployment.pool.release(instance.isUsable ? instance : nil, counted: counted)
            return .failure(error)
        }
    }
}
