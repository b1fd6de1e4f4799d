import TernProxyWasm
import XCTest

/// Shared data, queues, metrics and ticks, through the example functions.
final class SharedStateTests: XCTestCase {
    func testSharedDataCompareAndSwapAcrossInstances() throws {
        let router = FunctionRouter()
        try router.install("shared_data")
        // Two instances at once, as two concurrent requests would have.
        let first = try router.checkOut("shared_data"), second = try router.checkOut("shared_data")
        XCTAssertFalse(first === second)
        let casMismatch = ProxyStatus.casMismatch.rawValue
        XCTAssertEqual(try first.handle(FunctionRequest()).body.text, "count=1 stale=\(casMismatch)")
        XCTAssertEqual(try second.handle(FunctionRequest()).body.text, "count=2 stale=\(casMismatch)")
        XCTAssertEqual(try first.handle(FunctionRequest()).body.text, "count=3 stale=\(casMismatch)")
        XCTAssertEqual(router.sharedData.get(key: "shared_data.count")?.value, Array("3".utf8))
    }

    func testSharedQueue() throws {
        let router = FunctionRouter()
        try router.install("shared_queue")
        func send(_ query: String) throws -> String { try router.handle("shared_queue", FunctionRequest(query: query)).text }

        XCTAssertEqual(try send("op=dequeue"), "empty")
        XCTAssertEqual(try send("op=enqueue&item=first"), "enqueued")
        XCTAssertEqual(try send("op=enqueue&item=second"), "enqueued")
        let queueID = try XCTUnwrap(router.sharedQueues.resolve(name: "jobs", vmID: "shared_queue"))
        XCTAssertEqual(router.queueNotifications.all.map(\.queueID), [queueID, queueID])
        XCTAssertEqual(router.queueNotifications.all.map(\.vmID), ["shared_queue", "shared_queue"])
        XCTAssertEqual(try send("op=dequeue"), "first")
        XCTAssertEqual(try send("op=dequeue"), "second")
        XCTAssertEqual(try send("op=resolve_missing"), "status=\(ProxyStatus.notFound.rawValue)")

        // The router's queues hold 4 items: the fifth is refused.
        for index in 0..<4 { XCTAssertEqual(try send("op=enqueue&item=\(index)"), "enqueued") }
        XCTAssertEqual(try send("op=enqueue&item=overflow"), "")
    }

    func testQueueReadyIsDeliveredToTheRegisteringFunction() throws {
        let router = FunctionRouter()
        try router.install("shared_queue")
        let queueID = try XCTUnwrap(router.sharedQueues.resolve(name: "jobs", vmID: "shared_queue"))
        try router.sharedQueues.enqueue(queueID: queueID, item: Array("job".utf8))

        let instance = try router.checkOut("shared_queue")
        try instance.deliverQueueReady(queueID: queueID)
        XCTAssertEqual(router.sharedData.get(key: "shared_queue.last_ready")?.value, Array("job".utf8))
        XCTAssertNil(try router.sharedQueues.dequeue(queueID: queueID), "the guest dequeued the item")
    }

    func testMetrics() throws {
        let router = FunctionRouter()
        try router.install("metrics")
        let refused = ProxyStatus.badArgument.rawValue
        XCTAssertEqual(try router.handle("metrics").text, "requests=1 gauge=3 negative=\(refused) histogram=\(refused)")
        XCTAssertEqual(try router.handle("metrics").text, "requests=2 gauge=6 negative=\(refused) histogram=\(refused)")

        let snapshot = router.metrics.snapshot()
        XCTAssertEqual(snapshot.map(\.name), ["requests", "inflight", "latency"])
        XCTAssertEqual(snapshot.map(\.functionID), ["metrics", "metrics", "metrics"])
        XCTAssertEqual(snapshot.map(\.value), [2, 6, 42])
        XCTAssertEqual(snapshot[2].sampleCount, 2)
        XCTAssertEqual(snapshot[2].sampleSum, 84)
    }

    func testTicks() throws {
        let router = FunctionRouter()
        try router.install("ticker")
        let instance = try router.checkOut("ticker")
        XCTAssertEqual(instance.tickPeriod, .milliseconds(100))
        for _ in 0..<3 { try instance.tick() }
        XCTAssertEqual(try instance.handle(FunctionRequest()).body.text, "ticks=3")
    }
}

extension [UInt8] {
    var text: String { String(decoding: self, as: UTF8.self) }
}
