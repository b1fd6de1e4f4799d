import Foundation
import TernSpecTest
import TernTestSupport
import XCTest

/// The runner's bookkeeping: counting, and failing (never crashing or
/// hanging) on scripts that cannot run. Scripts of every kind of command are
/// covered end to end by the CLI tests.
final class SpecTestRunnerTests: XCTestCase {
    private var temporaryDirectory: TemporaryDirectory!
    private var directory: URL { temporaryDirectory.url }

    override func setUpWithError() throws {
        temporaryDirectory = try TemporaryDirectory()
    }

    // XCTest keeps test case instances alive until the process ends, so the
    // directory is released here for its deinit to remove it.
    override func tearDown() {
        temporaryDirectory = nil
    }

    private func run(commands: String) throws -> FileResult {
        let file = directory.appendingPathComponent("script.json")
        try Data(#"{"source_filename": "script.wast", "commands": [\#(commands)]}"#.utf8).write(to: file)
        return SpecTestRunner().run(jsonFile: file)
    }

    func testTextFormatAssertionsPassWithoutRunning() throws {
        let result = try run(commands: """
            {"type": "assert_malformed", "line": 1, "filename": "x.0.wat", "text": "unexpected token", "module_type": "text"},
            {"type": "assert_malformed", "line": 2, "filename": "x.1.wat", "text": "unknown operator", "module_type": "text"}
            """)
        XCTAssertEqual(result, FileResult(passed: 2, failed: 0, failures: []))
    }

    func testMissingModuleFailsItAndTheActionsOnIt() throws {
        let result = try run(commands: """
            {"type": "module", "line": 1, "filename": "missing.wasm"},
            {"type": "assert_return", "line": 2, "action": {"type": "invoke", "field": "f", "args": []}, "expected": []},
            {"type": "action", "line": 3, "action": {"type": "get", "module": "$M", "field": "g"}, "expected": []}
            """)
        XCTAssertEqual(result.passed, 0)
        XCTAssertEqual(result.failed, 3)
        XCTAssertEqual(result.failures.map(\.line), [1, 2, 3])
        XCTAssertEqual(result.failures.map(\.command), ["module", "assert_return", "action"])
        XCTAssertTrue(result.failures[0].reason.hasPrefix("cannot read "), result.failures[0].reason)
        XCTAssertEqual(result.failures[1].reason, "no current module (the latest module failed to load, or there was none)")
        XCTAssertEqual(result.failures[2].description,
                       "line 3: action: no module named $M (it failed to load or was never defined)")
    }

    func testRegisterCountsOnlyWhenItFails() throws {
        let result = try run(commands: """
            {"type": "register", "line": 1, "as": "M"},
            {"type": "frobnicate", "line": 2}
            """)
        XCTAssertEqual(result.passed, 0)
        XCTAssertEqual(result.failed, 2)
        XCTAssertEqual(result.failures.map(\.reason), [
            "no current module (the latest module failed to load, or there was none)",
            "unknown command type \"frobnicate\"",
        ])
    }

    func testCommandRunningTooLongIsInterruptedAndTheNextOneRuns() throws {
        // (module (func (export "spin") (loop (br 0)))
        //         (func (export "one") (result i32) (i32.const 1)))
        let module = Wasm.module(
            Wasm.section(1, vector: [Wasm.functionType([], []), Wasm.functionType([], [.i32])]),
            Wasm.section(3, vector: [Wasm.u32(0), Wasm.u32(1)]),
            Wasm.section(7, vector: [Wasm.name("spin") + [0x00, 0x00], Wasm.name("one") + [0x00, 0x01]]),
            Wasm.section(10, vector: [Wasm.body([0x03, 0x40, 0x0C, 0x00, 0x0B, 0x0B]), Wasm.body(Wasm.i32Const(1))]))
        try Data(module).write(to: directory.appendingPathComponent("spin.wasm"))
        let file = directory.appendingPathComponent("script.json")
        try Data(#"""
            {"source_filename": "script.wast", "commands": [
             {"type": "module", "line": 1, "filename": "spin.wasm"},
             {"type": "action", "line": 2, "action": {"type": "invoke", "field": "spin", "args": []}, "expected": []},
             {"type": "assert_return", "line": 3, "action": {"type": "invoke", "field": "one", "args": []},
              "expected": [{"type": "i32", "value": "1"}]}]}
            """#.utf8).write(to: file)
        let runner = SpecTestRunner(commandTimeLimit: .milliseconds(100))
        let result = runner.run(jsonFile: file)
        XCTAssertEqual(result.passed, 2)
        XCTAssertEqual(result.failed, 1)
        let failure = try XCTUnwrap(result.failures.first)
        XCTAssertTrue(failure.description.hasPrefix("line 2: action: unexpected trap: deadline exceeded"), failure.description)
    }

    func testUnreadableScriptIsOneFailure() throws {
        let notJSON = directory.appendingPathComponent("broken.json")
        try Data("{".utf8).write(to: notJSON)
        for file in [notJSON, directory.appendingPathComponent("absent.json")] {
            let result = SpecTestRunner().run(jsonFile: file)
            XCTAssertEqual(result.passed, 0)
            XCTAssertEqual(result.failed, 1)
            XCTAssertEqual(result.failures.first?.command, "script")
        }
    }
}
