import Foundation
import TernEngine
import TernTestSupport
import XCTest
@testable import TernWASI

/// WASI calls made directly on a context with a plain buffer as guest
/// memory: argument handling, capability checks, errno mapping and the
/// file-system confinement, without the engine.
final class WASICallTests: XCTestCase {
    var root: TemporaryDirectory!
    let memory = TestMemory()
    let stdout = CapturedOutput()
    let stderr = CapturedOutput()

    // Layout of the test memory.
    let pathAt = 1000, resultAt = 100, iovecAt = 200, dataAt = 4096

    override func setUpWithError() throws {
        root = try TemporaryDirectory()
        try root.mkdir("rw/sub")
        try root.mkdir("ro")
        try root.mkdir("outside")
        try root.write("rw/hello.txt", "hello from rw")
        try root.write("ro/data.txt", "read-only data")
        try root.write("outside/secret.txt", "secret")
        try root.symlink("rw/etc", to: "/etc")
        try root.symlink("rw/out", to: "../outside")
    }

    // XCTest keeps test case instances alive until the process ends, so the
    // directory is released here for its deinit to remove it.
    override func tearDown() {
        root = nil
    }

    func makeWASI(_ capabilities: WASICapabilities = .all, arguments: [String] = ["prog"],
                  environment: [EnvironmentVariable] = [], log: DeniedCallLog = DeniedCallLog(function: "test")) throws -> WASI {
        let configuration = WASIConfiguration(
            arguments: arguments, environment: environment, capabilities: capabilities,
            preopens: [PreopenDirectory(hostPath: root.url("rw"), guestPath: "/rw"),
                       PreopenDirectory(hostPath: root.url("ro"), guestPath: "/ro", isReadOnly: true)])
        return try WASI(configuration: configuration, stdout: stdout, stderr: stderr, deniedCalls: log)
    }

    let rwFD = 3, roFD = 4

    /// `path_open`; returns the errno and the new fd.
    func open(_ wasi: WASI, _ directory: Int, _ path: String, oflags: UInt16 = 0,
              rights: WASIRights = .all, follow: Bool = true, fdflags: UInt16 = 0) -> (UInt16, Int) {
        let (pointer, length) = memory.put(path, at: pathAt)
        memory.setU32(0xDEAD, at: resultAt)
        let errno = wasi.callErrno("path_open", memory, [
            i32(directory), i32(follow ? 1 : 0), i32(pointer), i32(length), i32(Int(oflags)),
            i64(rights.rawValue), i64(rights.rawValue), i32(Int(fdflags)), i32(resultAt)])
        return (errno, Int(memory.u32(at: resultAt)))
    }

    func pathCall(_ wasi: WASI, _ name: String, _ directory: Int, _ path: String) -> UInt16 {
        let (pointer, length) = memory.put(path, at: pathAt)
        return wasi.callErrno(name, memory, [i32(directory), i32(pointer), i32(length)])
    }

    /// `fd_write` of `text` through one iovec; returns errno and count.
    func write(_ wasi: WASI, _ fd: Int, _ text: String) -> (UInt16, Int) {
        let (pointer, length) = memory.put(text, at: dataAt)
        memory.setU32(pointer, at: iovecAt)
        memory.setU32(length, at: iovecAt + 4)
        let errno = wasi.callErrno("fd_write", memory, [i32(fd), i32(iovecAt), i32(1), i32(resultAt)])
        return (errno, Int(memory.u32(at: resultAt)))
    }

    func read(_ wasi: WASI, _ fd: Int, count: Int = 256) -> (UInt16, String) {
        memory.setU32(UInt32(dataAt), at: iovecAt)
        memory.setU32(UInt32(count), at: iovecAt + 4)
        let errno = wasi.callErrno("fd_read", memory, [i32(fd), i32(iovecAt), i32(1), i32(resultAt)])
        return (errno, memory.string(at: dataAt, count: Int(memory.u32(at: resultAt))))
    }

    // MARK: Arguments, environment, clocks, random

