import Foundation
import TernTestSupport
import XCTest

/// `tern run` as a WASI host and sandbox, end to end: the C test programs
/// (built with wasi-libc) and WAT modules under the sandbox's options.
final class RunSandboxTests: TemporaryDirectoryTestCase {
    private func run(_ arguments: [String]) throws -> ProcessOutput {
        try tern(["run"] + arguments)
    }

    // MARK: WASI commands

    func testHelloWorld() throws {
        let result = try run([try WASIPrograms.path("hello")])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "hello, world\n")
        XCTAssertEqual(result.stderr, "to stderr\n")
    }

    func testProcExitCodeIsTheExitStatus() throws {
        let result = try run([try WASIPrograms.path("exit3")])
        XCTAssertEqual(result.status, 3)
        XCTAssertEqual(result.stdout, "exiting with 3\n")
        XCTAssertEqual(result.stderr, "")
    }

    func testEverythingAfterTheFileIsTheGuestsArguments() throws {
        let echo = try WASIPrograms.path("echo")
        let result = try run(["--env", "GREETING=hi there", "--env=EMPTY=", echo, "one", "--fuel", "5", "--invoke", "x"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, """
            argc=6
            arg[0]=\(echo)
            arg[1]=one
            arg[2]=--fuel
            arg[3]=5
            arg[4]=--invoke
            arg[5]=x
            env:GREETING=hi there
            env:EMPTY=

            """)
    }

    func testHostEnvironmentStaysHidden() throws {
        let result = try run([try WASIPrograms.path("echo")])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(result.stdout.contains("env:"), result.stdout)
    }

    func testPreopenedDirectoryIsReadable() throws {
        let data = directory.appendingPathComponent("data")
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try Data("inside".utf8).write(to: data.appendingPathComponent("inside.txt"))
        let fsops = try WASIPrograms.path("fsops")
        let read = try run(["--dir", data.path + "::/sb:ro", fsops, "read", "/sb/inside.txt"])
        XCTAssertEqual(read.status, 0, read.stderr)
        XCTAssertEqual(read.stdout, "ok inside\n")
        // Read-only: writing fails with ENOTCAPABLE (76) and creates nothing.
        let write = try run(["--dir", data.path + "::/sb:ro", fsops, "write", "/sb/new.txt"])
        XCTAssertEqual(write.stdout, "errno=76\n")
        XCTAssertFalse(FileManager.default.fileExists(atPath: data.appendingPathComponent("new.txt").path))
        // Without --dir there is no file system at all.
        XCTAssertEqual(try run([fsops, "read", "/sb/inside.txt"]).stdout, "errno=76\n")
    }

    func testMissingPreopenFailsBeforeTheGuestRuns() throws {
        let result = try run(["--dir", directory.path + "/absent", try WASIPrograms.path("hello")])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("error: cannot open directory '\(directory.path)/absent'"), result.stderr)
        XCTAssertEqual(result.stdout, "")
    }

    // MARK: Limits

    func testTimeoutStopsAnInfiniteLoop() throws {
        let spin = try assemble(#"(module (func (export "_start") (loop $forever (br $forever))))"#, name: "spin")
        let started = ContinuousClock.now
        let result = try run(["--timeout", "100ms", spin.path])
        XCTAssertEqual(result.status, 1)
        XCTAssertTrue(result.stderr.hasPrefix("trap: deadline exceeded\n"), result.stderr)
        XCTAssertLessThan(ContinuousClock.now - started, .seconds(10))
    }

    func testMemoryBombStopsAtTheCeiling() throws {
        // Grows one page at a time, touching each, until memory.grow
        // refuses; returns the final size in pages.
        let bomb = try assemble("""
            (module
              (memory 1)
              (func (export "bomb") (result i32)
                (block $refused
                  (loop $grow
                    (br_if $refused (i32.eq (memory.grow (i32.const 1)) (i32.const -1)))
                    (i32.store8 (i32.sub (i32.mul (memory.size) (i32.const 65536)) (i32.const 1)) (i32.const 1))
                    (br $grow)))
                (memory.size)))
            """, name: "bomb")
        let result = try run(["--max-memory", "16MiB", bomb.path, "--invoke", "bomb"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(result.stdout, "256\n")

        let tooSmall = try run(["--max-memory", "32KiB", bomb.path, "--invoke", "bomb"])
        XCTAssertEqual(tooSmall.status, 1)
        XCTAssertTrue(tooSmall.stderr.hasPrefix("resource limit: "), tooSmall.stderr)
        XCTAssertEqual(tooSmall.stderr.filter { $0 == "\n" }.count, 1, tooSmall.stderr)
    }

    func testMaxDepthTrapsWithAShortenedBacktrace() throws {
        let recurse = try assemble(#"(module (func $recurse (export "recurse") (call $recurse)))"#, name: "recurse")
        let result = try run(["--max-depth", "100", recurse.path, "--invoke", "recurse"])
        XCTAssertEqual(result.status, 1)
        let lines = result.stderr.split(separator: "\n")
        XCTAssertEqual(lines.first, "trap: call stack exhausted")
        XCTAssertEqual(lines.dropFirst().prefix(20), Array(repeating: "  at recurse (func 0)", count: 20)[...])
        XCTAssertEqual(lines.count, 22, result.stderr)
        guard let last = lines.last, last.hasPrefix("  ... "), last.hasSuffix(" more frames"),
              let hidden = Int(last.dropFirst(6).prefix { $0.isNumber })
        else { return XCTFail(result.stderr) }
        XCTAssertGreaterThan(hidden, 50)
        XCTAssertLessThanOrEqual(hidden, 80)
    }

    func testFuelRunsOutAtTheSamePointEveryTime() throws {
        // Writes "." forever; fuel alone stops it.
        let dots = try assemble("""
            (module
              (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
              (memory (export "memory") 1)
              (data (i32.const 0) "\\10\\00\\00\\00\\01\\00\\00\\00")
              (data (i32.const 16) ".")
              (func (export "_start")
                (loop $forever
                  (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
                  (br $forever))))
            """, name: "dots")
        let runs = try (1...3).map { _ in try run(["--fuel", "20000", dots.path]) }
        for result in runs {
            XCTAssertEqual(result.status, 1)
            XCTAssertTrue(result.stderr.hasPrefix("trap: fuel exhausted\n"), result.stderr)
            XCTAssertEqual(result.stdout, runs[0].stdout)
        }
        XCTAssertGreaterThan(runs[0].stdout.count, 0)
        let moreFuel = try run(["--fuel", "40000", dots.path])
        XCTAssertGreaterThan(moreFuel.stdout.count, runs[0].stdout.count)
    }

    func testSandboxOptionErrorsAreUsageErrors() throws {
        let noop = try assemble(#"(module (func (export "_start")))"#, name: "noop")
        let cases: [([String], String)] = [
            (["--timeout", "soon", noop.path], "error: invalid value 'soon' for duration"),
            (["--max-memory", "lots", noop.path], "error: invalid value 'lots' for size"),
            (["--fuel", "-1", noop.path], "error: invalid value '-1' for --fuel"),
            (["--allow", "network", noop.path], "error: invalid value 'network' for --allow"),
            (["--allow", "none", "--dir", directory.path, noop.path], "error: --dir needs the fs capability"),
            (["--verbose", "yes", noop.path], "error: unknown option '--verbose'"),
            ([noop.path, "--invoke"], "error: option --invoke needs a value"),
        ]
        for (arguments, message) in cases {
            let result = try run(arguments)
            XCTAssertEqual(result.status, 2, "\(arguments)")
            XCTAssertTrue(result.stderr.hasPrefix(message), "\(arguments): \(result.stderr)")
            XCTAssertEqual(result.stdout, "")
        }
    }
}
