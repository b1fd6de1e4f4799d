#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// State stores held in memory, seeded from configuration (a persistent or
/// Redis-backed `StateStore` can replace it without touching the host).
public final class InMemoryStateStore: StateStore {
    private let stores: Mutex<[String: [String: [UInt8]]]>

    /// - Parameter stores: store name -> key -> value. Only these stores
    ///   exist (others are `unknownStore`), though `set` may add more.
    public init(_ stores: [String: [String: [UInt8]]] = [:]) {
        self.stores = Mutex(stores)
    }

    /// Seeds from text values, e.g. `["state_demo": ["book1": "100"]]`.
    public convenience init(text stores: [String: [String: String]]) {
        self.init(stores.mapValues { $0.mapValues { Array($0.utf8) } })
    }

    public func get(store: String, key: String) throws(StateStoreError) -> [UInt8]? {
        let result: [UInt8]?? = stores.withLock { $0[store].map { $0[key] } }
        guard let entries = result else { throw .unknownStore(store) }
        return entries
    }

    /// Sets (or, with nil, removes) `key` in `store`, creating the store.
    public func set(store: String, key: String, value: [UInt8]?) {
        stores.withLock { $0[store, default: [:]][key] = value }
    }
}

/// Shared data held in memory. Each write takes a fresh cas from one
/// process-wide counter (skipping 0, which means "no cas").
public final class InMemorySharedData: SharedData {
    private let state = Mutex<(entries: [String: SharedDataEntry], lastCAS: UInt32)>((entries: [:], lastCAS: 0))

    public init() {}

    public func get(key: String) -> SharedDataEntry? {
        state.withLock { $0.entries[key] }
    }

    public func set(key: String, value: [UInt8], cas: UInt32) throws(SharedDataError) {
        let stored = state.withLock { state in
            if cas != 0, let current = state.entries[key], current.cas != cas { return false }
            state.lastCAS = state.lastCAS == .max ? 1 : state.lastCAS + 1
            state.entries[key] = SharedDataEntry(value: value, cas: state.lastCAS)
            return true
        }
        guard stored else { throw .casMismatch }
    }
}

/// Shared queues held in memory, each bounded so a producer without a
/// consumer cannot exhaust host memory.
public final class InMemorySharedQueues: SharedQueues {
    private struct Queue {
        var items: [[UInt8]] = []
        var head = 0
        let vmID: String

        var count: Int { items.count - head }

        mutating func popFirst() -> [UInt8]? {
            guard head < items.count else { return nil }
            let item = items[head]
            head += 1
            // Compact once the consumed prefix dominates, keeping pops O(1)
            // amortized without an ever-growing array.
            if head > 32 && head * 2 > items.count {
                items.removeFirst(head)
                head = 0
            }
            return item
        }
    }

    private struct State {
        var queues: [UInt32: Queue] = [:]
        var idsByName: [String: UInt32] = [:]
        var lastID: UInt32 = 0
    }

    private let state = Mutex(State())
    /// Most items one queue holds; enqueueing more fails with `full`.
    public let capacity: Int
    private let onEnqueue: (@Sendable (_ queueID: UInt32, _ vmID: String) -> Void)?

    /// - Parameters:
    ///   - capacity: most items per queue.
    ///   - onEnqueue: called (on the enqueuing thread, outside any lock)
    ///     after each successful enqueue, with the queue id and the VM id
    ///     (function id) that registered the queue. The runtime uses it to
    ///     schedule `ProxyWasmInstance.deliverQueueReady` on an idle
    ///     instance of that function.
    public init(capacity: Int = 10_000, onEnqueue: (@Sendable (_ queueID: UInt32, _ vmID: String) -> Void)? = nil) {
        self.capacity = max(1, capacity)
        self.onEnqueue = onEnqueue
    }

    private static func key(name: String, vmID: String) -> String { vmID + "\u{0}" + name }

    public func register(name: String, vmID: String) -> UInt32 {
        state.withLock { state in
            let key = InMemorySharedQueues.key(name: name, vmID: vmID)
            if let id = state.idsByName[key] { return id }
            state.lastID += 1
            state.idsByName[key] = state.lastID
            state.queues[state.lastID] = Queue(vmID: vmID)
            return state.lastID
        }
    }

    public func resolve(name: String, vmID: String) -> UInt32? {
        state.withLock { $0.idsByName[InMemorySharedQueues.key(name: name, vmID: vmID)] }
    }

