import Foundation
import TernTestSupport
import XCTest

/// A program's exit status and output.
struct ProcessOutput {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs `executable` to completion, its output collected in files (so that
/// neither stream can fill up and block it).
func runProcess(_ executable: URL, _ arguments: [String]) throws -> ProcessOutput {
    let outputDirectory = try TemporaryDirectory()
    let stdoutURL = outputDirectory.url.appendingPathComponent("stdout")
    let stderrURL = outputDirectory.url.appendingPathComponent("stderr")
    try Data().write(to: stdoutURL)
    try Data().write(to: stderrURL)
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.standardInput = FileHandle.nullDevice
    process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
    process.standardError = try FileHandle(forWritingTo: stderrURL)
    // Not `waitUntilExit()`, which polls a run loop (see `Wast2Json`).
    let exited = DispatchSemaphore(value: 0)
    process.terminationHandler = { _ in exited.signal() }
    try process.run()
    exited.wait()
    return ProcessOutput(
        status: process.terminationStatus,
        stdout: try String(contentsOf: stdoutURL, encoding: .utf8),
        stderr: try String(contentsOf: stderrURL, encoding: .utf8))
}

/// The `tern` binary: `$TERN_BINARY`, or the one built beside the tests.
func ternBinary() throws -> URL {
    let path = ProcessInfo.processInfo.environment["TERN_BINARY"]
        ?? Bundle.main.bundleURL.appendingPathComponent("tern").path
    guard FileManager.default.isExecutableFile(atPath: path) else {
        throw TestEnvironment.unavailable("the tern binary at \(path) (build it, or set TERN_BINARY)")
    }
    return URL(fileURLWithPath: path)
}

func tern(_ arguments: [String]) throws -> ProcessOutput {
    try runProcess(try ternBinary(), arguments)
}

/// A tool rejected what a test gave it: a mistake in the test.
struct ToolError: Error, CustomStringConvertible {
    var description: String
}

/// A test case with a fresh temporary directory, and modules and spec
/// scripts made in it with wabt.
class TemporaryDirectoryTestCase: XCTestCase {
    private var temporaryDirectory: TemporaryDirectory!
    var directory: URL { temporaryDirectory.url }

    override func setUpWithError() throws {
        temporaryDirectory = try TemporaryDirectory()
    }

    /// Assembles WebAssembly text into `NAME.wasm` with `wat2wasm`, with a
    /// name section; `validate: false` lets invalid code through.
    func assemble(_ source: String, name: String = "module", validate: Bool = true) throws -> URL {
        let watFile = directory.appendingPathComponent("\(name).wat")
        let wasmFile = directory.appendingPathComponent("\(name).wasm")
        try Data(source.utf8).write(to: watFile)
        let flags = ["--debug-names"] + (validate ? [] : ["--no-check"])
        let result = try runProcess(try TestEnvironment.tool("wat2wasm"), [watFile.path, "-o", wasmFile.path] + flags)
        guard result.status == 0 else { throw ToolError(description: "wat2wasm failed: \(result.stderr)") }
        return wasmFile
    }

    /// Converts a spec script with `wast2json` into `NAME.json` (and its
    /// modules) in the temporary directory.
    func convert(wast source: String, name: String) throws -> URL {
        _ = try Wast2Json.convert(source: source, named: name, into: directory)
        return directory.appendingPathComponent("\(name).json")
    }
}

/// The WASI test programs (`Tests/Fixtures/wasi/NAME.c`), built once per
/// test run by `scripts/build-test-modules.sh` (which rebuilds only stale
/// ones) into `.build/test-modules`.
enum WASIPrograms {
    static let directory = TestEnvironment.repositoryRoot.appendingPathComponent(".build/test-modules")

    /// The script's exit status when the C toolchain for wasm32-wasi is missing.
    private static let toolsMissingStatus: Int32 = 77

    private static let built: Result<Void, any Error> = Result {
        let script = TestEnvironment.repositoryRoot.appendingPathComponent("scripts/build-test-modules.sh")
        let result = try runProcess(URL(fileURLWithPath: "/bin/sh"), [script.path, directory.path])
        guard result.status != toolsMissingStatus else {
            let reason = result.stderr.trimmingCharacters(in: .whitespacesAndNewlines)
            throw TestEnvironment.unavailable("a C toolchain for wasm32-wasi (clang, lld, wasi-libc): \(reason)")
        }
        guard result.status == 0 else {
            throw ToolError(description: "build-test-modules.sh failed: \(result.stderr)")
        }
    }

    /// The module built from `NAME.c`; skips the test when the toolchain is
    /// missing (fails it when tools are required).
    static func path(_ name: String) throws -> String {
        try built.get()
        return directory.appendingPathComponent("\(name).wasm").path
    }
}
