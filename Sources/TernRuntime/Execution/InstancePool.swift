import Synchronization
import TernProxyWasm

/// The instances of one deployed version of a function, and the outside
/// requests waiting for one.
///
/// An instance is confined to one thread at a time: it is either idle here
/// (guarded by the pool's lock) or leased to exactly one worker, which
/// gives it back with `release`. Instances are created lazily, on the
/// worker that needs one, up to `maximum`; beyond that, outside requests
/// wait in a bounded FIFO queue (a worker releasing an instance hands it
/// straight to the oldest waiter) and are refused when the queue is full.
///
/// Nested invocations (`proxy_invoke_service`, `proxy_http_call` to a
/// function) never wait: their callers hold instances, possibly every
/// instance of this very function, so waiting could deadlock. They take an
/// idle instance or get a temporary one beyond `maximum`; a chain of calls
/// adds at most its invocation depth limit of them.
final class InstancePool: Sendable {
    /// What a lease holds: an instance, or the right to create one.
    enum Slot {
        case idle(ProxyWasmInstance)
        /// Create an instance and use it. A counted slot is one of the
        /// `maximum`; an uncounted one is a nested call's temporary
        /// instance.
        case create(counted: Bool)
    }

    /// An outside request waiting for a slot; called once, outside the
    /// lock, on the thread that released the slot.
    typealias Waiter = @Sendable (Slot) -> Void

    enum Checkout {
        case granted(Slot)
        /// The waiter will be called once a slot is free.
        case queued
        /// Every instance is busy and the queue is full.
        case full(busy: Int, queued: Int)
    }

    private struct State {
        var idle: [ProxyWasmInstance] = []
        /// Counted instances alive, leased or idle (or being created).
        var live = 0
        var maximum: Int
        var queueLimit: Int
        var waiters = FIFO<Waiter>()
        /// Replaced by a new version or removed: instances released to it
        /// are dropped once no request waits.
        var isRetired = false
    }

    private let state: Mutex<State>
    /// Temporary instances made for nested calls, for status.
    private let temporaryCount = Atomic<Int>(0)

    init(maximum: Int, queueLimit: Int, seededWith instance: ProxyWasmInstance? = nil) {
        var initial = State(maximum: max(1, maximum), queueLimit: max(0, queueLimit))
        if let instance {
            initial.idle.append(instance)
            initial.live = 1
        }
        state = Mutex(initial)
    }

    /// A slot for an outside request, or a place in the queue.
    func checkout(orWait waiter: @escaping Waiter) -> Checkout {
        state.withLock { state in
            if let instance = state.idle.popLast() { return .granted(.idle(instance)) }
            if state.live < state.maximum {
                state.live += 1
                return .granted(.create(counted: true))
            }
            guard state.waiters.count < state.queueLimit else {
                return .full(busy: state.live, queued: state.waiters.count)
            }
            state.waiters.push(waiter)
            return .queued
        }
    }

    /// A slot for a nested invocation: never waits.
    func checkoutWithoutWaiting() -> Slot {
        let slot: Slot = state.withLock { state in
            if let instance = state.idle.popLast() { return .idle(instance) }
            if state.live < state.maximum {
                state.live += 1
                return .create(counted: true)
            }
            return .create(counted: false)
        }
        if case .create(counted: false) = slot { temporaryCount.add(1, ordering: .relaxed) }
        return slot
    }

    /// Gives back a slot: `instance` when it is still usable, nil when it
    /// was discarded (or could not be created). `counted` is the slot's.
    func release(_ instance: ProxyWasmInstance?, counted: Bool) {
        let handoff: (Waiter, Slot)? = state.withLock { state in
            if !counted {
                // A temporary instance joins the pool if there is room.
                guard let instance, !state.isRetired, state.live < state.maximum else { return nil }
                state.live += 1
                return InstancePool.releaseCounted(instance, in: &state)
            }
            return InstancePool.releaseCounted(instance, in: &state)
        }
        if !counted { temporaryCount.subtract(1, ordering: .relaxed) }
        if let (waiter, slot) = handoff { waiter(slot) }
    }

    private static func releaseCounted(_ instance: ProxyWasmInstance?, in state: inout State) -> (Waiter, Slot)? {
        // Waiters were accepted while the pool served them: they are
        // served even after the pool is retired, by its own version.
        if state.live <= state.maximum, let waiter = state.waiters.pop() {
            return (waiter, instance.map(Slot.idle) ?? .create(counted: true))
        }
        if let instance, !state.isRetired, state.live <= state.maximum {
            state.idle.append(instance)
        } else {
            state.live -= 1
        }
        return nil
    }

    /// Leases every idle instance (for a tick); each is given back with
    /// `release(_:counted: true)`. Busy instances are not waited for.
    func checkoutIdle() -> [ProxyWasmInstance] {
        state.withLock { state in
            defer { state.idle = [] }
            return state.idle
        }
    }

    /// Changes the number of instances. Extra idle instances are dropped
    /// now, extra leased ones when they are released; room for more lets
    /// waiting requests in.
    func resize(maximum: Int, queueLimit: Int) {
        // Dropped instances are returned so that they are freed outside
        // the lock.
        let (admitted, _): ([Waiter], [ProxyWasmInstance]) = state.withLock { state in
            state.maximum = max(1, maximum)
            state.queueLimit = max(0, queueLimit)
            var dropped: [ProxyWasmInstance] = []
            while state.live > state.maximum, let instance = state.idle.popLast() {
                dropped.append(instance)
                state.live -= 1
            }
            var admitted: [Waiter] = []
            while state.live < state.maximum, let waiter = state.waiters.pop() {
                state.live += 1
                admitted.append(waiter)
            }
            return (admitted, dropped)
        }
        for waiter in admitted { waiter(.create(counted: true)) }
    }

    /// Stops pooling: idle instances are dropped now, leased ones when
    /// released. Requests already waiting are still served.
    func retire() {
        // Returned so that the instances are freed outside the lock.
        _ = state.withLock { state -> [ProxyWasmInstance] in
            state.isRetired = true
            state.live -= state.idle.count
            defer { state.idle = [] }
            return state.idle
        }
    }

    struct Status {
        var live: Int
        var idle: Int
        var maximum: Int
        var queued: Int
        var queueLimit: Int
        var temporary: Int
    }

    var status: Status {
        let temporary = temporaryCount.load(ordering: .relaxed)
        return state.withLock { state in
            Status(live: state.live, idle: state.idle.count, maximum: state.maximum, queued: state.waiters.count,
                   queueLimit: state.queueLimit, temporary: temporary)
        }
    }
}
