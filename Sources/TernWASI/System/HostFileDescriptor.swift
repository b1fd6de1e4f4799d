#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A raw host file descriptor with typed wrappers around the `*at` family
/// of system calls (in the style of swift-system). Each wrapper names the C
/// call it makes; all of them retry on `EINTR` through
/// `retryingOnInterrupt` and throw `HostErrno`. Names passed to the `*At`
/// calls are single path components chosen by `PathResolver`.
///
/// Not owning: whoever opened it calls `close()` exactly once.
/// `O_PATH` (Linux; not exported by the Glibc module): a descriptor usable
/// only as a directory for `*at` calls, needing no read permission.
let O_PATH: Int32 = 0o10000000

struct HostFileDescriptor: Hashable {
    var rawValue: Int32

    init(rawValue: Int32) { self.rawValue = rawValue }

    static let standardInput = HostFileDescriptor(rawValue: 0)
    static let standardOutput = HostFileDescriptor(rawValue: 1)
    static let standardError = HostFileDescriptor(rawValue: 2)
    /// `AT_FDCWD`: only used to open preopened directories by host path.
    static let currentWorkingDirectory = HostFileDescriptor(rawValue: AT_FDCWD)

    // MARK: Opening and closing

    /// `openat(2)` with `O_CLOEXEC` always added.
    static func open(at directory: HostFileDescriptor, _ name: [UInt8], flags: Int32,
                     mode: mode_t = 0o666) throws(HostErrno) -> HostFileDescriptor {
        let raw = try withCString(name) { (path) throws(HostErrno) -> Int32 in
            try retryingOnInterrupt { openat(directory.rawValue, path, flags | O_CLOEXEC, mode) }
        }
        return HostFileDescriptor(rawValue: raw)
    }

    /// `openat(AT_FDCWD, path, ...)` for a host path given by the embedder.
    static func open(path: String, flags: Int32) throws(HostErrno) -> HostFileDescriptor {
        try open(at: .currentWorkingDirectory, Array(path.utf8), flags: flags)
    }

    /// `close(2)`. Not retried on `EINTR`: on Linux the descriptor is
    /// released even when close is interrupted.
    func close() {
        _ = Glibc.close(rawValue)
    }

    /// `dup(2)` with `F_DUPFD_CLOEXEC`.
    func duplicate() throws(HostErrno) -> HostFileDescriptor {
        HostFileDescriptor(rawValue: try retryingOnInterrupt { fcntl(rawValue, F_DUPFD_CLOEXEC, 0) })
    }

    // MARK: Data