    public func enqueue(queueID: UInt32, item: [UInt8]) throws(SharedQueueError) {
        let result: Result<String, SharedQueueError> = state.withLock { state in
            // Mutated through its index: a copy of the queue would make the
            // append copy every item.
            guard let index = state.queues.index(forKey: queueID) else { return .failure(.unknownQueue) }
            guard state.queues.values[index].count < capacity else { return .failure(.full) }
            state.queues.values[index].items.append(item)
            return .success(state.queues.values[index].vmID)
        }
        onEnqueue?(queueID, try result.get())
    }

    public func dequeue(queueID: UInt32) throws(SharedQueueError) -> [UInt8]? {
        let result: Result<[UInt8]?, SharedQueueError> = state.withLock { state in
            guard let index = state.queues.index(forKey: queueID) else { return .failure(.unknownQueue) }
            return .success(state.queues.values[index].popFirst())
        }
        return try result.get()
    }
}

/// A metric's current state, for the admin API.
public struct MetricSnapshot: Sendable, Equatable {
    public var functionID: String
    public var name: String
    public var type: ProxyMetricType
    /// Counter or gauge value (a gauge as the bit pattern of an Int64);
    /// for a histogram, the last recorded sample.
    public var value: UInt64
    /// Histograms: samples recorded and their sum (wrapping).
    public var sampleCount: UInt64
    public var sampleSum: UInt64
}

/// Metrics held in memory.
public final class InMemoryMetricsRegistry: MetricsRegistry {
    private struct State {
        var metrics: [MetricSnapshot] = []
        var idsByKey: [String: UInt32] = [:]
    }

    private let state = Mutex(State())

    public init() {}

    public func define(functionID: String, type: ProxyMetricType, name: String) -> UInt32 {
        state.withLock { state in
            let key = "\(functionID)\u{0}\(type.rawValue)\u{0}\(name)"
            if let id = state.idsByKey[key] { return id }
            state.metrics.append(MetricSnapshot(functionID: functionID, name: name, type: type, value: 0,
                                                sampleCount: 0, sampleSum: 0))
            let id = UInt32(state.metrics.count)
            state.idsByKey[key] = id
            return id
        }
    }

    /// Applies `change` to metric `id` (ids start at 1).
    private func update(_ id: UInt32, _ change: (inout MetricSnapshot) -> Bool) throws(MetricError) {
        let outcome: MetricError? = state.withLock { state in
            let index = Int(id) - 1
            guard state.metrics.indices.contains(index) else { return .unknownMetric }
            return change(&state.metrics[index]) ? nil : .unsupportedOperation
        }
        if let outcome { throw outcome }
    }

    public func increment(metricID: UInt32, by delta: Int64) throws(MetricError) {
        try update(metricID) { metric in
            switch metric.type {
            case .counter:
                guard delta >= 0 else { return false }
                metric.value &+= UInt64(delta)
            case .gauge:
                metric.value = UInt64(bitPattern: Int64(bitPattern: metric.value) &+ delta)
            case .histogram:
                return false
            }
            return true
        }
    }

    public func record(metricID: UInt32, value: UInt64) throws(MetricError) {
        try update(metricID) { metric in
            metric.value = value
            if metric.type == .histogram {
                metric.sampleCount &+= 1
                metric.sampleSum &+= value
            }
            return true
        }
    }

    public func value(metricID: UInt32) throws(MetricError) -> UInt64 {
        var value: UInt64 = 0
        try update(metricID) { metric in
            value = metric.value
            return metric.type != .histogram
        }
        return value
    }

    /// Every metric, in definition order.
    public func snapshot() -> [MetricSnapshot] {
        state.withLock { $0.metrics }
    }
}

/// Writes function logs to the process's standard error, one line each:
/// `[level] function: message`.
public struct StandardErrorLogger: FunctionLogger {
    public let minimumLevel: ProxyLogLevel

    public init(minimumLevel: ProxyLogLevel = .info) {
        self.minimumLevel = minimumLevel
    }

    public func log(functionID: String, level: ProxyLogLevel, message: String) {
        guard level >= minimumLevel else { return }
        let line = "[\(level)] \(functionID): \(message)\n"
        _ = line.utf8CString.withUnsafeBufferPointer { write(2, $0.baseAddress, $0.count - 1) }
    }
}
