import Dispatch
import Synchronization
import TernProxyWasm
import XCTest

/// The in-memory host services.
final class ServicesTests: XCTestCase {
    func testStateStore() throws {
        let store = InMemoryStateStore(text: ["state_demo": ["book1": "100"]])
        XCTAssertEqual(try store.get(store: "state_demo", key: "book1"), Array("100".utf8))
        XCTAssertNil(try store.get(store: "state_demo", key: "book9"))
        XCTAssertThrowsError(try store.get(store: "redis", key: "book1")) { error in
            XCTAssertEqual(error as? StateStoreError, .unknownStore("redis"))
        }
        store.set(store: "redis", key: "k", value: [1])
        XCTAssertEqual(try store.get(store: "redis", key: "k"), [1])
        store.set(store: "redis", key: "k", value: nil)
        XCTAssertNil(try store.get(store: "redis", key: "k"))
    }

    func testSharedDataCompareAndSwap() throws {
        let data = InMemorySharedData()
        XCTAssertNil(data.get(key: "k"))
        try data.set(key: "k", value: [1], cas: 0)
        let first = try XCTUnwrap(data.get(key: "k"))
        XCTAssertNotEqual(first.cas, 0)
        try data.set(key: "k", value: [2], cas: first.cas)
        let second = try XCTUnwrap(data.get(key: "k"))
        XCTAssertEqual(second.value, [2])
        XCTAssertNotEqual(second.cas, first.cas)
        XCTAssertThrowsError(try data.set(key: "k", value: [3], cas: first.cas)) { error in
            XCTAssertEqual(error as? SharedDataError, .casMismatch)
        }
        XCTAssertEqual(data.get(key: "k")?.value, [2])
        try data.set(key: "k", value: [4], cas: 0)
        XCTAssertEqual(data.get(key: "k")?.value, [4], "cas 0 writes unconditionally")
        try data.set(key: "new", value: [5], cas: 12345)
        XCTAssertEqual(data.get(key: "new")?.value, [5], "a cas on an absent key does not block creation")
    }

    func testConcurrentCompareAndSwapIncrementsLoseNothing() {
        let data = InMemorySharedData()
        DispatchQueue.concurrentPerform(iterations: 8) { _ in
            for _ in 0..<200 {
                while true {
                    let current = data.get(key: "n")
                    let value = (current.map { Int($0.value.text) ?? 0 } ?? 0) + 1
                    do {
                        try data.set(key: "n", value: Array(String(value).utf8), cas: current?.cas ?? 0)
                        break
                    } catch {
                        continue
                    }
                }
            }
        }
        // The first writers may race on the absent key (cas 0 always
        // succeeds), so allow for that one race at the start.
        let total = Int(data.get(key: "n")?.value.text ?? "") ?? 0
        XCTAssertGreaterThan(total, 1600 - 8)
        XCTAssertLessThanOrEqual(total, 1600)
    }

    func testSharedQueues() throws {
        let notified = Mutex<[String]>([])
        let queues = InMemorySharedQueues(capacity: 2) { id, vmID in notified.withLock { $0.append("\(id):\(vmID)") } }
        let jobs = queues.register(name: "jobs", vmID: "a")
        XCTAssertEqual(queues.register(name: "jobs", vmID: "a"), jobs, "registering again opens the queue")
        let otherJobs = queues.register(name: "jobs", vmID: "b")
        XCTAssertNotEqual(otherJobs, jobs, "queues are namespaced by VM id")
        XCTAssertEqual(queues.resolve(name: "jobs", vmID: "a"), jobs)
        XCTAssertNil(queues.resolve(name: "other", vmID: "a"))

        XCTAssertNil(try queues.dequeue(queueID: jobs))
        try queues.enqueue(queueID: jobs, item: [1])
        try queues.enqueue(queueID: jobs, item: [2])
        XCTAssertThrowsError(try queues.enqueue(queueID: jobs, item: [3])) { error in
            XCTAssertEqual(error as? SharedQueueError, .full)
        }
        XCTAssertEqual(try queues.dequeue(queueID: jobs), [1])
        XCTAssertEqual(try queues.dequeue(queueID: jobs), [2])
        XCTAssertNil(try queues.dequeue(queueID: jobs))
        XCTAssertThrowsError(try queues.enqueue(queueID: 999, item: [1])) { error in
            XCTAssertEqual(error as? SharedQueueError, .unknownQueue)
        }
        XCTAssertThrowsError(try queues.dequeue(queueID: 999))
        XCTAssertEqual(notified.withLock { $0 }, ["\(jobs):a", "\(jobs):a"])
    }

    func testQueuesStayFIFOAcrossCompaction() throws {
        let queues = InMemorySharedQueues(capacity: 1000)
        let queue = queues.register(name: "q", vmID: "")
        var enqueued = 0, dequeued = 0
        for _ in 0..<5 {
            for _ in 0..<100 {
                try queues.enqueue(queueID: queue, item: Array(String(enqueued).utf8))
                enqueued += 1
            }
            for _ in 0..<60 {
                XCTAssertEqual(try queues.dequeue(queueID: queue)?.text, String(dequeued))
                dequeued += 1
            }
        }
        while let item = try queues.dequeue(queueID: queue) {
            XCTAssertEqual(item.text, String(dequeued))
            dequeued += 1
        }
        XCTAssertEqual(dequeued, enqueued)
    }

    func testMetrics() throws {
        let metrics = InMemoryMetricsRegistry()
        let counter = metrics.define(functionID: "f", type: .counter, name: "requests")
        XCTAssertEqual(metrics.define(functionID: "f", type: .counter, name: "requests"), counter)
        XCTAssertNotEqual(metrics.define(functionID: "g", type: .counter, name: "requests"), counter)
        let gauge = metrics.define(functionID: "f", type: .gauge, name: "level")
        let histogram = metrics.define(functionID: "f", type: .histogram, name: "latency")

        try metrics.increment(metricID: counter, by: 2)
        XCTAssertThrowsError(try metrics.increment(metricID: counter, by: -1)) { error in
            XCTAssertEqual(error as? MetricError, .unsupportedOperation)
        }
        XCTAssertEqual(try metrics.value(metricID: counter), 2)
        try metrics.record(metricID: counter, value: 10)
        XCTAssertEqual(try metrics.value(metricID: counter), 10)

        try metrics.increment(metricID: gauge, by: -5)
        XCTAssertEqual(Int64(bitPattern: try metrics.value(metricID: gauge)), -5)

        try metrics.record(metricID: histogram, value: 3)
        try metrics.record(metricID: histogram, value: 4)
        XCTAssertThrowsError(try metrics.value(metricID: histogram))
        XCTAssertThrowsError(try metrics.increment(metricID: histogram, by: 1))
        let summary = try XCTUnwrap(metrics.snapshot().first { $0.type == .histogram })
        XCTAssertEqual(summary.sampleCount, 2)
        XCTAssertEqual(summary.sampleSum, 7)

        XCTAssertThrowsError(try metrics.value(metricID: 999)) { error in
            XCTAssertEqual(error as? MetricError, .unknownMetric)
        }
    }
}

