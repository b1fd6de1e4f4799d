import Dispatch
import Synchronization
import XCTest
@testable import TernRuntime

/// The pool and worker mechanics, without guests: slots are creations.
final class ExecutionTests: XCTestCase {
    private final class Handoffs: Sendable {
        let slots = Mutex<[String]>([])
        func waiter(_ name: String) -> InstancePool.Waiter {
            { slot in
                let kind = if case .create(counted: true) = slot { "create" } else { "other" }
                self.slots.withLock { $0.append("\(name):\(kind)") }
            }
        }
        var log: [String] { slots.withLock { $0 } }
    }

    func testRequestsCreateUpToTheMaximumThenQueueThenAreRefused() {
        let pool = InstancePool(maximum: 2, queueLimit: 1)
        let handoffs = Handoffs()
        for _ in 0..<2 {
            guard case .granted(.create(counted: true)) = pool.checkout(orWait: handoffs.waiter("unused")) else {
                return XCTFail("expected a counted creation")
            }
        }
        guard case .queued = pool.checkout(orWait: handoffs.waiter("first")) else { return XCTFail("expected to queue") }
        guard case .full(busy: 2, queued: 1) = pool.checkout(orWait: handoffs.waiter("refused")) else {
            return XCTFail("expected a refusal")
        }
        // A discarded instance leaves its slot to the oldest waiter.
        pool.release(nil, counted: true)
        XCTAssertEqual(handoffs.log, ["first:create"])
        XCTAssertEqual(pool.status.live, 2)
        pool.release(nil, counted: true)
        pool.release(nil, counted: true)
        XCTAssertEqual(pool.status.live, 0)
    }

    func testNestedCallsNeverWaitButGetTemporarySlots() {
        let pool = InstancePool(maximum: 1, queueLimit: 0)
        guard case .create(counted: true) = pool.checkoutWithoutWaiting() else { return XCTFail("expected a counted slot") }
        guard case .create(counted: false) = pool.checkoutWithoutWaiting() else { return XCTFail("expected a temporary slot") }
        XCTAssertEqual(pool.status.temporary, 1)
        pool.release(nil, counted: false)
        XCTAssertEqual(pool.status.temporary, 0)
        XCTAssertEqual(pool.status.live, 1)
    }

    func testGrowingThePoolAdmitsWaitingRequests() {
        let pool = InstancePool(maximum: 1, queueLimit: 4)
        let handoffs = Handoffs()
        _ = pool.checkout(orWait: handoffs.waiter("unused"))
        _ = pool.checkout(orWait: handoffs.waiter("a"))
        _ = pool.checkout(orWait: handoffs.waiter("b"))
        pool.resize(maximum: 3, queueLimit: 4)
        XCTAssertEqual(handoffs.log, ["a:create", "b:create"])
        XCTAssertEqual(pool.status.live, 3)
        XCTAssertEqual(pool.status.maximum, 3)
    }

    func testARetiredPoolStillServesItsWaiters() {
        let pool = InstancePool(maximum: 1, queueLimit: 4)
        let handoffs = Handoffs()
        _ = pool.checkout(orWait: handoffs.waiter("unused"))
        _ = pool.checkout(orWait: handoffs.waiter("waiting"))
        pool.retire()
        pool.release(nil, counted: true)
        XCTAssertEqual(handoffs.log, ["waiting:create"])
        pool.release(nil, counted: true)
        XCTAssertEqual(pool.status.live, 0)
    }

    func testFIFOKeepsOrderAcrossCompaction() {
        var queue = FIFO<Int>()
        var popped: [Int] = []
        for value in 0..<1000 {
            queue.push(value)
            if value % 3 == 0, let first = queue.pop() { popped.append(first) }
        }
        while let value = queue.pop() { popped.append(value) }
        XCTAssertEqual(popped, Array(0..<1000))
        XCTAssertTrue(queue.isEmpty)
    }

    func testWorkersRunEveryJob() {
        let workers = WorkerPool(workerCount: 2)
        defer { workers.shutdown() }
        let count = Atomic<Int>(0)
        let done = DispatchSemaphore(value: 0)
        for _ in 0..<100 {
            workers.submit {
                if count.add(1, ordering: .relaxed).newValue == 100 { done.signal() }
            }
        }
        XCTAssertTrue(done.waitBounded())
    }

    /// With one worker blocked in a host call, queued work still runs.
    func testABlockedWorkerDoesNotStallOtherJobs() {
        let workers = WorkerPool(workerCount: 1)
        defer { workers.shutdown() }
        let blocked = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let otherRan = DispatchSemaphore(value: 0), blockerFinished = DispatchSemaphore(value: 0)
        workers.submit {
            workers.blocking {
                blocked.signal()
                _ = release.waitBounded()
            }
            blockerFinished.signal()
        }
        XCTAssertTrue(blocked.waitBounded())
        workers.submit { otherRan.signal() }
        XCTAssertTrue(otherRan.waitBounded(), "a job waited behind a blocked worker")
        release.signal()
        XCTAssertTrue(blockerFinished.waitBounded())
    }

    /// `blocking` outside the pool's threads changes nothing.
    func testBlockingOnAnotherThreadJustRuns() {
        let workers = WorkerPool(workerCount: 1)
        defer { workers.shutdown() }
        XCTAssertEqual(workers.blocking { 42 }, 42)
        XCTAssertEqual(workers.threads, 1)
    }
}