    func testArgumentsAndEnvironment() throws {
        let wasi = try makeWASI(arguments: ["prog", "a b", "ünï"],
                                environment: [EnvironmentVariable(name: "K", value: "v=1")])
        XCTAssertEqual(wasi.callErrno("args_sizes_get", memory, [i32(0), i32(4)]), 0)
        XCTAssertEqual(memory.u32(at: 0), 3)
        XCTAssertEqual(Int(memory.u32(at: 4)), "prog".utf8.count + "a b".utf8.count + "ünï".utf8.count + 3)
        XCTAssertEqual(wasi.callErrno("args_get", memory, [i32(16), i32(64)]), 0)
        XCTAssertEqual(memory.u32(at: 16), 64)
        XCTAssertEqual(memory.u32(at: 20), 69)
        XCTAssertEqual(memory.string(at: 69, count: 4), "a b\0")
        XCTAssertEqual(wasi.callErrno("environ_sizes_get", memory, [i32(0), i32(4)]), 0)
        XCTAssertEqual(memory.u32(at: 0), 1)
        XCTAssertEqual(memory.u32(at: 4), 6)
        XCTAssertEqual(wasi.callErrno("environ_get", memory, [i32(16), i32(64)]), 0)
        XCTAssertEqual(memory.string(at: 64, count: 6), "K=v=1\0")
    }

    func testDeniedCapabilitiesReturnNotCapableAndAreCounted() throws {
        let log = DeniedCallLog(function: "f")
        let wasi = try makeWASI([], log: log)
        XCTAssertEqual(wasi.callErrno("args_sizes_get", memory, [i32(0), i32(4)]), 76)
        XCTAssertEqual(wasi.callErrno("environ_get", memory, [i32(0), i32(4)]), 76)
        XCTAssertEqual(wasi.callErrno("clock_time_get", memory, [i32(0), i64(0), i32(8)]), 76)
        XCTAssertEqual(wasi.callErrno("clock_res_get", memory, [i32(1), i32(8)]), 76)
        XCTAssertEqual(wasi.callErrno("random_get", memory, [i32(0), i32(16)]), 76)
        XCTAssertEqual(write(wasi, 1, "nope").0, 76)
        XCTAssertEqual(write(wasi, 2, "nope").0, 76)
        XCTAssertEqual(read(wasi, 0).0, 76)
        // Without the fs capability no directory is preopened.
        XCTAssertEqual(wasi.callErrno("fd_prestat_get", memory, [i32(3), i32(0)]), 8)
        XCTAssertEqual(log.counts, ["args_sizes_get": 1, "environ_get": 1, "clock_time_get": 1, "clock_res_get": 1,
                                    "random_get": 1, "fd_write": 2, "fd_read": 1])
        XCTAssertEqual(log.total, 8)
        XCTAssertEqual(log.recent.first?.function, "f")
        XCTAssertTrue(stdout.bytes.isEmpty)
    }

    func testDeniedCallbackIsCalled() throws {
        final class Box: @unchecked Sendable { var calls: [DeniedCall] = [] }
        let box = Box()
        let wasi = try makeWASI([.stdio], log: DeniedCallLog(function: "g") { box.calls.append($0) })
        XCTAssertEqual(wasi.callErrno("random_get", memory, [i32(0), i32(16)]), 76)
        XCTAssertEqual(box.calls.map(\.call), ["random_get"])
        XCTAssertEqual(box.calls.first?.reason, "capability 'random' not granted")
    }

    func testClockAndRandom() throws {
        let wasi = try makeWASI()
        XCTAssertEqual(wasi.callErrno("clock_time_get", memory, [i32(0), i64(1), i32(8)]), 0)
        XCTAssertGreaterThan(memory.u64(at: 8), 1_577_836_800 * 1_000_000_000)
        XCTAssertEqual(wasi.callErrno("clock_res_get", memory, [i32(1), i32(8)]), 0)
        XCTAssertGreaterThan(memory.u64(at: 8), 0)
        XCTAssertEqual(wasi.callErrno("clock_time_get", memory, [i32(9), i64(1), i32(8)]), 28)
        XCTAssertEqual(wasi.callErrno("random_get", memory, [i32(dataAt), i32(64)]), 0)
        XCTAssertGreaterThan(memory.bytes(at: dataAt, count: 64).filter { $0 != 0 }.count, 32)
    }

    // MARK: Streams

