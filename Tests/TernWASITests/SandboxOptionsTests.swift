import Dispatch
import TernEngine
import XCTest
@testable import TernWASI

final class SandboxOptionsTests: XCTestCase {
    func testDefaultsAreWasmtimeLike() throws {
        let (options, rest) = try RunSandboxOptions.parse(["app.wasm", "--dir", "x"])
        XCTAssertEqual(rest, ["app.wasm", "--dir", "x"])  // options stop at the module
        XCTAssertEqual(options.capabilities, [.arguments, .environment, .clock, .random, .stdio, .filesystem])
        XCTAssertTrue(options.preopens.isEmpty)
        XCTAssertTrue(options.environment.isEmpty)
        XCTAssertEqual(options.limits, SandboxLimits())
        XCTAssertNil(options.invoke)
    }

    func testParsesEveryOption() throws {
        let (options, rest) = try RunSandboxOptions.parse([
            "--dir", "/srv/data::/data:ro", "--dir=out", "--env", "A=1", "--env=B=x=y",
            "--allow", "stdio,clock,fs", "--max-memory", "64MiB", "--timeout=100ms", "--fuel", "5000",
            "--max-depth", "100", "--max-table=10", "--invoke", "add", "--", "--not-an-option", "1",
        ])
        XCTAssertEqual(rest, ["--not-an-option", "1"])
        XCTAssertEqual(options.preopens, [
            PreopenDirectory(hostPath: "/srv/data", guestPath: "/data", isReadOnly: true),
            PreopenDirectory(hostPath: "out", guestPath: "out", isReadOnly: false),
        ])
        XCTAssertEqual(options.environment, [EnvironmentVariable(name: "A", value: "1"), EnvironmentVariable(name: "B", value: "x=y")])
        XCTAssertEqual(options.capabilities, [.stdio, .clock, .filesystem])
        XCTAssertEqual(options.limits, SandboxLimits(maxMemoryBytes: 64 << 20, maxTableElements: 10, maxCallDepth: 100,
                                                     timeout: .milliseconds(100), fuel: 5000))
        XCTAssertEqual(options.limits.resourceLimits,
                       ResourceLimits(maxMemoryBytes: 64 << 20, maxTableElements: 10, maxCallDepth: 100, fuel: 5000))
        XCTAssertEqual(options.invoke, "add")
        XCTAssertEqual(options.preopens[0].description, "/srv/data::/data:ro")
    }

    func testDenyAndConflicts() throws {
        let (options, _) = try RunSandboxOptions.parse(["--deny", "random,env", "m.wasm"])
        XCTAssertEqual(options.capabilities, [.arguments, .clock, .stdio, .filesystem])
        XCTAssertEqual(options.capabilities.description, "args,clock,stdio,fs")
        XCTAssertThrowsError(try RunSandboxOptions.parse(["--allow", "none", "--dir", "x", "m.wasm"])) {
            guard case .conflict? = $0 as? SandboxOptionError else { return XCTFail("\($0)") }
        }
    }

    func testErrors() {
        func error(_ arguments: [String]) -> SandboxOptionError? {
            do { _ = try RunSandboxOptions.parse(arguments); return nil } catch { return error }
        }
        XCTAssertEqual(error(["--bogus", "1"]), .unknownOption("--bogus"))
        XCTAssertEqual(error(["--dir"]), .missingValue(option: "--dir"))
        XCTAssertNotNil(error(["--allow", "clock,network"]))
        XCTAssertNotNil(error(["--max-memory", "lots"]))
        XCTAssertNotNil(error(["--max-memory", "99999999999GiB"]))
        XCTAssertNotNil(error(["--timeout", "5"]))
        XCTAssertNotNil(error(["--timeout", "-1s"]))
        XCTAssertNotNil(error(["--fuel", "-3"]))
        XCTAssertNotNil(error(["--dir", "::guest"]))
        XCTAssertNotNil(error(["--dir", "host::"]))
        XCTAssertNotNil(error(["--env", "=v"]))
        XCTAssertNotNil(error(["--env", "TERN_SURELY_UNSET_VARIABLE_1234"]))
    }