    /// `read(2)`.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(HostErrno) -> Int {
        guard buffer.count > 0 else { return 0 }
        return try retryingOnInterrupt { Glibc.read(rawValue, buffer.baseAddress, buffer.count) }
    }

    /// `pread(2)`.
    func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) throws(HostErrno) -> Int {
        guard buffer.count > 0 else { return 0 }
        return try retryingOnInterrupt { pread(rawValue, buffer.baseAddress, buffer.count, off_t(offset)) }
    }

    /// `write(2)`.
    func write(_ buffer: UnsafeRawBufferPointer) throws(HostErrno) -> Int {
        guard buffer.count > 0 else { return 0 }
        return try retryingOnInterrupt { Glibc.write(rawValue, buffer.baseAddress, buffer.count) }
    }

    /// `pwrite(2)`.
    func write(_ buffer: UnsafeRawBufferPointer, at offset: Int64) throws(HostErrno) -> Int {
        guard buffer.count > 0 else { return 0 }
        return try retryingOnInterrupt { pwrite(rawValue, buffer.baseAddress, buffer.count, off_t(offset)) }
    }

    /// Writes all of `buffer`, looping over short writes (`write(2)`).
    func writeAll(_ buffer: UnsafeRawBufferPointer) throws(HostErrno) {
        var offset = 0
        while offset < buffer.count {
            let rest = UnsafeRawBufferPointer(rebasing: buffer[offset...])
            let written = try write(rest)
            if written == 0 { throw HostErrno(rawValue: EIO) }
            offset += written
        }
    }

    /// `lseek(2)`; returns the new offset.
    func seek(offset: Int64, whence: Int32) throws(HostErrno) -> Int64 {
        Int64(try retryingOnInterrupt { lseek(rawValue, off_t(offset), whence) })
    }

    /// `fsync(2)`.
    func sync() throws(HostErrno) { _ = try retryingOnInterrupt { fsync(rawValue) } }

    /// `fdatasync(2)`.
    func dataSync() throws(HostErrno) { _ = try retryingOnInterrupt { fdatasync(rawValue) } }

    /// `ftruncate(2)`.
    func truncate(to size: Int64) throws(HostErrno) {
        _ = try retryingOnInterrupt { ftruncate(rawValue, off_t(size)) }
    }

    // MARK: Metadata

    /// `fstat(2)`.
    func status() throws(HostErrno) -> stat {
        var result = stat()
        _ = try retryingOnInterrupt { fstat(rawValue, &result) }
        return result
    }

    /// `fstatat(2)` with `AT_SYMLINK_NOFOLLOW` (symlinks are followed, if at
    /// all, by `PathResolver`).
    func status(of name: [UInt8]) throws(HostErrno) -> stat {
        var result = stat()
        _ = try withCString(name) { (path) throws(HostErrno) -> Int32 in
            try retryingOnInterrupt { fstatat(rawValue, path, &result, AT_SYMLINK_NOFOLLOW) }
        }
        return result
    }

    /// `fcntl(F_GETFL)`.
    func statusFlags() throws(HostErrno) -> Int32 {
        try retryingOnInterrupt { fcntl(rawValue, F_GETFL) }
    }

    /// `fcntl(F_SETFL)`.
    func setStatusFlags(_ flags: Int32) throws(HostErrno) {
        _ = try retryingOnInterrupt { fcntl(rawValue, F_SETFL, flags) }
    }

    // MARK: Directory operations (relative to this directory descriptor)

    /// `mkdirat(2)`.
    func makeDirectory(_ name: [UInt8], mode: mode_t = 0o777) throws(HostErrno) {
        _ = try withCString(name) { (path) throws(HostErrno) -> Int32 in
            try retryingOnInterrupt { mkdirat(rawValue, path, mode) }
        }
    }

    /// `unlinkat(2)`; with `AT_REMOVEDIR` when `directory` is true.
    func unlink(_ name: [UInt8], directory: Bool) throws(HostErrno) {
        _ = try withCString(name) { (path) throws(HostErrno) -> Int32 in
            try retryingOnInterrupt { unlinkat(rawValue, path, directory ? AT_REMOVEDIR : 0) }
        }
    }

    /// `renameat(2)`.
    func rename(_ name: [UInt8], to newDirectory: HostFileDescriptor, _ newName: [UInt8]) throws(HostErrno) {
        _ = try withCString(name) { (old) throws(HostErrno) -> Int32 in
            try withCString(newName) { (new) throws(HostErrno) -> Int32 in
                try retryingOnInterrupt { renameat(rawValue, old, newDirectory.rawValue, new) }
            }
        }
    }

    /// `readlinkat(2)`: the target of symlink `name`. Throws `EINVAL` when
    /// `name` is not a symlink.
    func readLink(_ name: [UInt8]) throws(HostErrno) -> [UInt8] {
        var capacity = 256
        while true {
            var buffer = [UInt8](repeating: 0, count: capacity)
            let count = try withCString(name) { (path) throws(HostErrno) -> Int in
                let result: Result<Int, HostErrno> = buffer.withUnsafeMutableBytes { bytes in
                    do throws(HostErrno) {
                        return .success(try retryingOnInterrupt {
                            readlinkat(rawValue, path, bytes.baseAddress!.assumingMemoryBound(to: CChar.self), bytes.count)
                        })
                    } catch {
                        return .failure(error)
                    }
                }
                return try result.get()
            }
            if count < capacity { return Array(buffer[0..<count]) }
            guard capacity < 1 << 16 else { throw .nameTooLong }
            capacity *= 4
        }
    }

    /// Every entry of this directory, `.` and `..` included, in the order
    /// `readdir(3)` returns them. Reads through a duplicate descriptor
    /// (`dup` + `fdopendir` + `rewinddir` + `readdir` + `closedir`) so this
    /// descriptor's own offset and lifetime are untouched.
    func directoryEntries() throws(HostErrno) -> [HostDirectoryEntry] {
        let copy = try duplicate()
        guard let stream = fdopendir(copy.rawValue) else {
            let error = HostErrno.current
            copy.close()
            throw error
        }
        defer { closedir(stream) }
        rewinddir(stream)
        var entries: [HostDirectoryEntry] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw HostErrno.current }
                return entries
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                Array(raw.prefix(while: { $0 != 0 }))
            }
            entries.append(HostDirectoryEntry(name: name, inode: UInt64(entry.pointee.d_ino), type: entry.pointee.d_type))
        }
    }
}