    func testStdoutAndStderrGoToTheirSinks() throws {
        let wasi = try makeWASI()
        XCTAssertEqual(write(wasi, 1, "out\n").0, 0)
        XCTAssertEqual(write(wasi, 2, "err\n").1, 4)
        // Two iovecs in one call.
        _ = memory.put("ab", at: dataAt)
        _ = memory.put("cd", at: dataAt + 100)
        memory.setU32(UInt32(dataAt), at: iovecAt); memory.setU32(2, at: iovecAt + 4)
        memory.setU32(UInt32(dataAt + 100), at: iovecAt + 8); memory.setU32(2, at: iovecAt + 12)
        XCTAssertEqual(wasi.callErrno("fd_write", memory, [i32(1), i32(iovecAt), i32(2), i32(resultAt)]), 0)
        XCTAssertEqual(memory.u32(at: resultAt), 4)
        XCTAssertEqual(stdout.text, "out\nabcd")
        XCTAssertEqual(stderr.text, "err\n")
        // fdstat: a character device without seek rights (a tty for libc).
        XCTAssertEqual(wasi.callErrno("fd_fdstat_get", memory, [i32(1), i32(resultAt)]), 0)
        XCTAssertEqual(memory.u8(at: resultAt), 2)
        XCTAssertEqual(memory.u64(at: resultAt + 8) & WASIRights.fdSeek.rawValue, 0)
        XCTAssertEqual(wasi.callErrno("fd_seek", memory, [i32(1), i64(0), i32(0), i32(resultAt)]), 76)
    }

    func testCapturedOutputIsBounded() throws {
        let small = CapturedOutput(limit: 5)
        let wasi = try WASI(configuration: WASIConfiguration(capabilities: .stdio), stdout: small, stderr: NullSink())
        XCTAssertEqual(write(wasi, 1, "0123456789").0, 0)
        XCTAssertEqual(small.text, "01234")
        XCTAssertTrue(small.isTruncated)
    }

    func testStdinReadsItsSource() throws {
        let wasi = try WASI(configuration: WASIConfiguration(capabilities: .stdio), stdin: BytesInput(Array("input".utf8)),
                            stdout: NullSink(), stderr: NullSink())
        XCTAssertEqual(read(wasi, 0, count: 3).1, "inp")
        XCTAssertEqual(read(wasi, 0).1, "ut")
        XCTAssertEqual(read(wasi, 0).1, "")
    }

    // MARK: Guest input that must not crash

    func testOutOfBoundsPointersGiveFault() throws {
        let wasi = try makeWASI()
        let end = memory.buffer.count
        XCTAssertEqual(wasi.callErrno("args_sizes_get", memory, [i32(end - 2), i32(0)]), 21)
        XCTAssertEqual(wasi.callErrno("args_get", memory, [.i32(UInt32.max), i32(0)]), 21)
        XCTAssertEqual(wasi.callErrno("random_get", memory, [.i32(UInt32.max), .i32(UInt32.max)]), 21)
        XCTAssertEqual(wasi.callErrno("clock_time_get", memory, [i32(0), i64(0), i32(end - 7)]), 21)
        // A huge iovec count, iovecs pointing outside, a huge length.
        XCTAssertEqual(wasi.callErrno("fd_write", memory, [i32(1), i32(0), .i32(UInt32.max), i32(0)]), 21)
        memory.setU32(UInt32(end - 1), at: iovecAt); memory.setU32(2, at: iovecAt + 4)
        XCTAssertEqual(wasi.callErrno("fd_write", memory, [i32(1), i32(iovecAt), i32(1), i32(resultAt)]), 21)
        memory.setU32(0, at: iovecAt); memory.setU32(UInt32.max, at: iovecAt + 4)
        XCTAssertEqual(wasi.callErrno("fd_read", memory, [i32(0), i32(iovecAt), i32(1), i32(resultAt)]), 21)
        XCTAssertEqual(wasi.callErrno("path_open", memory, [
            i32(rwFD), i32(0), .i32(UInt32.max), i32(10), i32(0), i64(0), i64(0), i32(0), i32(0)]), 21)
        XCTAssertEqual(wasi.callErrno("path_open", memory, [
            i32(rwFD), i32(0), i32(0), .i32(UInt32.max), i32(0), i64(0), i64(0), i32(0), i32(0)]), 37)
        XCTAssertEqual(wasi.callErrno("fd_readdir", memory, [i32(rwFD), .i32(UInt32.max), i32(100), i64(0), i32(0)]), 21)
        XCTAssertEqual(wasi.callErrno("poll_oneoff", memory, [i32(0), i32(0), .i32(UInt32.max), i32(0)]), 21)
        XCTAssertEqual(wasi.callErrno("fd_seek", memory, [i32(rwFD), .i64(UInt64.max), i32(7), i32(0)]), 28)
        XCTAssertEqual(wasi.callErrno("fd_close", memory, [.i32(UInt32.max)]), 8)
        XCTAssertEqual(wasi.callErrno("fd_pread", memory, [i32(rwFD), i32(iovecAt), i32(0), .i64(UInt64.max), i32(0)]), 28)
        XCTAssertEqual(wasi.callErrno("fd_prestat_dir_name", memory, [i32(rwFD), i32(0), i32(1)]), 37)
    }

