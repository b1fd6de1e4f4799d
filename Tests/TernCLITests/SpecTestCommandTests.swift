import Foundation
import TernTestSupport
import XCTest

/// `tern spectest` end to end, on scripts converted with wast2json.
final class SpecTestCommandTests: TemporaryDirectoryTestCase {
    /// One of each kind of command, all of which pass (20 tests: all but
    /// `register` count, as in wabt's spectest-interp).
    static let passingScript = #"""
        (module $M
          (import "spectest" "print_i32" (func $print_i32 (param i32)))
          (import "spectest" "global_i32" (global $g666 i32))
          (import "spectest" "memory" (memory 1))
          (import "spectest" "table" (table 10 funcref))
          (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
          (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
          (func (export "double") (param f32) (result f32) (f32.add (local.get 0) (local.get 0)))
          (func (export "zero-by-zero") (result f64) (f64.div (f64.const 0) (f64.const 0)))
          (func $self (export "self") (result funcref) (ref.func $self))
          (func (export "null") (result funcref) (ref.null func))
          (func (export "same") (param externref) (result externref) (local.get 0))
          (func $recurse (export "recurse") (call $recurse))
          (func (export "print") (call $print_i32 (global.get $g666)))
          (func (export "pair") (result i64 f64) (i64.const -1) (f64.const 0.5))
          (global (export "seven") i32 (i32.const 7)))
        (register "M" $M)
        (module (import "M" "add" (func $add (param i32 i32) (result i32)))
          (func (export "add3") (param i32) (result i32) (call $add (local.get 0) (i32.const 3))))
        (assert_return (invoke "add3" (i32.const 4)) (i32.const 7))
        (assert_return (invoke $M "add" (i32.const -1) (i32.const 1)) (i32.const 0))
        (assert_return (get $M "seven") (i32.const 7))
        (assert_return (invoke $M "double" (f32.const nan:0x200000)) (f32.const nan:arithmetic))
        (assert_return (invoke $M "zero-by-zero") (f64.const nan:canonical))
        (assert_return (invoke $M "self") (ref.func))
        (assert_return (invoke $M "null") (ref.null func))
        (assert_return (invoke $M "same" (ref.extern 5)) (ref.extern 5))
        (assert_return (invoke $M "same" (ref.null extern)) (ref.null extern))
        (assert_return (invoke $M "pair") (i64.const -1) (f64.const 0.5))
        (assert_trap (invoke $M "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
        (assert_exhaustion (invoke $M "recurse") "call stack exhausted")
        (invoke $M "print")
        (assert_invalid (module (func (result i32))) "type mismatch")
        (assert_malformed (module binary "\00asm\02\00\00\00") "unknown binary version")
        (assert_malformed (module quote "(func") "unexpected end")
        (assert_unlinkable (module (import "M" "nope" (func))) "unknown import")
        (assert_trap (module (func $boom unreachable) (start $boom)) "unreachable")
        """#

    func testEveryKindOfCommandPasses() throws {
        let script = try convert(wast: Self.passingScript, name: "all")
        let result = try tern(["spectest", script.path])
        XCTAssertEqual(result.stdout, "all.json: 20 passed, 0 failed\n20 passed, 0 failed\n")
        XCTAssertEqual(result.stderr, "")
        XCTAssertEqual(result.status, 0)
    }

    func testFailuresNameTheirLineAndReason() throws {
        let script = try convert(wast: #"""
            (module
              (func (export "one") (result i32) (i32.const 1))
              (func (export "fail") (unreachable)))
            (assert_return (invoke "one") (i32.const 2))
            (assert_trap (invoke "one") "unreachable")
            (assert_trap (invoke "fail") "integer overflow")
            (invoke "fail")
            (assert_malformed (module binary "\00asm\01\00\00\00") "not malformed")
            (module (import "nowhere" "f" (func $f)) (export "one" (func $f)))
            (assert_return (invoke "one"))
            """#, name: "bad")
        let result = try tern(["spectest", script.path])
        XCTAssertEqual(result.status, 1)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        XCTAssertEqual(lines.first, "bad.json: 1 passed, 7 failed")
        XCTAssertEqual(lines.filter { $0.hasPrefix("  line ") }.map { $0.prefix { $0 != ":" } }, [
            "  line 4", "  line 5", "  line 6", "  line 7", "  line 8", "  line 9", "  line 10",
        ])
        XCTAssertTrue(result.stdout.contains("  line 4: assert_return: expected (i32:2), got (i32:1)\n"), result.stdout)
        XCTAssertTrue(result.stdout.contains("  line 6: assert_trap: expected trap \"integer overflow\", got \"unreachable\"\n"))
        XCTAssertTrue(result.stdout.contains("  line 9: module: module failed to instantiate: unlinkable: nowhere.f: unknown import\n"))
        XCTAssertTrue(result.stdout.contains("  line 8: assert_malformed: expected a malformed module, but it compiled\n"))
        XCTAssertTrue(result.stdout.contains("  line 10: assert_return: no current module (the latest module failed to load, or there was none)\n"))
        XCTAssertEqual(lines.suffix(2), ["1 passed, 7 failed", ""])
    }

    func testSuiteDirectoryRunsEveryScriptInIt() throws {
        _ = try convert(wast: #"(module) (assert_malformed (module quote "(") "x")"#, name: "b")
        _ = try convert(wast: "(module)", name: "a")
        let result = try tern(["spectest", "--suite-dir", directory.path])
        XCTAssertEqual(result.stdout, "a.json: 1 passed, 0 failed\nb.json: 2 passed, 0 failed\n3 passed, 0 failed\n")
        XCTAssertEqual(result.status, 0)
        XCTAssertEqual(try tern(["spectest", "--suite-dir", directory.path, "b.json"]).stdout,
                       "b.json: 2 passed, 0 failed\n2 passed, 0 failed\n")
    }
}
