import Dispatch
import Foundation
import Synchronization
import TernProxyWasm

/// One installed version of a function: its compiled module, settings and
/// instance pool. Immutable but for the pool and the counters; an update
/// publishes a new `Deployment`, and requests that already hold the old
/// one finish on it.
final class Deployment: Sendable {
    /// The route id.
    let id: String
    let settings: FunctionSettings
    let module: ProxyWasmModule
    /// What the guest announced from `proxy_get_id`, if anything.
    let announcedID: String?
    /// 1 for the first install of `id`, then one more per replacement.
    let version: Int
    let moduleSize: Int
    let installedAt: Date
    let pool: InstancePool
    let counters = DeploymentCounters()

    private let services: ProxyWasmHostServices
    private let configuration: ProxyWasmConfiguration
    /// Drives `proxy_on_tick` while the deployment is routed.
    private let tickTimer = Mutex<RepeatingTimer?>(nil)

    init(id: String, settings: FunctionSettings, module: ProxyWasmModule, moduleSize: Int, version: Int,
         firstInstance: ProxyWasmInstance, services: ProxyWasmHostServices) {
        self.id = id
        self.settings = settings
        self.module = module
        self.announcedID = firstInstance.announcedID
        self.version = version
        self.moduleSize = moduleSize
        self.installedAt = Date()
        self.services = services
        self.configuration = settings.proxyWasmConfiguration(functionID: id)
        self.pool = InstancePool(maximum: settings.instances, queueLimit: settings.queueLimit,
                                 seededWith: firstInstance)
    }

    /// A new instance, loaded; nil deadline means none.
    func makeInstance(deadline: ContinuousClock.Instant?) throws(ProxyWasmError) -> ProxyWasmInstance {
        let instance = try ProxyWasmInstance(module: module, services: services, configuration: configuration,
                                             deadline: deadline)
        counters.instancesCreated.add(1, ordering: .relaxed)
        return instance
    }

    /// Calls `tick` every `period` until `retire()`.
    func startTicking(every period: Duration, _ tick: @escaping @Sendable (Deployment) -> Void) {
        let timer = RepeatingTimer(every: period) { [weak self] in
            if let self { tick(self) }
        }
        tickTimer.withLock { $0 = timer }
    }

    /// No longer routed (replaced or removed): stops the ticks and the
    /// pooling; requests holding or awaiting an instance still finish.
    func retire() {
        tickTimer.withLock { timer in
            timer?.cancel()
            timer = nil
        }
        pool.retire()
    }

    /// When a call starting now must end.
    func deadline() -> ContinuousClock.Instant? {
        settings.limits.timeout.map { .now + $0 }
    }
}

/// What a deployment has done, for `GET /v1/functions`.
final class DeploymentCounters: Sendable {
    /// Outside requests, whatever their outcome.
    let requests = Atomic<Int>(0)
    /// Calls from other functions.
    let invocations = Atomic<Int>(0)
    /// Requests and invocations that failed: traps, deadlines, refusals.
    let failures = Atomic<Int>(0)
    /// The first one, made at install, included.
    let instancesCreated = Atomic<Int>(1)
}

/// A repeating timer on a Dispatch queue. Dispatch sources may be resumed
/// and cancelled from any thread, hence the `@unchecked Sendable`.
final class RepeatingTimer: @unchecked Sendable {
    private let source: DispatchSourceTimer

    init(every period: Duration, _ handler: @escaping @Sendable () -> Void) {
        source = DispatchSource.makeTimerSource(queue: .global())
        let interval = DispatchTimeInterval.nanoseconds(Int(max(period, .milliseconds(1)) / .nanoseconds(1)))
        source.schedule(deadline: .now() + interval, repeating: interval)
        source.setEventHandler(handler: handler)
        source.resume()
    }

    func cancel() { source.cancel() }
}