    func testUnimplementedCallsReturnNoSys() throws {
        let wasi = try makeWASI()
        XCTAssertEqual(wasi.callErrno("sock_accept", memory, [i32(3), i32(0), i32(0)]), 52)
        XCTAssertEqual(wasi.callErrno("path_symlink", memory, [i32(0), i32(1), i32(3), i32(0), i32(1)]), 52)
        XCTAssertEqual(WASI.signatures.count, 46)
    }

    func testProcExitTraps() throws {
        let wasi = try makeWASI()
        XCTAssertThrowsError(try wasi.call("proc_exit", memory: memory.buffer, [i32(3)])) { error in
            XCTAssertEqual((error as? Trap)?.kind, .exit(code: 3))
        }
    }

    func testPollOneoffSleepsAndHonoursInterrupt() throws {
        let wasi = try makeWASI()
        // One relative monotonic clock subscription of 5 ms.
        func subscribe(timeout: UInt64) {
            memory.buffer.storeBytes(of: UInt64(42), toByteOffset: dataAt, as: UInt64.self)
            memory.buffer[dataAt + 8] = 0
            memory.buffer.storeBytes(of: UInt32(1), toByteOffset: dataAt + 16, as: UInt32.self)
            memory.buffer.storeBytes(of: timeout, toByteOffset: dataAt + 24, as: UInt64.self)
            memory.buffer.storeBytes(of: UInt16(0), toByteOffset: dataAt + 40, as: UInt16.self)
        }
        subscribe(timeout: 5_000_000)
        let start = DeadlineTimer.now()
        XCTAssertEqual(wasi.callErrno("poll_oneoff", memory, [i32(dataAt), i32(dataAt + 100), i32(1), i32(resultAt)]), 0)
        XCTAssertGreaterThanOrEqual(DeadlineTimer.now() - start, 5_000_000)
        XCTAssertEqual(memory.u32(at: resultAt), 1)
        XCTAssertEqual(memory.u64(at: dataAt + 100), 42)
        // A long sleep ends with `deadline exceeded` once interrupted.
        subscribe(timeout: 60_000_000_000)
        let store = Store(engine: Engine())
        let token = DeadlineTimer.shared.arm(store.interruptHandle, after: .milliseconds(20))
        defer { DeadlineTimer.shared.disarm(token) }
        XCTAssertThrowsError(try wasi.call("poll_oneoff", memory: memory.buffer,
                                           [i32(dataAt), i32(dataAt + 100), i32(1), i32(resultAt)],
                                           interrupt: store.interruptHandle)) { error in
            XCTAssertEqual((error as? Trap)?.kind, .deadlineExceeded)
        }
        XCTAssertLessThan(DeadlineTimer.now() - start, 5_000_000_000)
    }

    // MARK: Preopens and files

    func testPrestatNamesThePreopens() throws {
        let wasi = try makeWASI()
        XCTAssertEqual(wasi.callErrno("fd_prestat_get", memory, [i32(rwFD), i32(resultAt)]), 0)
        XCTAssertEqual(memory.u8(at: resultAt), 0)
        XCTAssertEqual(memory.u32(at: resultAt + 4), 3)
        XCTAssertEqual(wasi.callErrno("fd_prestat_dir_name", memory, [i32(roFD), i32(dataAt), i32(3)]), 0)
        XCTAssertEqual(memory.string(at: dataAt, count: 3), "/ro")
        XCTAssertEqual(wasi.callErrno("fd_prestat_get", memory, [i32(5), i32(resultAt)]), 8)
        XCTAssertEqual(wasi.callErrno("fd_prestat_get", memory, [i32(1), i32(resultAt)]), 8)
    }

