import Dispatch
import TernProxyWasm
import XCTest
@testable import TernRuntime

/// The runtime without HTTP, with a state store the test controls: slow
/// host calls, full pools and updates while requests are in flight.
final class RuntimeTests: XCTestCase {
    private var store: GatedStateStore!
    private var runtime: FunctionRuntime!

    override func setUpWithError() throws {
        store = GatedStateStore(values: ["book1": Array("100".utf8)])
        runtime = FunctionRuntime(workers: 1, stateStore: store, logger: StandardErrorLogger(minimumLevel: .critical))
    }

    override func tearDown() {
        runtime.shutdown()
        runtime = nil
    }

    private func install(_ id: String, _ function: ExampleFunction, instances: Int = 2, queue: Int = 8) throws {
        try runtime.install(bytes: try function.bytes(),
                            settings: FunctionSettings(id: id, instances: instances, queueLimit: queue), mode: .replace)
    }

    /// Starts a request to `id` with `body`; the result arrives later.
    private func start(_ id: String, body: String) -> (DispatchSemaphore, Outcome<Result<FunctionResponse, FunctionFailure>>) {
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome<Result<FunctionResponse, FunctionFailure>>()
        runtime.serve(FunctionRequest(method: "POST", body: Array(body.utf8)), functionID: id) { result in
            outcome.set(result)
            done.signal()
        }
        return (done, outcome)
    }

    func testASlowStateStoreDoesNotStallOtherRequests() throws {
        try install("id_2", .function_2)
        try install("echo", .echo)
        // The only worker blocks in the store...
        let (slowDone, slow) = start("id_2", body: "book1")
        XCTAssertTrue(store.entered.waitBounded())
        // ...and another function still answers.
        let echoed = try serve(runtime, "echo", FunctionRequest(method: "POST", body: Array("quick".utf8)))
        XCTAssertEqual(echoed.response?.text, "quick")
        store.open()
        XCTAssertTrue(slowDone.waitBounded())
        XCTAssertEqual(slow.value?.response?.text, "100")
    }

    func testAFullPoolQueuesThenRefusesWith503() throws {
        try install("id_2", .function_2, instances: 1, queue: 1)
        let (firstDone, first) = start("id_2", body: "book1")
        XCTAssertTrue(store.entered.waitBounded())
        let (queuedDone, queued) = start("id_2", body: "book1")
        let refused = try serve(runtime, "id_2")
        XCTAssertEqual(refused.failure?.httpStatus, 503)
        XCTAssertEqual(refused.failure?.description,
                       "function 'id_2' is overloaded: 1 instances busy and 1 requests waiting")
        store.open(2)
        XCTAssertTrue(firstDone.waitBounded())
        XCTAssertTrue(queuedDone.waitBounded())
        XCTAssertEqual(first.value?.response?.text, "100")
        XCTAssertEqual(queued.value?.response?.text, "100")
        XCTAssertEqual(runtime.status(id: "id_2")?.liveInstances, 1, "the queued request reused the instance")
    }

    func testAnUpdateSwapsAtomicallyAndInFlightRequestsFinishOnTheOldVersion() throws {
        try install("inventory", .function_2)
        let (oldDone, old) = start("inventory", body: "book1")
        XCTAssertTrue(store.entered.waitBounded())
        // Replaced while a request is inside the old version.
        try install("inventory", .echo)
        XCTAssertEqual(runtime.status(id: "inventory")?.version, 2)
        let new = try serve(runtime, "inventory", FunctionRequest(method: "POST", body: Array("book1".utf8)))
        XCTAssertEqual(new.response?.text, "book1", "new requests go to the new version")
        store.open()
        XCTAssertTrue(oldDone.waitBounded())
        XCTAssertEqual(old.value?.response?.text, "100", "the in-flight request finished on the old version")
    }

    func testAnInvokedFunctionInheritsTheCallersDeadline() throws {
        var caller = FunctionSettings(id: "id_1")
        caller.limits.timeout = .milliseconds(300)
        try runtime.install(bytes: try ExampleFunction.function_1.bytes(), settings: caller, mode: .replace)
        try install("id_2", .function_2)
        let start = ContinuousClock.now
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome<Result<FunctionResponse, FunctionFailure>>()
        runtime.serve(FunctionRequest(query: "name=book1"), functionID: "id_1") { result in
            outcome.set(result)
            done.signal()
        }
        // id_2, which has 30 s of its own, waits in the store until the
        // caller's deadline has passed.
        XCTAssertTrue(store.entered.waitBounded())
        while ContinuousClock.now < start + .milliseconds(300) { usleep(10_000) }
        store.open()
        XCTAssertTrue(done.waitBounded())
        XCTAssertEqual(outcome.value?.failure?.httpStatus, 504)
        XCTAssertEqual(outcome.value?.failure?.kind, "deadline_exceeded")
        XCTAssertEqual(runtime.status(id: "id_2")?.failures, 1, "the callee ran out of the caller's time")
        XCTAssertEqual(runtime.status(id: "id_1")?.liveInstances, 0)
    }

    func testAnAnnouncedIDRoutesLayottoInstalls() throws {
        let status = try runtime.install(FunctionDefinition(settings: FunctionSettings(name: "function2"),
                                                            source: .file(ExampleFunction.function_2.path)), mode: .new)
        XCTAssertEqual(status.id, "id_2")
        XCTAssertEqual(status.name, "function2")
        XCTAssertEqual(try runtime.uninstall(name: "function2").id, "id_2")
        XCTAssertNil(runtime.status(id: "id_2"))
    }

    func testAnExplicitIDWinsOverTheAnnouncedOne() throws {
        let status = try runtime.install(bytes: try ExampleFunction.echo.bytes(), settings: FunctionSettings(id: "renamed"),
                                         mode: .replace)
        XCTAssertEqual(status.id, "renamed")
        XCTAssertEqual(status.announcedID, "echo")
    }

    func testAFunctionFailingToStartIsRefused() throws {
        var settings = FunctionSettings(id: "tiny")
        settings.limits.maxMemoryBytes = 65536
        XCTAssertThrowsError(try runtime.install(bytes: try ExampleFunction.function_1.bytes(), settings: settings,
                                                 mode: .replace)) { error in
            guard case DeploymentError.startFailed = error else { return XCTFail("\(error)") }
        }
        XCTAssertNil(runtime.status(id: "tiny"))
    }
}
