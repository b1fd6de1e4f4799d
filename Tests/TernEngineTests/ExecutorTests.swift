import Foundation
import TernFormat
import TernTestSupport
import XCTest

@testable import TernEngine

/// Assembles WebAssembly text with wabt's `wat2wasm` (skipping the test
/// when it is missing, unless TERN_REQUIRE_TOOLS=1). The result need not be
/// valid: validation is the engine's job.
func assemble(_ text: String) throws -> [UInt8] {
    let tool = try TestEnvironment.tool("wat2wasm")
    let directory = try TemporaryDirectory()
    let input = directory.url.appendingPathComponent("module.wat")
    let output = directory.url.appendingPathComponent("module.wasm")
    try text.write(to: input, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = tool
    process.arguments = ["--no-check", "--debug-names", input.path, "-o", output.path]
    let errors = Pipe()
    process.standardError = errors
    // A semaphore rather than `waitUntilExit()`, which polls a run loop on Linux.
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    try process.run()
    let message = errors.fileHandleForReading.readDataToEndOfFile()
    exited.wait()
    guard process.terminationStatus == 0 else {
        throw AssemblyError(message: String(decoding: message, as: UTF8.self))
    }
    return Array(try Data(contentsOf: output))
}

struct AssemblyError: Error {
    var message: String
}

/// A module instantiated in its own store, with its exports callable by name.
struct TestInstance {
    let store: Store
    let instance: Instance

    init(_ text: String, limits: ResourceLimits = ResourceLimits(), configuration: EngineConfiguration = EngineConfiguration(),
         linker: Linker = Linker()) throws {
        let engine = Engine(configuration: configuration)
        let module = try engine.compile(try assemble(text))
        store = Store(engine: engine, limits: limits)
        instance = try linker.instantiate(module, store: store)
    }

    func call(_ name: String, _ arguments: Value...) throws -> [Value] {
        guard let function = instance.function(name) else {
            XCTFail("no export \(name)")
            return []
        }
        return try function.invoke(arguments)
    }

    /// The trap `name` raises, or nil when it returns.
    func trap(_ name: String, _ arguments: Value...) -> Trap? {
        do {
            _ = try instance.function(name)!.invoke(arguments)
            return nil
        } catch {
            return error
        }
    }
}

final class ExecutorTests: XCTestCase {
    func testFloatMinMaxHandleSignedZeroAndNaN() throws {
        let module = try TestInstance("""
            (module
              (func (export "min") (param f64 f64) (result f64) (f64.min (local.get 0) (local.get 1)))
              (func (export "max") (param f64 f64) (result f64) (f64.max (local.get 0) (local.get 1)))
              (func (export "min32") (param f32 f32) (result f32) (f32.min (local.get 0) (local.get 1))))
            """)
        XCTAssertEqual(try module.call("min", Value(0.0), Value(-0.0)), [Value(-0.0)])
        XCTAssertEqual(try module.call("min", Value(-0.0), Value(0.0)), [Value(-0.0)])
        XCTAssertEqual(try module.call("max", Value(-0.0), Value(0.0)), [Value(0.0)])
        XCTAssertEqual(try module.call("max", Value(0.0), Value(-0.0)), [Value(0.0)])
        XCTAssertEqual(try module.call("min", Value(1.0), Value(2.0)), [Value(1.0)])
        XCTAssertEqual(try module.call("max", Value(1.0), Value(2.0)), [Value(2.0)])
        XCTAssertTrue(try module.call("min", Value(Double.nan), Value(1.0))[0].f64!.isNaN)
        XCTAssertTrue(try module.call("max", Value(1.0), Value(Double.nan))[0].f64!.isNaN)
        XCTAssertTrue(try module.call("min32", Value(Float.infinity), Value(Float.nan))[0].f32!.isNaN)
    }

    func testNearestRoundsTiesToEven() throws {
        let module = try TestInstance("""
            (module (func (export "nearest") (param f64) (result f64) (f64.nearest (local.get 0))))
            """)
        for (input, expected) in [(0.5, 0.0), (1.5, 2.0), (2.5, 2.0), (-0.5, -0.0), (-3.5, -4.0), (4.4999, 4.0)] {
            XCTAssertEqual(try module.call("nearest", Value(input)), [Value(expected)], "nearest(\(input))")
        }
    }

    func testTruncationTrapsDistinguishNaNFromOverflow() throws {
        let module = try TestInstance("""
            (module
              (func (export "s32") (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))
              (func (export "u32") (param f32) (result i32) (i32.trunc_f32_u (local.get 0)))
              (func (export "sat") (param f64) (result i32) (i32.trunc_sat_f64_s (local.get 0))))
            """)
        XCTAssertEqual(try module.call("s32", Value(-2147483648.9)), [Value(Int32.min)])
        XCTAssertEqual(try module.call("s32", Value(2147483647.9)), [Value(Int32.max)])
        XCTAssertEqual(module.trap("s32", Value(2147483648.0))?.kind, .integerOverflow)
        XCTAssertEqual(module.trap("s32", Value(-2147483649.0))?.kind, .integerOverflow)
        XCTAssertEqual(module.trap("s32", Value(Double.nan))?.kind, .invalidConversionToInteger)
        XCTAssertEqual(try module.call("u32", Value(Float(-0.9))), [Value(Int32(0))])
        XCTAssertEqual(module.trap("u32", Value(Float(-1.0)))?.kind, .integerOverflow)
        XCTAssertEqual(try module.call("sat", Value(1e300)), [Value(Int32.max)])
        XCTAssertEqual(try module.call("sat", Value(-1e300)), [Value(Int32.min)])
        XCTAssertEqual(try module.call("sat", Value(Double.nan)), [Value(Int32(0))])
    }

    func testIntegerDivisionEdgeCases() throws {
        let module = try TestInstance("""
            (module
              (func (export "div_s") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
              (func (export "rem_s") (param i32 i32) (result i32) (i32.rem_s (local.get 0) (local.get 1)))
              (func (export "rem_s64") (param i64 i64) (result i64) (i64.rem_s (local.get 0) (local.get 1))))
            """)
        XCTAssertEqual(try module.call("rem_s", Value(Int32.min), Value(Int32(-1))), [Value(Int32(0))])
        XCTAssertEqual(try module.call("rem_s64", Value(Int64.min), Value(Int64(-1))), [Value(Int64(0))])
        XCTAssertEqual(module.trap("div_s", Value(Int32.min), Value(Int32(-1)))?.kind, .integerOverflow)
        XCTAssertEqual(module.trap("div_s", Value(Int32(1)), Value(Int32(0)))?.kind, .integerDivideByZero)
        XCTAssertEqual(module.trap("rem_s", Value(Int32(1)), Value(Int32(0)))?.kind, .integerDivideByZero)
        XCTAssertEqual(try module.call("div_s", Value(Int32(-7)), Value(Int32(2))), [Value(Int32(-3))])
    }

    func testBranchesCarryValuesAcrossStackHeights() throws {
        let module = try TestInstance("""
            (module
              (func (export "br_table") (param i32) (result i32)
                (i32.add (i32.const 1000)
                  (block (result i32)
                    (i32.add (i32.const 100)
                      (block (result i32)
                        (i32.const 7) (i32.const 8) (drop)
                        (br_table 0 1 (i32.const 10) (local.get 0)))))))
              (func (export "br_if") (param i32) (result i32)
                (local i32)
                (local.set 1 (i32.const 5))
                (block (result i32)
                  (i32.const 1) (i32.const 2) (drop) (drop)
                  (br_if 0 (local.get 1) (local.get 0))
                  (drop)
                  (i32.const 99))))
            """)
        XCTAssertEqual(try module.call("br_table", Value(Int32(0))), [Value(Int32(1110))])
        XCTAssertEqual(try module.call("br_table", Value(Int32(1))), [Value(Int32(1010))])
        XCTAssertEqual(try module.call("br_table", Value(Int32(9))), [Value(Int32(1010))])
        XCTAssertEqual(try module.call("br_if", Value(Int32(1))), [Value(Int32(5))])
        XCTAssertEqual(try module.call("br_if", Value(Int32(0))), [Value(Int32(99))])
    }

    func testLocalSetWhileLocalIsOnTheStack() throws {
        let module = try TestInstance("""
            (module
              (func (export "swap") (param i32 i32) (result i32 i32)
                (local.get 1) (local.get 0) (local.set 1) (local.set 0)
                (local.get 0) (local.get 1))
              (func (export "old") (param i32) (result i32)
                (local.get 0)
                (local.set 0 (i32.add (local.get 0) (i32.const 1)))
                (local.get 0)
                (i32.mul))
              (func (export "tee") (param i32) (result i32)
                (local.get 0)
                (local.tee 0 (i32.const 3))
                (i32.sub))
              (func (export "in_if") (param i32 i32) (result i32)
                (local.get 1)
                (if (local.get 0) (then (local.set 1 (i32.const 100))))
                (local.get 1)
                (i32.add)))
            """)
        XCTAssertEqual(try module.call("swap", Value(Int32(1)), Value(Int32(2))), [Value(Int32(2)), Value(Int32(1))])
        XCTAssertEqual(try module.call("old", Value(Int32(6))), [Value(Int32(42))])
        XCTAssertEqual(try module.call("tee", Value(Int32(10))), [Value(Int32(7))])
        XCTAssertEqual(try module.call("in_if", Value(Int32(1)), Value(Int32(5))), [Value(Int32(105))])
        XCTAssertEqual(try module.call("in_if", Value(Int32(0)), Value(Int32(5))), [Value(Int32(10))])
    }

    func testMultiValueBlocksLoopsAndCalls() throws {
        let module = try TestInstance("""
            (module
              (func $pair (param i32) (result i32 i32) (local.get 0) (i32.add (local.get 0) (i32.const 1)))
              (func (export "sum_to") (param i32) (result i32)
                ;; loop with parameters (accumulator, counter)
                (i32.const 0) (local.get 0)
                (loop (param i32 i32) (result i32 i32)
                  (local.set 0)
                  (i32.add (local.get 0))
                  (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))
                  (br_if 0 (local.get 0)))
                (drop))
              (func (export "block_params") (result i32)
                (i32.const 2) (i32.const 3)
                (block (param i32 i32) (result i32) (i32.mul)))
              (func (export "if_params") (param i32) (result i32 i32)
                (i32.const 10) (i32.const 20)
                (if (param i32 i32) (result i32 i32) (local.get 0)
                  (then (i32.add) (i32.const 1))))
              (func (export "call_pair") (result i32) (call $pair (i32.const 4)) (i32.sub)))
            """)
        XCTAssertEqual(try module.call("sum_to", Value(Int32(4))), [Value(Int32(10))])
        XCTAssertEqual(try module.call("block_params"), [Value(Int32(6))])
        XCTAssertEqual(try module.call("if_params", Value(Int32(1))), [Value(Int32(30)), Value(Int32(1))])
        XCTAssertEqual(try module.call("if_params", Value(Int32(0))), [Value(Int32(10)), Value(Int32(20))])
        XCTAssertEqual(try module.call("call_pair"), [Value(Int32(-1))])
    }

    func testDisplacedAddressesWrapAt32Bits() throws {
        let module = try TestInstance("""
            (module
              (memory 1)
              (func (export "store") (param i32 i32) (i32.store (i32.add (local.get 0) (i32.const 8)) (local.get 1)))
              (func (export "load") (param i32) (result i32) (i32.load offset=4 (i32.sub (local.get 0) (i32.const 16)))))
            """)
        // 0xFFFF_FFFC + 8 wraps to 4 as an i32 before the access.
        XCTAssertEqual(try module.call("store", Value(Int32(-4)), Value(Int32(1234))), [])
        XCTAssertEqual(try module.call("load", Value(Int32(16))), [Value(Int32(1234))])
        // 8 - 16 wraps to 0xFFFF_FFF8; with offset 4 that is out of bounds, not address -4.
        XCTAssertEqual(module.trap("load", Value(Int32(8)))?.kind, .memoryOutOfBounds)
        XCTAssertEqual(module.trap("store", Value(Int32(65532)), Value(Int32(0)))?.kind, .memoryOutOfBounds)
    }

    func testDeepRecursionTrapsWithCallStackExhausted() throws {
        var configuration = EngineConfiguration()
        configuration.maxCallDepth = 1000
        let module = try TestInstance("""
            (module
              (func $down (export "down") (param i32) (result i32)
                (if (result i32) (i32.eqz (local.get 0))
                  (then (i32.const 0))
                  (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))
              (func $forever (export "forever") (call $forever)))
            """, configuration: configuration)
        XCTAssertEqual(try module.call("down", Value(Int32(900))), [Value(Int32(900))])
        let trap = module.trap("forever")
        XCTAssertEqual(trap?.kind, .callStackExhausted)
        XCTAssertEqual(trap?.backtrace.first?.functionIndex, 1)
        // The store stays usable after the trap.
        XCTAssertEqual(try module.call("down", Value(Int32(10))), [Value(Int32(10))])
        XCTAssertEqual(module.trap("down", Value(Int32(5000)))?.kind, .callStackExhausted)
    }

    func testValueStackExhaustionTraps() throws {
        var configuration = EngineConfiguration()
        configuration.valueStackSlots = 10_000
        let module = try TestInstance("""
            (module (func $f (export "f") (param i64 i64 i64 i64) (call $f (i64.const 0) (i64.const 0) (i64.const 0) (i64.const 0))))
            """, configuration: configuration)
        XCTAssertEqual(module.trap("f", Value(Int64(0)), Value(Int64(0)), Value(Int64(0)), Value(Int64(0)))?.kind, .callStackExhausted)
    }

    func testTrapBacktraceIsInnermostFirstWithNames() throws {
        let module = try TestInstance("""
            (module
              (func $inner (unreachable))
              (func $middle (call $inner))
              (func (export "outer") (call $middle)))
            """)
        let trap = module.trap("outer")
        XCTAssertEqual(trap?.kind, .unreachable)
        XCTAssertEqual(trap?.backtrace.map(\.functionIndex), [0, 1, 2])
        XCTAssertEqual(trap?.backtrace.first?.functionName, "inner")
    }

    func testBulkMemoryChecksBoundsBeforeWriting() throws {
        let module = try TestInstance("""
            (module
              (memory (export "memory") 1)
              (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
              (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
              (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0))))
            """)
        XCTAssertEqual(module.trap("fill", Value(Int32(65530)), Value(Int32(7)), Value(Int32(7)))?.kind, .memoryOutOfBounds)
        XCTAssertEqual(try module.call("load", Value(Int32(65530))), [Value(Int32(0))])
        XCTAssertEqual(try module.call("fill", Value(Int32(65536)), Value(Int32(7)), Value(Int32(0))), [])
        XCTAssertEqual(try module.call("fill", Value(Int32(10)), Value(Int32(7)), Value(Int32(4))), [])
        XCTAssertEqual(try module.call("copy", Value(Int32(12)), Value(Int32(10)), Value(Int32(4))), [])
        XCTAssertEqual(try module.call("load", Value(Int32(15))), [Value(Int32(7))])
        XCTAssertEqual(try module.call("load", Value(Int32(16))), [Value(Int32(0))])
        XCTAssertEqual(module.trap("load", Value(Int32(65536)))?.kind, .memoryOutOfBounds)
    }

    func testCallIndirectTraps() throws {
        let module = try TestInstance("""
            (module
              (type $unary (func (param i32) (result i32)))
              (table 3 funcref)
              (elem (i32.const 0) $double $nothing)
              (func $double (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
              (func $nothing)
              (func (export "call") (param i32 i32) (result i32)
                (call_indirect (type $unary) (local.get 1) (local.get 0))))
            """)
        XCTAssertEqual(try module.call("call", Value(Int32(0)), Value(Int32(21))), [Value(Int32(42))])
        XCTAssertEqual(module.trap("call", Value(Int32(1)), Value(Int32(0)))?.kind, .indirectCallTypeMismatch)
        XCTAssertEqual(module.trap("call", Value(Int32(2)), Value(Int32(0)))?.kind, .uninitializedElement)
        XCTAssertEqual(module.trap("call", Value(Int32(3)), Value(Int32(0)))?.kind, .undefinedElement)
    }

    func testHostFunctionsReenterAndPropagateTraps() throws {
        let linker = Linker()
        let callbackType = FunctionType(parameters: [.i32], results: [.i32])
        linker.define(module: "host", name: "twice", function: HostFunction(type: callbackType) { caller, arguments throws(Trap) in
            guard let export = caller.export("square"), case .function(let square) = export else {
                throw Trap(.host("no square"))
            }
            let once = try square.invoke(arguments)
            return try square.invoke(once)
        })
        linker.define(module: "host", name: "fail", function: HostFunction(type: FunctionType(parameters: [], results: [])) { _, _ throws(Trap) in
            throw Trap(.host("refused"))
        })
        let module = try TestInstance("""
            (module
              (import "host" "twice" (func $twice (param i32) (result i32)))
              (import "host" "fail" (func $fail))
              (func (export "square") (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
              (func (export "fourth") (param i32) (result i32) (i32.add (i32.const 0) (call $twice (local.get 0))))
              (func $inner (call $fail))
              (func (export "fail") (call $inner)))
            """, linker: linker)
        XCTAssertEqual(try module.call("fourth", Value(Int32(3))), [Value(Int32(81))])
        let trap = module.trap("fail")
        XCTAssertEqual(trap?.kind, .host("refused"))
        XCTAssertEqual(trap?.backtrace.map(\.functionIndex), [4, 5])
    }

    func testCallsIntoAnotherInstanceSwitchMemory() throws {
        let engine = Engine()
        let store = Store(engine: engine)
        let linker = Linker()
        let exporter = try linker.instantiate(try engine.compile(try assemble("""
            (module
              (memory 1)
              (func (export "poke") (param i32 i32) (i32.store (local.get 0) (local.get 1)))
              (func (export "peek") (param i32) (result i32) (i32.load (local.get 0)))
              (func (export "grow") (result i32) (memory.grow (i32.const 1))))
            """)), store: store)
        linker.define(module: "a", instance: exporter)
        let importer = try linker.instantiate(try engine.compile(try assemble("""
            (module
              (import "a" "poke" (func $poke (param i32 i32)))
              (import "a" "peek" (func $peek (param i32) (result i32)))
              (import "a" "grow" (func $grow (result i32)))
              (memory 1)
              (func (export "test") (result i32 i32 i32)
                (i32.store (i32.const 8) (i32.const 5))
                (call $poke (i32.const 8) (i32.const 7))
                (drop (call $grow))
                (call $peek (i32.const 70000))
                (call $peek (i32.const 8))
                (i32.load (i32.const 8))))
            """)), store: store)
        XCTAssertEqual(try importer.function("test")!.invoke([]), [Value(Int32(0)), Value(Int32(7)), Value(Int32(5))])
    }

    func testFuelAndInterruption() throws {
        let source = """
            (module (func (export "spin") (param i32)
              (loop (br_if 0 (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))))
            """
        let metered = try TestInstance(source, limits: ResourceLimits(fuel: 100))
        XCTAssertEqual(metered.trap("spin", Value(Int32(1000)))?.kind, .fuelExhausted)
        metered.store.refuel()
        XCTAssertNil(metered.trap("spin", Value(Int32(50))))

        let interrupted = try TestInstance(source)
        interrupted.store.interruptHandle.interrupt()
        XCTAssertEqual(interrupted.trap("spin", Value(Int32(10)))?.kind, .deadlineExceeded)
        interrupted.store.interruptHandle.clear()
        XCTAssertNil(interrupted.trap("spin", Value(Int32(10))))
    }

    func testOpcodeWordHoldsTheEnumTag() {
        // The interpreter reads a code word back as `Op`; that relies on the
        // tag of this payload-free enum being its raw value.
        for op in Op.allCases {
            var word = UInt32(op.rawValue)
            let decoded = withUnsafeBytes(of: &word) { $0.load(as: Op.self) }
            XCTAssertEqual(decoded, op)
        }
    }
}