    func testFileCopyInsideReadWritePreopen() throws {
        let wasi = try makeWASI()
        let (e1, source) = open(wasi, rwFD, "hello.txt", rights: [.fdRead, .fdSeek, .fdTell, .fdFilestatGet])
        XCTAssertEqual(e1, 0)
        let (e2, target) = open(wasi, rwFD, "sub/copy.txt", oflags: WASIFlags.oflagsCreat | WASIFlags.oflagsTrunc,
                                rights: [.fdWrite, .fdSeek])
        XCTAssertEqual(e2, 0)
        let (e3, text) = read(wasi, source)
        XCTAssertEqual(e3, 0)
        XCTAssertEqual(write(wasi, target, text).1, 13)
        // fd_filestat_get and fd_tell on the source.
        XCTAssertEqual(wasi.callErrno("fd_filestat_get", memory, [i32(source), i32(dataAt)]), 0)
        XCTAssertEqual(memory.u8(at: dataAt + 16), 4)
        XCTAssertEqual(memory.u64(at: dataAt + 32), 13)
        XCTAssertEqual(wasi.callErrno("fd_tell", memory, [i32(source), i32(resultAt)]), 0)
        XCTAssertEqual(memory.u64(at: resultAt), 13)
        // The source was opened without write rights; the target without read.
        XCTAssertEqual(write(wasi, source, "x").0, 76)
        XCTAssertEqual(read(wasi, target).0, 76)
        XCTAssertEqual(wasi.callErrno("fd_close", memory, [i32(source)]), 0)
        XCTAssertEqual(wasi.callErrno("fd_close", memory, [i32(target)]), 0)
        XCTAssertEqual(wasi.callErrno("fd_close", memory, [i32(target)]), 8)
        XCTAssertEqual(try root.read("rw/sub/copy.txt"), "hello from rw")
    }

    func testDirectoryOperationsInsideReadWritePreopen() throws {
        let wasi = try makeWASI()
        XCTAssertEqual(pathCall(wasi, "path_create_directory", rwFD, "made"), 0)
        XCTAssertEqual(pathCall(wasi, "path_create_directory", rwFD, "made"), 20)
        XCTAssertTrue(root.exists("rw/made"))
        let (pointer, length) = memory.put("hello.txt", at: pathAt)
        let (newPointer, newLength) = memory.put("made/moved.txt", at: pathAt + 100)
        XCTAssertEqual(wasi.callErrno("path_rename", memory, [
            i32(rwFD), i32(pointer), i32(length), i32(rwFD), i32(newPointer), i32(newLength)]), 0)
        XCTAssertEqual(try root.read("rw/made/moved.txt"), "hello from rw")
        XCTAssertEqual(pathCall(wasi, "path_remove_directory", rwFD, "made"), 55)
        XCTAssertEqual(pathCall(wasi, "path_unlink_file", rwFD, "made/moved.txt"), 0)
        XCTAssertEqual(pathCall(wasi, "path_remove_directory", rwFD, "made"), 0)
        XCTAssertFalse(root.exists("rw/made"))
        XCTAssertEqual(pathCall(wasi, "path_unlink_file", rwFD, "missing"), 44)
        // path_filestat_get follows the symlink only when asked.
        let (p, l) = memory.put("etc", at: pathAt)
        XCTAssertEqual(wasi.callErrno("path_filestat_get", memory, [i32(rwFD), i32(0), i32(p), i32(l), i32(dataAt)]), 0)
        XCTAssertEqual(memory.u8(at: dataAt + 16), 7)
        XCTAssertEqual(wasi.callErrno("path_filestat_get", memory, [i32(rwFD), i32(1), i32(p), i32(l), i32(dataAt)]), 76)
        // path_readlink shows the link's text.
        XCTAssertEqual(wasi.callErrno("path_readlink", memory, [i32(rwFD), i32(p), i32(l), i32(dataAt), i32(100), i32(resultAt)]), 0)
        XCTAssertEqual(memory.string(at: dataAt, count: Int(memory.u32(at: resultAt))), "/etc")
    }