/// One entry read by `HostFileDescriptor.directoryEntries()`.
struct HostDirectoryEntry {
    var name: [UInt8]
    var inode: UInt64
    /// `d_type` (`DT_*`).
    var type: UInt8
}

/// Calls `body` with `bytes` as a NUL-terminated C string. `bytes` must not
/// contain NUL (callers check guest-provided names first).
func withCString<R, E: Error>(_ bytes: [UInt8], _ body: (UnsafePointer<CChar>) throws(E) -> R) throws(E) -> R {
    var terminated = bytes
    terminated.append(0)
    let result: Result<R, E> = terminated.withUnsafeBufferPointer { buffer in
        buffer.withMemoryRebound(to: CChar.self) { chars in
            do throws(E) { return .success(try body(chars.baseAddress!)) } catch { return .failure(error) }
        }
    }
    return try result.get()
}

/// Host clocks and randomness.
enum HostSystem {
    /// `clock_gettime(2)` in nanoseconds.
    static func time(_ clock: clockid_t) throws(HostErrno) -> UInt64 {
        var spec = timespec()
        _ = try retryingOnInterrupt { clock_gettime(clock, &spec) }
        return UInt64(truncatingIfNeeded: spec.tv_sec) &* 1_000_000_000 &+ UInt64(truncatingIfNeeded: spec.tv_nsec)
    }

    /// `clock_getres(2)` in nanoseconds.
    static func resolution(_ clock: clockid_t) throws(HostErrno) -> UInt64 {
        var spec = timespec()
        _ = try retryingOnInterrupt { clock_getres(clock, &spec) }
        return max(1, UInt64(truncatingIfNeeded: spec.tv_sec) &* 1_000_000_000 &+ UInt64(truncatingIfNeeded: spec.tv_nsec))
    }

    /// Fills `buffer` from the system CSPRNG (`SystemRandomNumberGenerator`,
    /// i.e. `getrandom(2)` on Linux).
    static func fillRandom(_ buffer: UnsafeMutableRawBufferPointer) {
        var generator = SystemRandomNumberGenerator()
        var offset = 0
        while offset < buffer.count {
            let word = generator.next()
            let count = min(8, buffer.count - offset)
            withUnsafeBytes(of: word) { bytes in
                (buffer.baseAddress! + offset).copyMemory(from: bytes.baseAddress!, byteCount: count)
            }
            offset += count
        }
    }

    /// `nanosleep(2)` for at most `nanoseconds` (an interrupted sleep
    /// returns early; callers loop with their own deadline).
    static func sleep(nanoseconds: UInt64) {
        var request = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
        var remaining = timespec()
        _ = nanosleep(&request, &remaining)
    }
}