    func testSizesAndDurations() throws {
        XCTAssertEqual(try SandboxLimits.parseByteCount("65536"), 65536)
        XCTAssertEqual(try SandboxLimits.parseByteCount("16MiB"), 16 << 20)
        XCTAssertEqual(try SandboxLimits.parseByteCount("16M"), 16 << 20)
        XCTAssertEqual(try SandboxLimits.parseByteCount("512k"), 512 << 10)
        XCTAssertEqual(try SandboxLimits.parseByteCount("1GiB"), 1 << 30)
        XCTAssertEqual(try SandboxLimits.parseByteCount("2MB"), 2_000_000)
        XCTAssertEqual(try SandboxLimits.parseDuration("2s"), .seconds(2))
        XCTAssertEqual(try SandboxLimits.parseDuration("100ms"), .milliseconds(100))
        XCTAssertEqual(try SandboxLimits.parseDuration("1.5s"), .milliseconds(1500))
        XCTAssertEqual(try SandboxLimits.parseDuration("250us"), .microseconds(250))
        XCTAssertEqual(try SandboxLimits.parseDuration("2m"), .seconds(120))
    }

    func testEnvironmentFromHost() throws {
        setenv("TERN_TEST_VARIABLE", "from host", 1)
        XCTAssertEqual(try RunSandboxOptions.parseEnvironment("TERN_TEST_VARIABLE"),
                       EnvironmentVariable(name: "TERN_TEST_VARIABLE", value: "from host"))
    }

    func testHelpMentionsEveryOption() {
        for name in RunSandboxOptions.optionNames {
            XCTAssertTrue(RunSandboxOptions.helpText.contains(name), name)
        }
    }

    func testValueParsing() throws {
        XCTAssertEqual(try parseValues(["-1", "4294967295", "7", "1.5"], for: [.i32, .i32, .i64, .f64]),
                       [.i32(UInt32.max), .i32(UInt32.max), .i64(7), Value(1.5)])
        XCTAssertThrowsError(try parseValues(["x"], for: [.i32]))
        XCTAssertThrowsError(try parseValues([], for: [.i32]))
    }

    func testIntegersAreSignedOrUnsignedDecimalOrHex() throws {
        let i32Cases: [(String, UInt32)] = [
            ("42", 42), ("+42", 42), ("-1", 0xFFFF_FFFF), ("4294967295", 0xFFFF_FFFF),
            ("-2147483648", 0x8000_0000), ("0xff", 255), ("0XFF", 255), ("-0x1", 0xFFFF_FFFF),
        ]
        for (text, bits) in i32Cases {
            XCTAssertEqual(try parseValues([text], for: [.i32]), [.i32(bits)], text)
        }
        let i64Cases: [(String, UInt64)] = [
            ("-0x1", .max), ("18446744073709551615", .max), ("-9223372036854775808", 1 << 63),
            ("0x7fffffffffffffff", 0x7FFF_FFFF_FFFF_FFFF),
        ]
        for (text, bits) in i64Cases {
            XCTAssertEqual(try parseValues([text], for: [.i64]), [.i64(bits)], text)
        }
        for invalid in ["", "-", "0x", "4294967296", "-2147483649", "1.0", "--1", "+-1", "-+1", "12a", "0x1g", " 1"] {
            XCTAssertThrowsError(try parseValues([invalid], for: [.i32]), invalid)
        }
        XCTAssertThrowsError(try parseValues(["18446744073709551616"], for: [.i64]))
        XCTAssertThrowsError(try parseValues(["-9223372036854775809"], for: [.i64]))
    }

    func testFloatsIncludeInfinitiesAndNaNPayloads() throws {
        let f32Cases: [(String, UInt32)] = [
            ("1.5", 0x3FC0_0000), ("-0", 0x8000_0000), ("inf", 0x7F80_0000), ("-inf", 0xFF80_0000),
            ("nan", 0x7FC0_0000), ("-nan", 0xFFC0_0000), ("nan:0x1", 0x7F80_0001), ("-nan:0x7fffff", 0xFFFF_FFFF),
        ]
        for (text, bits) in f32Cases {
            XCTAssertEqual(try parseValues([text], for: [.f32]), [.f32(bits)], text)
        }
        XCTAssertEqual(try parseValues(["-nan:0x4000000000000", "0.1"], for: [.f64, .f64]),
                       [.f64(0xFFF4_0000_0000_0000), .f64(0x3FB9_9999_9999_999A)])
        for invalid in ["", "nan:0x0", "nan:0x800000", "nan:0x", "infinity", "snan", "x", "1.5.5"] {
            XCTAssertThrowsError(try parseValues([invalid], for: [.f32]), invalid)
        }
    }