    func testReaddirListsEntriesWithCookies() throws {
        let wasi = try makeWASI()
        let (errno, directory) = open(wasi, rwFD, "sub", oflags: WASIFlags.oflagsDirectory)
        guard errno == 0 else { return XCTFail("path_open: errno \(errno)") }
        try root.write("rw/sub/a.txt", "a")
        try root.mkdir("rw/sub/b")
        func list(bufferSize: Int) -> [(name: String, type: UInt8)] {
            var names: [(String, UInt8)] = []
            var cookie: UInt64 = 0
            while true {
                let errno = wasi.callErrno("fd_readdir", memory, [
                    i32(directory), i32(dataAt), i32(bufferSize), i64(cookie), i32(resultAt)])
                guard errno == 0 else { XCTFail("fd_readdir: errno \(errno)"); return names }
                let used = Int(memory.u32(at: resultAt))
                var offset = 0
                var progressed = false
                while offset + 24 <= used {
                    let next = memory.u64(at: dataAt + offset)
                    let nameLength = Int(memory.u32(at: dataAt + offset + 16))
                    guard offset + 24 + nameLength <= used else { break }
                    names.append((memory.string(at: dataAt + offset + 24, count: nameLength), memory.u8(at: dataAt + offset + 20)))
                    cookie = next
                    offset += 24 + nameLength
                    progressed = true
                }
                if used < bufferSize { return names }
                XCTAssertTrue(progressed, "buffer too small for one entry")
                if !progressed { return names }
            }
        }
        for size in [4096, 40] {
            let entries = list(bufferSize: size).filter { $0.name != "." && $0.name != ".." }.sorted { $0.name < $1.name }
            XCTAssertEqual(entries.map(\.name), ["a.txt", "b"], "buffer \(size)")
            XCTAssertEqual(entries.map(\.type), [4, 3])
        }
    }

    // MARK: Escapes

    func testEscapesAreDeniedAndTouchNothing() throws {
        let log = DeniedCallLog(function: "escape")
        let wasi = try makeWASI(log: log)
        let before = root.snapshot()
        // `..` out of the preopen, absolute paths, symlinks leading out.
        for path in ["../outside/secret.txt", "sub/../../outside/secret.txt", "/etc/passwd",
                     root.url("outside/secret.txt"), "etc/passwd", "out/secret.txt", "etc", "out"] {
            XCTAssertEqual(open(wasi, rwFD, path).0, 76, path)
            XCTAssertEqual(open(wasi, rwFD, path, oflags: WASIFlags.oflagsCreat | WASIFlags.oflagsTrunc).0, 76, path)
        }
        XCTAssertEqual(pathCall(wasi, "path_create_directory", rwFD, "../outside/new"), 76)
        XCTAssertEqual(pathCall(wasi, "path_create_directory", rwFD, "out/new"), 76)
        XCTAssertEqual(pathCall(wasi, "path_unlink_file", rwFD, "../outside/secret.txt"), 76)
        XCTAssertEqual(pathCall(wasi, "path_unlink_file", rwFD, "out/secret.txt"), 76)
        XCTAssertEqual(pathCall(wasi, "path_remove_directory", rwFD, "../outside"), 76)
        let (p1, l1) = memory.put("hello.txt", at: pathAt)
        let (p2, l2) = memory.put("../outside/stolen.txt", at: pathAt + 100)
        XCTAssertEqual(wasi.callErrno("path_rename", memory, [i32(rwFD), i32(p1), i32(l1), i32(rwFD), i32(p2), i32(l2)]), 76)
        // Unlinking the symlink itself is fine (it is inside); it does not
        // touch its target.
        XCTAssertEqual(pathCall(wasi, "path_unlink_file", rwFD, "out"), 0)
        XCTAssertEqual(try root.read("outside/secret.txt"), "secret")
        XCTAssertEqual(root.snapshot(), before.filter { $0 != "rw/out" })
        XCTAssertEqual(log.counts["path_open"], 16)
        XCTAssertEqual(log.total, 22)
    }

