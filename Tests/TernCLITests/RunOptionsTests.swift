import TernWASI
import XCTest
@testable import tern

final class RunOptionsTests: XCTestCase {
    func testOptionsGoBeforeTheFileAndTheRestIsForTheGuest() throws {
        let options = try RunOptions.parse([
            "--fuel", "1000", "--max-memory=16MiB", "--timeout", "100ms", "--max-depth", "500",
            "--env", "A=1", "--env", "B=", "--allow", "clock,random,fs", "--dir", "/tmp::/data:ro",
            "app.wasm", "--fuel", "-5",
        ])
        XCTAssertEqual(options.modulePath, "app.wasm")
        XCTAssertEqual(options.guestArguments, ["--fuel", "-5"])
        XCTAssertNil(options.sandbox.invoke)
        XCTAssertEqual(options.sandbox.limits, SandboxLimits(maxMemoryBytes: 16 << 20, maxCallDepth: 500,
                                                             timeout: .milliseconds(100), fuel: 1000))
        XCTAssertEqual(options.sandbox.environment, [EnvironmentVariable(name: "A", value: "1"),
                                                     EnvironmentVariable(name: "B", value: "")])
        XCTAssertEqual(options.sandbox.capabilities, [.clock, .random, .filesystem])
        XCTAssertEqual(options.sandbox.preopens, [PreopenDirectory(hostPath: "/tmp", guestPath: "/data", isReadOnly: true)])
    }

    func testEverySandboxOptionIsAccepted() throws {
        let samples = [
            "--dir": "/tmp", "--env": "A=1", "--allow": "all", "--deny": "clock", "--max-memory": "1MiB",
            "--max-table": "10", "--max-depth": "10", "--timeout": "1s", "--fuel": "1", "--invoke": "f",
        ]
        XCTAssertEqual(Set(samples.keys), RunSandboxOptions.optionNames)
        for (name, value) in samples {
            XCTAssertNoThrow(try RunOptions.parse([name, value, "a.wasm"]), name)
        }
    }

    func testInvokeMayFollowTheFile() throws {
        let after = try RunOptions.parse(["fib.wasm", "--invoke", "run", "20"])
        XCTAssertEqual(after.sandbox.invoke, "run")
        XCTAssertEqual(after.guestArguments, ["20"])
        let before = try RunOptions.parse(["--invoke=run", "fib.wasm", "-1", "--invoke"])
        XCTAssertEqual(before.sandbox.invoke, "run")
        XCTAssertEqual(before.guestArguments, ["-1", "--invoke"])
        let command = try RunOptions.parse(["app.wasm", "x", "--invoke", "run"])
        XCTAssertNil(command.sandbox.invoke)
        XCTAssertEqual(command.guestArguments, ["x", "--invoke", "run"])
    }

    func testInvalidCommandLinesAreUsageErrors() {
        let invalid: [[String]] = [
            [],
            ["--fuel"],
            ["--fuel", "lots", "a.wasm"],
            ["--max-memory", "64XB", "a.wasm"],
            ["--timeout", "5", "a.wasm"],
            ["--max-depth", "-1", "a.wasm"],
            ["--env", "=1", "a.wasm"],
            ["--allow", "network", "a.wasm"],
            ["--dir", "/tmp::", "a.wasm"],
            ["--deny", "fs", "--dir", "/tmp", "a.wasm"],
            ["--verbose", "yes", "a.wasm"],
            ["-v", "a.wasm"],
            ["a.wasm", "--invoke"],
            ["a.wasm", "--invoke="],
        ]
        for arguments in invalid {
            XCTAssertThrowsError(try RunOptions.parse(arguments), "\(arguments)") { error in
                guard case .usage = error as? CommandLineError else { return XCTFail("\(arguments): \(error)") }
            }
        }
    }
}
