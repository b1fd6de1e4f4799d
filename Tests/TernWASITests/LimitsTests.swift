import Foundation
import TernEngine
import TernTestSupport
import XCTest
@testable import TernWASI

/// Resource limits enforced through `runCommand` and `SandboxLimits`, on
/// WAT modules assembled with wat2wasm.
final class LimitsTests: XCTestCase {
    let engine = Engine()

    override func setUpWithError() throws {
        try requireWorkingEngine(engine)
    }

    func run(_ wat: String, options: [String], invoke: String? = nil, arguments: [String] = []) throws -> RunOutcome {
        let module = try compileOrSkip(engine, try Wat2Wasm.assemble(wat))
        var (parsed, _) = try RunSandboxOptions.parse(options)
        parsed.invoke = invoke
        return runCommand(engine: engine, module: module, options: parsed, arguments: ["module.wasm"] + arguments,
                          stdout: NullSink(), stderr: NullSink())
    }

    func testInfiniteLoopHitsTheDeadline() throws {
        let start = DeadlineTimer.now()
        let outcome = try run("""
            (module
              (memory (export "memory") 1)
              (func (export "_start") (loop $forever (br $forever))))
            """, options: ["--timeout", "100ms"])
        guard case .trapped(let trap) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(trap.kind, .deadlineExceeded)
        XCTAssertEqual(outcome.exitStatus, 1)
        XCTAssertLessThan(DeadlineTimer.now() - start, 5_000_000_000)
    }

    func testInfiniteLoopInStartFunctionHitsTheDeadline() throws {
        let outcome = try run("""
            (module
              (func $spin (loop $forever (br $forever)))
              (start $spin)
              (func (export "_start")))
            """, options: ["--timeout", "50ms"])
        guard case .trapped(let trap) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(trap.kind, .deadlineExceeded)
    }

    func testMemoryBombStaysUnderTheCeiling() throws {
        // Grows one page at a time until refused; returns the final size in
        // pages (memory.grow must return -1 at the ceiling).
        let wat = """
            (module
              (memory (export "memory") 1)
              (func (export "bomb") (result i32)
                (block $refused
                  (loop $grow
                    (br_if $refused (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
                    ;; touch the last byte of the new page
                    (i32.store8 (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 1)) (i32.const 1))
                    (br $grow)))
                (memory.size)))
            """
        let outcome = try run(wat, options: ["--max-memory", "16MiB"], invoke: "bomb")
        XCTAssertEqual(outcome, .returned([.i32(256)]), "\(outcome)")
        // A single huge grow is refused too.
        let huge = try run("""
            (module
              (memory 1)
              (func (export "grow") (result i32) (memory.grow (i32.const 1000))))
            """, options: ["--max-memory", "16MiB"], invoke: "grow")
        XCTAssertEqual(huge, .returned([Value(Int32(-1))]))
    }

    func testMemoryLargerThanTheCeilingFailsToInstantiate() throws {
        let outcome = try run("(module (memory 300) (func (export \"_start\")))", options: ["--max-memory", "16MiB"])
        guard case .failed(.instantiation(.resourceLimit)) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertTrue(outcome.description.hasPrefix("resource limit: "), outcome.description)
    }

    func testInfiniteRecursionExhaustsTheCallStack() throws {
        let wat = """
            (module
              (func $recurse (export "_start") (call $recurse)))
            """
        for options in [[], ["--max-depth", "1000"]] {
            let outcome = try run(wat, options: options)
            guard case .trapped(let trap) = outcome else { XCTFail("\(outcome)"); continue }
            XCTAssertEqual(trap.kind, .callStackExhausted)
        }
    }

    func testFuelIsDeterministicAndExhaustible() throws {
        let module = try compileOrSkip(engine, try Wat2Wasm.assemble("""
            (module
              (func (export "sum") (param $n i32) (result i32) (local $total i32)
                (block $done
                  (loop $next
                    (br_if $done (i32.eqz (local.get $n)))
                    (local.set $total (i32.add (local.get $total) (local.get $n)))
                    (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                    (br $next)))
                (local.get $total)))
            """))
        func consumed(_ n: Int32, budget: UInt64) throws -> (UInt64, Result<[Value], Trap>) {
            let store = SandboxLimits(fuel: budget).makeStore(engine: engine)
            let instance = try Linker().instantiate(module, store: store)
            let result = Result { () throws(Trap) in try instance.function("sum")!.invoke([Value(n)]) }
            return (store.fuelConsumed, result)
        }
        let (first, firstResult) = try consumed(1000, budget: 1_000_000)
        let (second, secondResult) = try consumed(1000, budget: 1_000_000)
        XCTAssertEqual(try firstResult.get(), [Value(Int32(500_500))])
        XCTAssertEqual(try secondResult.get(), [Value(Int32(500_500))])
        XCTAssertGreaterThan(first, 1000)
        XCTAssertEqual(first, second)
        let (_, starved) = try consumed(1000, budget: first / 2)
        XCTAssertEqual(starved.failure?.kind, .fuelExhausted)
        // Through runCommand's --fuel too.
        let outcome = runCommand(engine: engine, module: module,
                                 options: try RunSandboxOptions.parse(["--fuel", "100", "--invoke", "sum"]).options,
                                 arguments: ["m", "100000"], stdout: NullSink(), stderr: NullSink())
        guard case .trapped(let trap) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertEqual(trap.kind, .fuelExhausted)
    }

    func testReactorInitializeThenInvoke() throws {
        let outcome = try run("""
            (module
              (global $base (mut i32) (i32.const 0))
              (func (export "_initialize") (global.set $base (i32.const 40)))
              (func (export "add") (param i32) (result i32) (i32.add (global.get $base) (local.get 0))))
            """, options: [], invoke: "add", arguments: ["2"])
        XCTAssertEqual(outcome, .returned([Value(Int32(42))]))
    }

    func testUnknownPreview1ImportsLinkAsNoSysStubs() throws {
        let outcome = try run("""
            (module
              (import "wasi_snapshot_preview1" "sock_open" (func $sock_open (param i32 i32 i32) (result i32)))
              (import "wasi_snapshot_preview1" "sock_accept" (func $sock_accept (param i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (func (export "try") (result i32 i32)
                (call $sock_open (i32.const 0) (i32.const 0) (i32.const 0))
                (call $sock_accept (i32.const 0) (i32.const 0) (i32.const 0))))
            """, options: [], invoke: "try")
        XCTAssertEqual(outcome, .returned([.i32(52), .i32(52)]))
    }
}

extension Result {
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
