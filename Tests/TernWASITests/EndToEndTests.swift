import Foundation
import TernEngine
import TernTestSupport
import XCTest
@testable import TernWASI

/// The C test programs (Tests/Fixtures/wasi/*.c, built by
/// scripts/build-test-modules.sh) run through `runCommand`.
final class EndToEndTests: XCTestCase {
    let engine = Engine()
    var root: TemporaryDirectory!

    override func setUpWithError() throws {
        try requireWorkingEngine(engine)
        root = try TemporaryDirectory()
    }

    // XCTest keeps test case instances alive until the process ends, so the
    // directory is released here for its deinit to remove it.
    override func tearDown() {
        root = nil
    }

    struct Run {
        var outcome: RunOutcome
        var stdout: String
        var stderr: String
        var denied: DeniedCallLog
    }

    func run(_ program: String, _ arguments: [String] = [], options: [String] = [],
             stdin: [UInt8] = []) throws -> Run {
        let module = try compileOrSkip(engine, try WASIPrograms.bytes(program))
        let (parsed, rest) = try RunSandboxOptions.parse(options + ["\(program).wasm"] + arguments)
        let stdout = CapturedOutput(), stderr = CapturedOutput()
        let denied = DeniedCallLog(function: program)
        let outcome = runCommand(engine: engine, module: module, options: parsed, arguments: rest,
                                 stdin: BytesInput(stdin), stdout: stdout, stderr: stderr, deniedCalls: denied)
        return Run(outcome: outcome, stdout: stdout.text, stderr: stderr.text, denied: denied)
    }

    func testHelloWorld() throws {
        let result = try run("hello")
        XCTAssertEqual(result.outcome, .exited(code: 0))
        XCTAssertEqual(result.outcome.exitStatus, 0)
        XCTAssertEqual(result.stdout, "hello, world\n")
        XCTAssertEqual(result.stderr, "to stderr\n")
        XCTAssertEqual(result.denied.total, 0)
    }

    func testArgumentsAndEnvironmentEcho() throws {
        let result = try run("echo", ["one", "two words"], options: ["--env", "GREETING=hi", "--env", "EMPTY="])
        XCTAssertEqual(result.outcome, .exited(code: 0))
        XCTAssertEqual(result.stdout, """
            argc=3
            arg[0]=echo.wasm
            arg[1]=one
            arg[2]=two words
            env:GREETING=hi
            env:EMPTY=

            """)
    }

    func testHostEnvironmentIsNotVisible() throws {
        setenv("TERN_HOST_ONLY_SECRET", "leak", 1)
        let result = try run("echo")
        XCTAssertFalse(result.stdout.contains("TERN_HOST_ONLY_SECRET"))
        XCTAssertFalse(result.stdout.contains("env:"))
    }

    func testClockAndRandom() throws {
        let result = try run("clock_random")
        XCTAssertEqual(result.outcome, .exited(code: 0))
        XCTAssertEqual(result.stdout, "realtime ok\nsleep ok\nrandom ok\n")
    }

    func testClockAndRandomDenied() throws {
        let result = try run("clock_random", options: ["--deny", "clock,random"])
        XCTAssertEqual(result.outcome, .exited(code: 0))
        XCTAssertEqual(result.stdout, "clock errno=76\nrandom errno=76\n")
        XCTAssertEqual(result.denied.counts["clock_time_get"], 1)
        XCTAssertEqual(result.denied.counts["random_get"], 1)
    }

    func testStdioDenied() throws {
        let result = try run("hello", options: ["--deny", "stdio"])
        XCTAssertEqual(result.outcome, .exited(code: 0))
        XCTAssertEqual(result.stdout, "")
        XCTAssertEqual(result.stderr, "")
        XCTAssertGreaterThan(result.denied.counts["fd_write"] ?? 0, 0)
    }

    func testArgumentsDeniedMakesLibcExit() throws {
        // wasi-libc exits with EX_OSERR (71) when it cannot read argv.
        let result = try run("echo", options: ["--deny", "args"])
        XCTAssertEqual(result.outcome, .exited(code: 71))
        XCTAssertEqual(result.denied.counts["args_sizes_get"], 1)
    }

    func testProcExit() throws {
        let result = try run("exit3")
        XCTAssertEqual(result.outcome, .exited(code: 3))
        XCTAssertEqual(result.outcome.exitStatus, 3)
        XCTAssertEqual(result.stdout, "exiting with 3\n")
    }

    func testFileCopyInReadWritePreopen() throws {
        try root.mkdir("work")
        let payload = String(repeating: "0123456789abcdef", count: 1000) + "end"
        try root.write("work/in.txt", payload)
        let result = try run("copy", ["/work/in.txt", "/work/out.txt"], options: ["--dir", root.url("work") + "::/work"])
        XCTAssertEqual(result.outcome, .exited(code: 0))
        XCTAssertEqual(result.stdout, "copied \(payload.utf8.count) bytes\n")
        XCTAssertEqual(try root.read("work/out.txt"), payload)
    }

