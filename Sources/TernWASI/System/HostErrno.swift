#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A host (Linux) `errno` value, as thrown by the syscall wrappers in this
/// folder. Converted to a WASI errno with `WASIErrno(host:)` at the WASI
/// boundary; never shown to the guest as is.
struct HostErrno: Error, Equatable, Hashable, CustomStringConvertible {
    var rawValue: Int32

    init(rawValue: Int32) { self.rawValue = rawValue }

    /// The calling thread's current `errno`.
    static var current: HostErrno { HostErrno(rawValue: errno) }

    static let interrupted = HostErrno(rawValue: EINTR)
    static let noEntry = HostErrno(rawValue: ENOENT)
    static let notDirectory = HostErrno(rawValue: ENOTDIR)
    static let tooManySymlinks = HostErrno(rawValue: ELOOP)
    static let invalid = HostErrno(rawValue: EINVAL)
    static let exists = HostErrno(rawValue: EEXIST)
    static let badFileDescriptor = HostErrno(rawValue: EBADF)
    static let nameTooLong = HostErrno(rawValue: ENAMETOOLONG)
    static let isDirectory = HostErrno(rawValue: EISDIR)

    var description: String { String(cString: strerror(rawValue)) + " (errno \(rawValue))" }
}

/// Runs a syscall-style `body` (returns -1 and sets `errno` on failure),
/// retrying while it fails with `EINTR`. This is the one place where
/// interrupted system calls are retried; every wrapper goes through it.
@inline(__always)
func retryingOnInterrupt<Result: FixedWidthInteger>(_ body: () -> Result) throws(HostErrno) -> Result {
    while true {
        let result = body()
        if result != -1 { return result }
        let error = HostErrno.current
        if error != .interrupted { throw error }
    }
}

/// Like `retryingOnInterrupt` for calls that return a pointer (nil on
/// failure), e.g. `fdopendir`.
@inline(__always)
func retryingOnInterrupt<Pointer>(_ body: () -> Pointer?) throws(HostErrno) -> Pointer {
    while true {
        if let result = body() { return result }
        let error = HostErrno.current
        if error != .interrupted { throw error }
    }
}