    func testReferencesAreNullOrAnExternPayload() throws {
        XCTAssertEqual(try parseValues(["null", "null", "7"], for: [.funcref, .externref, .externref]),
                       [.funcRef(nil), .externRef(nil), .externRef(7)])
        XCTAssertThrowsError(try parseValues(["7"], for: [.funcref]))
        XCTAssertThrowsError(try parseValues(["18446744073709551615"], for: [.externref]))
    }

    func testValueErrorsNameTheArgument() {
        XCTAssertThrowsError(try parseValues(["1", "x"], for: [.i32, .f64])) { error in
            XCTAssertEqual((error as? ValueParseError)?.description, "argument 2: 'x' is not a valid f64")
        }
        XCTAssertThrowsError(try parseValues(["1"], for: [.i32, .i32])) { error in
            XCTAssertEqual((error as? ValueParseError)?.description, "expected 2 argument(s), got 1")
        }
    }
}

final class DeadlineTimerTests: XCTestCase {
    func waitUntil(_ condition: () -> Bool, timeout: Double = 5) -> Bool {
        let end = DeadlineTimer.now() + UInt64(timeout * 1e9)
        while DeadlineTimer.now() < end {
            if condition() { return true }
            usleep(1000)
        }
        return condition()
    }

    func testFiresAndDisarms() {
        let timer = DeadlineTimer()
        defer { timer.shutdown() }
        let engine = Engine()
        let late = Store(engine: engine), onTime = Store(engine: engine)
        let lateToken = timer.arm(late.interruptHandle, after: .milliseconds(10))
        let onTimeToken = timer.arm(onTime.interruptHandle, after: .seconds(30))
        XCTAssertTrue(waitUntil { late.interruptHandle.isInterrupted })
        XCTAssertTrue(timer.disarm(lateToken))  // had fired
        XCTAssertFalse(timer.disarm(onTimeToken))  // cancelled in time
        XCTAssertFalse(onTime.interruptHandle.isInterrupted)
        XCTAssertEqual(timer.armedCount, 0)
        XCTAssertEqual(timer.fired, 1)
    }

    func testEarlierDeadlineArmedLaterStillFiresFirst() {
        let timer = DeadlineTimer()
        defer { timer.shutdown() }
        let engine = Engine()
        let slow = Store(engine: engine), fast = Store(engine: engine)
        timer.arm(slow.interruptHandle, after: .seconds(60))
        timer.arm(fast.interruptHandle, after: .milliseconds(5))
        XCTAssertTrue(waitUntil { fast.interruptHandle.isInterrupted })
        XCTAssertFalse(slow.interruptHandle.isInterrupted)
    }

    func testManyArmDisarmCyclesStayCheap() {
        let timer = DeadlineTimer()
        defer { timer.shutdown() }
        let store = Store(engine: Engine())
        for _ in 0..<20_000 {
            let token = timer.arm(store.interruptHandle, after: .seconds(30))
            XCTAssertFalse(timer.disarm(token))
        }
        XCTAssertEqual(timer.armedCount, 0)
        XCTAssertFalse(store.interruptHandle.isInterrupted)
    }

    func testConcurrentArming() {
        let timer = DeadlineTimer()
        defer { timer.shutdown() }
        let engine = Engine()
        let stores = (0..<8).map { _ in Store(engine: engine) }
        let handles = stores.map(\.interruptHandle)
        DispatchQueue.concurrentPerform(iterations: 8) { index in
            for _ in 0..<500 {
                let token = timer.arm(handles[index], after: .seconds(10))
                timer.disarm(token)
            }
            timer.arm(handles[index], after: .milliseconds(1))
        }
        XCTAssertTrue(waitUntil { handles.allSatisfy(\.isInterrupted) })
    }
}