    func testDirectoryListing() throws {
        try root.mkdir("tree/subdir")
        for name in ["b.txt", "a.txt", "c.data"] { try root.write("tree/\(name)", name) }
        let result = try run("listdir", ["/data"], options: ["--dir", root.url("tree") + "::/data:ro"])
        XCTAssertEqual(result.outcome, .exited(code: 0))
        XCTAssertEqual(result.stdout, "a.txt\nb.txt\nc.data\nsubdir/\n")
    }

    // MARK: Escape attempts through wasi-libc

    func fsops(_ arguments: [String], sandbox: String = "sandbox", readOnly: Bool = false) throws -> Run {
        try run("fsops", arguments, options: ["--dir", root.url(sandbox) + "::/sb" + (readOnly ? ":ro" : "")])
    }

    func prepareEscapeTree() throws {
        try root.mkdir("sandbox/sub")
        try root.mkdir("outside")
        try root.write("sandbox/inside.txt", "inside")
        try root.write("outside/secret.txt", "secret")
        try root.symlink("sandbox/etc", to: "/etc")
        try root.symlink("sandbox/out", to: "../outside")
    }

    func testEscapesFailWithNotCapableAndTouchNothing() throws {
        try prepareEscapeTree()
        let before = root.snapshot()
        // Sanity: reading inside works.
        XCTAssertEqual(try fsops(["read", "/sb/inside.txt"]).stdout, "ok inside\n")
        let attempts: [[String]] = [
            ["read", "/sb/../outside/secret.txt"],
            ["read", "/sb/sub/../../outside/secret.txt"],
            ["read", "/sb/etc/passwd"],
            ["read", "/sb/out/secret.txt"],
            ["write", "/sb/../outside/new.txt"],
            ["write", "/sb/out/new.txt"],
            ["write", "/sb/etc/tern-test"],
            ["mkdir", "/sb/../outside/dir"],
            ["unlink", "/sb/out/secret.txt"],
            ["rename", "/sb/inside.txt", "/sb/../outside/moved.txt"],
            ["stat", "/sb/etc/passwd"],
        ]
        for attempt in attempts {
            let result = try fsops(attempt)
            XCTAssertEqual(result.stdout, "errno=76\n", attempt.joined(separator: " "))
            XCTAssertEqual(result.denied.total, 1, attempt.joined(separator: " "))
        }
        // Absolute paths outside every preopen: refused by wasi-libc itself
        // (with ENOTCAPABLE) before reaching the host.
        XCTAssertEqual(try fsops(["read", "/etc/passwd"]).stdout, "errno=76\n")
        XCTAssertEqual(try fsops(["write", root.url("outside/new.txt")]).stdout, "errno=76\n")
        XCTAssertEqual(root.snapshot(), before)
        XCTAssertEqual(try root.read("outside/secret.txt"), "secret")
    }

    func testReadOnlyPreopenRefusesWrites() throws {
        try prepareEscapeTree()
        let before = root.snapshot()
        XCTAssertEqual(try fsops(["read", "/sb/inside.txt"], readOnly: true).stdout, "ok inside\n")
        for attempt in [["write", "/sb/new.txt"], ["write", "/sb/inside.txt"],
                        ["mkdir", "/sb/dir"], ["rmdir", "/sb/sub"], ["unlink", "/sb/inside.txt"],
                        ["rename", "/sb/inside.txt", "/sb/renamed.txt"]] {
            let result = try fsops(attempt, readOnly: true)
            XCTAssertEqual(result.stdout, "errno=76\n", attempt.joined(separator: " "))
            XCTAssertEqual(result.denied.total, 1)
        }
        // Opening an existing file for writing succeeds without the write
        // right (wasi-libc asks only for what the directory passes on); the
        // write is denied with ENOTCAPABLE, which wasi-libc reports as EBADF.
        let append = try fsops(["append", "/sb/inside.txt"], readOnly: true)
        XCTAssertEqual(append.stdout, "errno=8\n")
        XCTAssertEqual(append.denied.counts, ["fd_write": 1])
        XCTAssertEqual(root.snapshot(), before)
        XCTAssertEqual(try root.read("sandbox/inside.txt"), "inside")
    }

    func testFilesystemWithoutPreopenIsUnreachable() throws {
        let result = try run("fsops", ["read", "/etc/passwd"])
        XCTAssertEqual(result.stdout, "errno=76\n")
    }

    func testMissingDirectoryFailsToStart() throws {
        let result = try run("hello", options: ["--dir", root.url("does-not-exist")])
        guard case .failed(.setup(.cannotOpenPreopen(let path, _))) = result.outcome else { return XCTFail("\(result.outcome)") }
        XCTAssertTrue(path.hasSuffix("does-not-exist"), path)
        XCTAssertEqual(result.outcome.exitStatus, 1)
    }
}
