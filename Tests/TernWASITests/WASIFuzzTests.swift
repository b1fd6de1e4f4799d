import Foundation
import TernEngine
import TernTestSupport
import TernFormat
import XCTest
@testable import TernWASI

/// Every WASI call with arbitrary arguments: no crash, no hang, and
/// nothing outside the sandbox changes.
final class WASIFuzzTests: XCTestCase {
    /// A small deterministic generator (SplitMix64).
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    func testArbitraryArgumentsNeverCrash() throws {
        let root = try TemporaryDirectory()
        try root.mkdir("sandbox/sub")
        try root.mkdir("outside")
        try root.write("outside/secret.txt", "secret")
        try root.write("sandbox/a.txt", "a")
        try root.symlink("sandbox/up", to: "..")
        try root.symlink("sandbox/etc", to: "/etc")
        let outsideBefore = try FileManager.default.subpathsOfDirectory(atPath: root.url("outside")).sorted()
        let configuration = WASIConfiguration(
            arguments: ["fuzz", "x"], environment: [EnvironmentVariable(name: "A", value: "B")], capabilities: .all,
            preopens: [PreopenDirectory(hostPath: root.url("sandbox"), guestPath: "/sb"),
                       PreopenDirectory(hostPath: root.url("sandbox"), guestPath: "/ro", isReadOnly: true)],
            maxOpenFiles: 32)
        let wasi = try WASI(configuration: configuration, stdout: CapturedOutput(limit: 4096), stderr: NullSink())
        // Interrupted from the start: a poll_oneoff that would sleep traps.
        let store = Store(engine: Engine())
        store.interruptHandle.interrupt()
        let memory = TestMemory(size: 4096)
        var generator = Generator(state: 42)
        // Paths worth trying, placed in memory at 3000.
        let paths = ["a.txt", "sub", "../outside/secret.txt", "up/outside/secret.txt", "etc/passwd", "/etc", ".",
                     "sub/../..", "new", "sub/new", "a.txt/", "up", "etc"]

        func argument(_ type: ValueType) -> Value {
            switch type {
            case .i64:
                switch generator.next() % 4 {
                case 0: return .i64(0)
                case 1: return .i64(generator.next() % 64)
                case 2: return .i64(WASIRights.all.rawValue)
                default: return .i64(generator.next())
                }
            default:
                switch generator.next() % 8 {
                case 0: return .i32(UInt32(generator.next() % 8))  // fds, flags
                case 1, 2: return .i32(UInt32(generator.next() % 4096))  // in-bounds pointers
                case 3: return .i32(UInt32(3000))  // the path
                case 4: return .i32(UInt32(generator.next() % 24))  // lengths
                case 5: return .i32(UInt32.max - UInt32(generator.next() % 16))
                case 6: return .i32(UInt32(4096 - generator.next() % 32))  // straddling the end
                default: return .i32(UInt32(truncatingIfNeeded: generator.next()))
                }
            }
        }

        var calls = 0
        var successes: [String: Int] = [:]
        for _ in 0..<20_000 {
            let (name, type) = WASI.signatures[Int(generator.next() % UInt64(WASI.signatures.count))]
            if name == "proc_exit" || name == "fd_renumber" { continue }
            let path = paths[Int(generator.next() % UInt64(paths.count))]
            memory.put(Array(path.utf8), at: 3000)
            // Random garbage elsewhere, sometimes.
            if generator.next() % 4 == 0 {
                let offset = Int(generator.next() % 2900)
                memory.put((0..<64).map { _ in UInt8(truncatingIfNeeded: generator.next()) }, at: offset)
            }
            var arguments = type.parameters.map(argument)
            // Mostly a descriptor that exists: 3 and 4 are the preopens,
            // 5 and up whatever path_open returned.
            if name.hasPrefix("fd_") || name.hasPrefix("path_"), generator.next() % 4 != 0 {
                arguments[0] = .i32(UInt32([1, 3, 3, 4, 4, 5, 6, 7][Int(generator.next() % 8)]))
            }
            // Keep the streams and preopens open.
            if name == "fd_close" || name == "fd_fdstat_set_rights", case .i32(let fd) = arguments[0], fd < 5 { continue }
            // Usually a matching path length.
            if ["path_open", "path_create_directory", "path_unlink_file", "path_remove_directory",
                "path_filestat_get", "path_readlink", "path_rename"].contains(name), generator.next() % 3 != 0 {
                let lengthIndex = name == "path_open" || name == "path_filestat_get" ? 3 : 2
                arguments[lengthIndex - 1] = .i32(3000)
                arguments[lengthIndex] = .i32(UInt32(path.utf8.count))
            }
            do throws(Trap) {
                let errno = try wasi.call(name, memory: memory.buffer, arguments, interrupt: store.interruptHandle)
                XCTAssertLessThanOrEqual(errno.rawValue, 76, name)
                if errno == .success { successes[name, default: 0] += 1 }
            } catch {
                XCTAssertEqual(error.kind, .deadlineExceeded, name)
            }
            calls += 1
        }
        XCTAssertGreaterThan(calls, 15_000)
        // The arguments are good enough to get past validation sometimes.
        for name in ["path_open", "fd_read", "args_get", "fd_readdir", "path_filestat_get"] {
            XCTAssertGreaterThan(successes[name, default: 0], 0, name)
        }
        print("fuzz successes:", successes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        XCTAssertLessThanOrEqual(wasi.openFileCount, 32)
        XCTAssertEqual(try FileManager.default.subpathsOfDirectory(atPath: root.url("outside")).sorted(), outsideBefore)
        XCTAssertEqual(try root.read("outside/secret.txt"), "secret")
        wasi.close()
    }
}
