import Foundation
import TernTestSupport
import XCTest

/// `tern run --invoke`, end to end: the binary on modules assembled with
/// wat2wasm.
final class RunCommandTests: TemporaryDirectoryTestCase {
    private var module: URL!

    override func setUpWithError() throws {
        try super.setUpWithError()
        module = try assemble("""
            (module
              (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
              (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
              (func (export "mix") (param i64 f32 f64) (result i64 f32 f64) (local.get 0) (local.get 1) (local.get 2))
              (func (export "same") (param externref) (result externref) (local.get 0))
              (func (export "null-func") (result funcref) (ref.null func))
              (func $self (export "self") (result funcref) (ref.func $self))
              (func $fault (unreachable))
              (func (export "call-fault") (call $fault))
              (memory 1))
            """)
    }

    private func run(_ arguments: [String]) throws -> ProcessOutput {
        try tern(["run"] + arguments)
    }

    func testInvokePrintsOneResultPerLine() throws {
        let cases: [([String], String)] = [
            (["add", "2", "3"], "5\n"),
            (["add", "-1", "0x10"], "15\n"),
            (["add", "4294967295", "0"], "-1\n"),
            (["add", "0x7fffffff", "1"], "-2147483648\n"),
            (["mix", "-1", "1.5", "nan:0x1"], "-1\n1.5\nnan:0x1\n"),
            (["mix", "0x7fffffffffffffff", "-inf", "-0"], "9223372036854775807\n-inf\n-0.0\n"),
            (["mix", "18446744073709551615", "nan", "-nan:0x4000000000000"], "-1\nnan\n-nan:0x4000000000000\n"),
            (["mix", "0", "0.1", "inf"], "0\n0.1\ninf\n"),
            (["same", "null"], "null\n"),
            (["same", "7"], "ref.extern 7\n"),
            (["null-func"], "null\n"),
            (["self"], "ref.func\n"),
        ]
        for (invocation, expected) in cases {
            let result = try run([module.path, "--invoke"] + invocation)
            XCTAssertEqual(result.status, 0, "\(invocation): \(result.stderr)")
            XCTAssertEqual(result.stdout, expected, "\(invocation)")
        }
    }

    func testInvokeGoesBeforeTheFileOrDirectlyAfterIt() throws {
        for arguments in [["--invoke", "add", module.path, "1", "2"], ["--invoke=add", module.path, "1", "2"],
                          [module.path, "--invoke", "add", "1", "2"], [module.path, "--invoke=add", "1", "2"]] {
            let result = try run(arguments)
            XCTAssertEqual(result.stdout, "3\n", "\(arguments): \(result.stderr)")
        }
        // Further on, it is one of the function's arguments.
        let late = try run(["--invoke", "add", module.path, "1", "--invoke"])
        XCTAssertEqual(late.status, 1)
        XCTAssertEqual(late.stderr, "error: add: argument 2: '--invoke' is not a valid i32\n")
    }

    func testTrapsFailWithTheirBacktrace() throws {
        let divide = try run([module.path, "--invoke", "div", "1", "0"])
        XCTAssertEqual(divide.status, 1)
        XCTAssertTrue(divide.stderr.hasPrefix("trap: integer divide by zero\n"), divide.stderr)
        let fault = try run([module.path, "--invoke", "call-fault"])
        XCTAssertEqual(fault.status, 1)
        XCTAssertTrue(fault.stderr.hasPrefix("trap: unreachable\n  at fault (func 6)\n  at "), fault.stderr)
        XCTAssertEqual(fault.stdout, "")
    }

    func testBadInvocationsFail() throws {
        let cases: [([String], String)] = [
            (["nope"], "error: module has no exported function 'nope'\n"),
            (["add", "1"], "error: add: expected 2 argument(s), got 1\n"),
            (["add", "1", "x"], "error: add: argument 2: 'x' is not a valid i32\n"),
            (["add", "1", "4294967296"], "error: add: argument 2: '4294967296' is not a valid i32\n"),
            (["mix", "1", "nan:0x0", "0"], "error: mix: argument 2: 'nan:0x0' is not a valid f32\n"),
        ]
        for (invocation, message) in cases {
            let result = try run([module.path, "--invoke"] + invocation)
            XCTAssertEqual(result.status, 1, "\(invocation)")
            XCTAssertEqual(result.stderr, message)
        }
    }

    func testWithoutInvokeRunsStart() throws {
        let command = try assemble(#"(module (func (export "_start")))"#, name: "command")
        let result = try run([command.path, "guest", "--args"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout + result.stderr, "")

        let library = try run([module.path])
        XCTAssertEqual(library.status, 1)
        XCTAssertEqual(library.stderr, "error: module has no _start function (a reactor? use --invoke NAME)\n")
    }

    func testReactorIsInitializedBeforeTheInvokedExport() throws {
        let reactor = try assemble("""
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 0) "\\10\\00\\00\\00\\03\\00\\00\\00")
              (data (i32.const 16) "hi\\n")
              (global $base (mut i32) (i32.const 0))
              (func (export "_initialize") (global.set $base (i32.const 40)))
              (func (export "answer") (param i32) (result i32)
                (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
                (i32.add (global.get $base) (local.get 0))))
            """, name: "reactor")
        let result = try run([reactor.path, "--invoke", "answer", "2"])
        XCTAssertEqual(result.status, 0, result.stderr)
        // The guest's output comes first: the results are printed once it returned.
        XCTAssertEqual(result.stdout, "hi\n42\n")
    }

    func testModulesThatCannotRunReportWhy() throws {
        let malformed = directory.appendingPathComponent("junk.wasm")
        try Data("not wasm".utf8).write(to: malformed)
        let invalid = try assemble(#"(module (func (result i32) (f32.const 1)))"#, name: "invalid", validate: false)
        let unlinkable = try assemble(#"(module (import "env" "f" (func)) (func (export "f")))"#, name: "unlinkable")
        let cases: [(URL, String)] = [
            (malformed, "malformed: "),
            (invalid, "invalid: "),
            (unlinkable, "unlinkable: env.f: unknown import\n"),
        ]
        for (file, message) in cases {
            let result = try run([file.path, "--invoke", "f"])
            XCTAssertEqual(result.status, 1, file.lastPathComponent)
            XCTAssertTrue(result.stderr.hasPrefix(message), result.stderr)
            XCTAssertEqual(result.stderr.filter { $0 == "\n" }.count, 1, "one line: \(result.stderr)")
        }
        XCTAssertTrue(try run([malformed.path]).stderr.contains(" at offset "))
        XCTAssertTrue(try run([invalid.path]).stderr.hasSuffix(" in function 0\n"))
    }
}
