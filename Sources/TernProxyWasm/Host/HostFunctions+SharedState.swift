/// Shared data, shared queues and metrics: thin adapters to the injected
/// services, which own the cross-instance state.
extension HostCall {
    // MARK: Shared data

    func proxyGetSharedData() throws(HostCallError) {
        let key = try string(at: 0)
        try checkReturnSlots(2, 3, 4)
        guard let entry = state.services.sharedData.get(key: key) else { throw .status(.notFound) }
        try returnBytes(entry.value, toPointersIn: 2)
        try store(entry.cas, atPointerIn: 4)
    }

    func proxySetSharedData() throws(HostCallError) {
        let key = try string(at: 0), value = try bytes(at: 2)
        try state.checkSize(value.count)
        do {
            try state.services.sharedData.set(key: key, value: value, cas: u32(4))
        } catch {
            throw .status(.casMismatch)
        }
    }

    // MARK: Shared queues

    /// Queues are namespaced by the registering function's id.
    func proxyRegisterSharedQueue() throws(HostCallError) {
        let name = try string(at: 0)
        try checkReturnSlots(2)
        try store(state.services.sharedQueues.register(name: name, vmID: state.functionID), atPointerIn: 2)
    }

    /// An empty VM id means the calling function's own queues.
    func proxyResolveSharedQueue() throws(HostCallError) {
        let vmID = try string(at: 0), name = try string(at: 2)
        try checkReturnSlots(4)
        guard let queueID = state.services.sharedQueues.resolve(name: name, vmID: vmID.isEmpty ? state.functionID : vmID)
        else { throw .status(.notFound) }
        try store(queueID, atPointerIn: 4)
    }

    /// A full queue refuses the item with `INTERNAL_FAILURE`.
    func proxyEnqueueSharedQueue() throws(HostCallError) {
        let item = try bytes(at: 1)
        try state.checkSize(item.count)
        do {
            try state.services.sharedQueues.enqueue(queueID: u32(0), item: item)
        } catch {
            throw .status(error == .unknownQueue ? .notFound : .internalFailure)
        }
    }

    func proxyDequeueSharedQueue() throws(HostCallError) {
        try checkReturnSlots(1, 2)
        let item: [UInt8]?
        do {
            item = try state.services.sharedQueues.dequeue(queueID: u32(0))
        } catch {
            throw .status(.notFound)
        }
        guard let item else { throw .status(.empty) }
        try returnBytes(item, toPointersIn: 1)
    }

    // MARK: Metrics

    func proxyDefineMetric() throws(HostCallError) {
        guard let type = ProxyMetricType(rawValue: u32(0)) else { throw .status(.badArgument) }
        let name = try string(at: 1)
        try checkReturnSlots(3)
        let metricID = state.services.metrics.define(functionID: state.functionID, type: type, name: name)
        state.definedMetricIDs.insert(metricID)
        try store(metricID, atPointerIn: 3)
    }

    func proxyIncrementMetric() throws(HostCallError) {
        let delta = Int64(bitPattern: u64(1))
        try onMetric { metrics, metricID throws(MetricError) in try metrics.increment(metricID: metricID, by: delta) }
    }

    func proxyRecordMetric() throws(HostCallError) {
        let value = u64(1)
        try onMetric { metrics, metricID throws(MetricError) in try metrics.record(metricID: metricID, value: value) }
    }

    func proxyGetMetric() throws(HostCallError) {
        let value = try onMetric { metrics, metricID throws(MetricError) in try metrics.value(metricID: metricID) }
        try store(value, atPointerIn: 1)
    }

    /// Runs `operation` on the metric in argument 0, which this instance
    /// must have defined.
    private func onMetric<R>(_ operation: (any MetricsRegistry, UInt32) throws(MetricError) -> R) throws(HostCallError) -> R {
        let metricID = u32(0)
        guard state.definedMetricIDs.contains(metricID) else { throw .status(.notFound) }
        do {
            return try operation(state.services.metrics, metricID)
        } catch {
            throw .status(error == .unknownMetric ? .notFound : .badArgument)
        }
    }
}
