import Synchronization
import TernEngine
import TernProxyWasm
import XCTest

/// What happens when functions misbehave: traps, endless loops, cycles,
/// imports Tern lacks, reentrant use.
final class FailureTests: XCTestCase {
    private func assertThrows(_ expected: ProxyWasmError, file: StaticString = #filePath, line: UInt = #line,
                              _ body: () throws -> Void) {
        XCTAssertThrowsError(try body(), file: file, line: line) { error in
            XCTAssertEqual(error as? ProxyWasmError, expected, file: file, line: line)
        }
    }

    func testATrapFailsTheRequestAndTheInstance() throws {
        let router = FunctionRouter()
        try router.install("trap")
        let instance = try router.checkOut("trap")
        XCTAssertThrowsError(try instance.handle(FunctionRequest())) { error in
            guard case .trap(let trap)? = error as? ProxyWasmError else { return XCTFail("\(error)") }
            XCTAssertEqual(trap.kind, .unreachable)
        }
        XCTAssertFalse(instance.isUsable)
        assertThrows(.instanceUnusable) { _ = try instance.handle(FunctionRequest()) }
    }

    func testADeadlineStopsAnEndlessLoop() throws {
        let router = FunctionRouter()
        try router.install("infinite_loop")
        let instance = try router.checkOut("infinite_loop")
        let start = ContinuousClock.now
        assertThrows(.deadlineExceeded) {
            _ = try instance.handle(FunctionRequest(), deadline: .now + .milliseconds(100))
        }
        XCTAssertLessThan(ContinuousClock.now - start, .seconds(5))
        XCTAssertFalse(instance.isUsable)
    }

    func testAPassedDeadlineRefusesTheCallButKeepsTheInstance() throws {
        let router = FunctionRouter()
        try router.install("function_2")
        let instance = try router.checkOut("id_2")
        assertThrows(.deadlineExceeded) { _ = try instance.handle(FunctionRequest(), deadline: .now - .seconds(1)) }
        XCTAssertTrue(instance.isUsable)
    }

    func testFuelStopsAnEndlessLoop() throws {
        let router = FunctionRouter(limits: ResourceLimits(fuel: 1_000_000))
        try router.install("infinite_loop")
        XCTAssertThrowsError(try router.handle("infinite_loop")) { error in
            guard case .trap(let trap)? = error as? ProxyWasmError else { return XCTFail("\(error)") }
            XCTAssertEqual(trap.kind, .fuelExhausted)
        }
    }

    func testAnInvocationChainWithinTheDepthLimit() throws {
        let router = FunctionRouter()
        XCTAssertEqual(try router.install("invoke_chain"), "chain")
        let response = try router.handle("chain", FunctionRequest(query: "n=3"))
        XCTAssertEqual(response.text, "chain(3) <- chain(2) <- chain(1) <- end")
    }

    func testAnInvocationChainBeyondTheDepthLimitFails() throws {
        let router = FunctionRouter()
        try router.install("invoke_chain", maxInvocationDepth: 2)
        assertThrows(.callDepthExceeded(limit: 2)) { _ = try router.handle("chain", FunctionRequest(query: "n=3")) }
    }

    func testAnInvocationCycleFailsWithAClearError() throws {
        let router = FunctionRouter()
        try router.install("invoke_chain")
        XCTAssertThrowsError(try router.handle("chain", FunctionRequest(body: Array("cycle".utf8)))) { error in
            XCTAssertEqual(error as? ProxyWasmError, .callDepthExceeded(limit: 8))
            XCTAssertEqual("\(error)", "invocation depth limit of 8 exceeded: functions invoke each other in a cycle "
                                       + "or too deep a chain")
        }
    }

    func testAnImportTernLacksFailsInstallation() throws {
        let bytes = try Examples.bytes("unknown_import")
        XCTAssertThrowsError(try ProxyWasmModule(bytes: bytes, engine: Engine())) { error in
            XCTAssertEqual(error as? ProxyWasmError,
                           .instantiation(.unlinkable(module: "env", name: "proxy_foo", reason: "unknown import")))
            XCTAssertEqual("\(error)", "unlinkable: env.proxy_foo: unknown import")
        }
    }

    func testReentrantUseIsRefused() throws {
        let engine = Engine()
        let module = try ProxyWasmModule(bytes: try Examples.bytes("function_1"), engine: engine)
        let reentrant = ReentrantInvoker()
        let logger = CollectingLogger()
        let instance = try ProxyWasmInstance(module: module, services: ProxyWasmHostServices(invoker: reentrant,
                                                                                            logger: logger))
        reentrant.target.withLock { $0 = instance }
        let response = try instance.handle(FunctionRequest(query: "name=book1"))
        XCTAssertEqual(response.text, "")
        XCTAssertEqual(reentrant.errors.withLock { $0 }, [.instanceBusy])
        XCTAssertTrue(logger.contains("id_1", .error, "invoke service failed"))
        XCTAssertTrue(instance.isUsable)
    }
}

/// Invokes the very instance that is calling.
final class ReentrantInvoker: FunctionInvoker {
    let target = Mutex<ProxyWasmInstance?>(nil)
    let errors = Mutex<[ProxyWasmError]>([])

    func invoke(functionID: String, method: String, body: [UInt8], headers: [(String, String)],
                deadline: ContinuousClock.Instant?, depth: Int) throws(InvocationError) -> FunctionResponse {
        guard let instance = target.withLock({ $0 }) else { throw .unknownFunction(functionID) }
        do {
            return try instance.handle(FunctionRequest(body: body), deadline: deadline, depth: depth)
        } catch {
            errors.withLock { $0.append(error) }
            throw InvocationError(error)
        }
    }
}
