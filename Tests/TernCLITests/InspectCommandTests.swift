import TernTestSupport
import XCTest

final class InspectCommandTests: TemporaryDirectoryTestCase {
    func testListsEveryKindUnderItsHeading() throws {
        let module = try assemble("""
            (module
              (import "env" "log" (func (param i32)))
              (import "env" "mem" (memory 1 2))
              (import "env" "base" (global i32))
              (table 2 funcref)
              (global $counter (mut i64) (i64.const -5))
              (global f64 (f64.const 1.5))
              (func (export "run") (param i32) (result i32) (local.get 0))
              (export "memory" (memory 0))
              (export "counter" (global $counter)))
            """)
        let result = try tern(["inspect", module.path])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, """
            imports:
              func env.log: (i32) -> ()
              memory env.mem: pages min 1, max 2
              global env.base: i32
            exports:
              func run: func 1 (i32) -> (i32)
              memory memory: memory 0 pages min 1, max 2
              global counter: global 1 mut i64
            memories:
              memory 0: pages min 1, max 2 (imported)
            tables:
              table 0: funcref, elements min 2, no max
            globals:
              global 0: i32 (imported)
              global 1: mut i64 = i64.const -5
              global 2: f64 = f64.const 1.5

            """)
    }

    func testEmptyModule() throws {
        let result = try tern(["inspect", try assemble("(module)").path])
        XCTAssertEqual(result.stdout, ["imports", "exports", "memories", "tables", "globals"].map { "\($0):\n  (none)\n" }.joined())
    }

    func testMalformedModuleFails() throws {
        let file = directory.appendingPathComponent("junk.wasm")
        try Data([0, 0x61, 0x73, 0x6D, 2, 0, 0, 0]).write(to: file)
        let result = try tern(["inspect", file.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("malformed: "), result.stderr)
    }
}