    func testReadOnlyPreopen() throws {
        let log = DeniedCallLog(function: "ro")
        let wasi = try makeWASI(log: log)
        let before = root.snapshot()
        // The preopen's rights say read-only.
        XCTAssertEqual(wasi.callErrno("fd_fdstat_get", memory, [i32(roFD), i32(resultAt)]), 0)
        XCTAssertEqual(memory.u8(at: resultAt), 3)
        let base = WASIRights(rawValue: memory.u64(at: resultAt + 8))
        let inheriting = WASIRights(rawValue: memory.u64(at: resultAt + 16))
        XCTAssertTrue(base.isDisjoint(with: .mutating))
        XCTAssertTrue(inheriting.isDisjoint(with: .mutating))
        XCTAssertTrue(base.contains([.pathOpen, .fdReaddir]))
        // Reading works.
        let (e1, fd) = open(wasi, roFD, "data.txt")
        XCTAssertEqual(e1, 0)
        XCTAssertEqual(read(wasi, fd).1, "read-only data")
        // Writing through it is refused: the write right was dropped.
        XCTAssertEqual(write(wasi, fd, "x").0, 76)
        let (e2, writable) = open(wasi, roFD, "data.txt", rights: [.fdWrite], fdflags: WASIFlags.fdflagsAppend)
        XCTAssertEqual(e2, 0)
        XCTAssertEqual(write(wasi, writable, "x").0, 76)
        XCTAssertEqual(wasi.callErrno("fd_filestat_set_size", memory, [i32(writable), i64(0)]), 76)
        // Creating, truncating, making, removing, renaming: refused.
        XCTAssertEqual(open(wasi, roFD, "new.txt", oflags: WASIFlags.oflagsCreat).0, 76)
        XCTAssertEqual(open(wasi, roFD, "data.txt", oflags: WASIFlags.oflagsTrunc).0, 76)
        XCTAssertEqual(pathCall(wasi, "path_create_directory", roFD, "d"), 76)
        XCTAssertEqual(pathCall(wasi, "path_unlink_file", roFD, "data.txt"), 76)
        XCTAssertEqual(pathCall(wasi, "path_remove_directory", roFD, "."), 76)
        let (p1, l1) = memory.put("data.txt", at: pathAt)
        let (p2, l2) = memory.put("moved.txt", at: pathAt + 100)
        XCTAssertEqual(wasi.callErrno("path_rename", memory, [i32(roFD), i32(p1), i32(l1), i32(rwFD), i32(p2), i32(l2)]), 76)
        // Rights cannot be regained.
        XCTAssertEqual(wasi.callErrno("fd_fdstat_set_rights", memory, [i32(fd), i64(WASIRights.all.rawValue), i64(0)]), 76)
        XCTAssertEqual(try root.read("ro/data.txt"), "read-only data")
        XCTAssertEqual(root.snapshot(), before)
        XCTAssertEqual(log.counts["path_open"], 2)
        XCTAssertTrue(log.recent.contains { $0.reason.hasPrefix("read-only directory") })
    }

    func testDescriptorLimitAndClose() throws {
        let configuration = WASIConfiguration(capabilities: .all, preopens: [PreopenDirectory(hostPath: root.url("rw"))],
                                              maxOpenFiles: 6)
        let wasi = try WASI(configuration: configuration, stdout: NullSink(), stderr: NullSink())
        XCTAssertEqual(open(wasi, 3, "hello.txt").0, 0)
        XCTAssertEqual(open(wasi, 3, "hello.txt").0, 0)
        XCTAssertEqual(open(wasi, 3, "hello.txt").0, 33)
        XCTAssertEqual(wasi.openFileCount, 6)
        wasi.close()
        XCTAssertEqual(wasi.openFileCount, 0)
        XCTAssertEqual(write(wasi, 1, "x").0, 8)
    }

    func testMissingPreopenFailsSetup() {
        let configuration = WASIConfiguration(capabilities: .all, preopens: [PreopenDirectory(hostPath: root.url("nope"))])
        XCTAssertThrowsError(try WASI(configuration: configuration, stdout: NullSink(), stderr: NullSink()))
    }

    func testErrnoMapping() {
        XCTAssertEqual(WASIErrno(host: HostErrno(rawValue: ENOENT)), .noEntry)
        XCTAssertEqual(WASIErrno(host: HostErrno(rawValue: EACCES)), .access)
        XCTAssertEqual(WASIErrno(host: HostErrno(rawValue: ENOTEMPTY)).rawValue, 55)
        XCTAssertEqual(WASIErrno(host: HostErrno(rawValue: EXDEV)).rawValue, 75)
        XCTAssertEqual(WASIErrno(host: HostErrno(rawValue: 9999)), .io)
        XCTAssertEqual(WASIErrno.notCapable.description, "NOTCAPABLE (76)")
    }
}
