import Foundation
import TernEngine
import XCTest
@testable import TernWASI

/// A scratch directory tree, removed at the end of the test.
final class TemporaryDirectory {
    let path: String

    init() throws {
        var template = Array((NSTemporaryDirectory() + "tern-wasi-XXXXXX").utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            throw POSIXError(.EIO)
        }
        path = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func url(_ relative: String) -> String { path + "/" + relative }

    func write(_ relative: String, _ contents: String) throws {
        try contents.write(toFile: url(relative), atomically: false, encoding: .utf8)
    }

    func read(_ relative: String) throws -> String {
        try String(contentsOfFile: url(relative), encoding: .utf8)
    }

    func mkdir(_ relative: String) throws {
        try FileManager.default.createDirectory(atPath: url(relative), withIntermediateDirectories: true)
    }

    func symlink(_ relative: String, to target: String) throws {
        try FileManager.default.createSymbolicLink(atPath: url(relative), withDestinationPath: target)
    }

    func exists(_ relative: String) -> Bool {
        var status = stat()
        return lstat(url(relative), &status) == 0
    }

    /// Every path beneath the directory, sorted (a fingerprint of its state).
    func snapshot() -> [String] {
        (FileManager.default.subpaths(atPath: path) ?? []).sorted()
    }
}

/// A guest memory for calling WASI functions directly (no engine needed).
final class TestMemory {
    let buffer: UnsafeMutableRawBufferPointer

    init(size: Int = 65536) {
        buffer = .allocate(byteCount: size, alignment: 16)
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit { buffer.deallocate() }

    func put(_ bytes: [UInt8], at offset: Int) {
        buffer.baseAddress!.advanced(by: offset).copyMemory(from: bytes, byteCount: bytes.count)
    }

    func put(_ string: String, at offset: Int) -> (pointer: UInt32, length: UInt32) {
        let bytes = Array(string.utf8)
        put(bytes, at: offset)
        return (UInt32(offset), UInt32(bytes.count))
    }

    func bytes(at offset: Int, count: Int) -> [UInt8] { Array(buffer[offset..<offset + count]) }
    func string(at offset: Int, count: Int) -> String { String(decoding: bytes(at: offset, count: count), as: UTF8.self) }
    func u32(at offset: Int) -> UInt32 { buffer.loadUnaligned(fromByteOffset: offset, as: UInt32.self) }
    func u64(at offset: Int) -> UInt64 { buffer.loadUnaligned(fromByteOffset: offset, as: UInt64.self) }
    func u8(at offset: Int) -> UInt8 { buffer[offset] }
    func setU32(_ value: UInt32, at offset: Int) { buffer.storeBytes(of: value, toByteOffset: offset, as: UInt32.self) }
}

extension WASI {
    /// Calls `name` with i32 arguments given as Ints and i64 ones marked by
    /// `.i64`.
    func callErrno(_ name: String, _ memory: TestMemory, _ arguments: [Value],
                   file: StaticString = #filePath, line: UInt = #line) -> UInt16 {
        do {
            return try call(name, memory: memory.buffer, arguments).rawValue
        } catch {
            XCTFail("\(name) trapped: \(error)", file: file, line: line)
            return 0xFFFF
        }
    }
}

func i32(_ value: Int) -> Value { .i32(UInt32(truncatingIfNeeded: value)) }
func i32(_ value: UInt32) -> Value { .i32(value) }
func i64(_ value: UInt64) -> Value { .i64(value) }

/// Whether CI demands the external tools (clang, wasi-libc, wat2wasm).
var toolsRequired: Bool { ProcessInfo.processInfo.environment["TERN_REQUIRE_TOOLS"] == "1" }

/// Skips the test (or fails it when `TERN_REQUIRE_TOOLS=1`).
func missingTool(_ message: String, file: StaticString = #filePath, line: UInt = #line) throws -> Never {
    if toolsRequired {
        XCTFail("\(message) (TERN_REQUIRE_TOOLS=1)", file: file, line: line)
        throw XCTSkip("failed: \(message)")
    }
    throw XCTSkip(message)
}

let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// Runs an executable, returning its status and combined output.
@discardableResult
func runProcess(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

func findExecutable(_ name: String) -> String? {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    for directory in path.split(separator: ":") {
        let candidate = "\(directory)/\(name)"
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
    }
    return nil
}

/// The C test programs, built once per test run by
/// scripts/build-test-modules.sh (which rebuilds only stale ones).
enum TestModules {
    static let directory = repositoryRoot + "/.build/test-modules"
    private static let lock = NSLock()
    nonisolated(unsafe) private static var built: Result<Void, Error>?

    static func path(_ name: String) throws -> String {
        lock.lock()
        defer { lock.unlock() }
        if built == nil {
            built = Result {
                let (status, output) = try runProcess("/bin/sh", [repositoryRoot + "/scripts/build-test-modules.sh", directory])
                if status == 77 { throw ToolsMissing(message: "C toolchain for wasm32-wasi missing: \(output)") }
                guard status == 0 else { throw NSError(domain: "build-test-modules", code: Int(status),
                                                       userInfo: [NSLocalizedDescriptionKey: output]) }
            }
        }
        switch built! {
        case .success: return directory + "/\(name).wasm"
        case .failure(let error as ToolsMissing): try missingTool(error.message)
        case .failure(let error): throw error
        }
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: try path(name))))
    }
}

/// Assembles WAT text with wabt's wat2wasm.
func assemble(_ wat: String) throws -> [UInt8] {
    guard let wat2wasm = findExecutable("wat2wasm") else { try missingTool("wat2wasm (wabt) not installed") }
    let directory = try TemporaryDirectory()
    try directory.write("module.wat", wat)
    let (status, output) = try runProcess(wat2wasm, [directory.url("module.wat"), "-o", directory.url("module.wasm")])
    guard status == 0 else {
        XCTFail("wat2wasm failed: \(output)")
        throw XCTSkip("wat2wasm failed")
    }
    return Array(try Data(contentsOf: URL(fileURLWithPath: directory.url("module.wasm"))))
}

/// Skips the test while the engine's compiler is still a stub.
func requireWorkingEngine(_ engine: Engine) throws {
    _ = try compileOrSkip(engine, [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00])
}

/// Compiles `bytes`, skipping while the engine's compiler is still a stub.
func compileOrSkip(_ engine: Engine, _ bytes: [UInt8]) throws -> CompiledModule {
    do {
        return try engine.compile(bytes)
    } catch let error {
        if case .unsupported(let feature) = error, feature.contains("not yet implemented") {
            throw XCTSkip("engine compiler not implemented yet")
        }
        throw error
    }
}

struct ToolsMissing: Error {
    var message: String
}
