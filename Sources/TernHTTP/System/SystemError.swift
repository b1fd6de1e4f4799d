import Glibc

/// A system call that failed: its C name and the `errno` it set.
public struct SystemError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The C name of the call, e.g. `"bind"`.
    public let call: String
    /// The `errno` value, e.g. `EADDRINUSE`.
    public let code: Int32

    init(_ call: StaticString, code: Int32) {
        self.call = "\(call)"
        self.code = code
    }

    public var description: String { "\(call): \(String(cString: strerror(code))) (errno \(code))" }

    var isWouldBlock: Bool { code == EAGAIN || code == EWOULDBLOCK }
}

/// The boundary to the C library: every wrapper in `System/` calls through
/// here, so this is the one place that turns `-1`/`errno` into a typed error
/// and the one place that retries calls interrupted by a signal.
enum Syscall {
    /// Runs `body` (which follows the C convention of returning -1 and setting
    /// `errno`) until it is not interrupted by a signal (`EINTR`).
    @inline(__always)
    static func call<Result: FixedWidthInteger>(
        _ name: StaticString, _ body: () -> Result
    ) throws(SystemError) -> Result {
        while true {
            let result = body()
            if result != -1 { return result }
            let code = errno
            if code != EINTR { throw SystemError(name, code: code) }
        }
    }

    /// Like `call`, for non-blocking descriptors: `nil` when the call would
    /// block (`EAGAIN`/`EWOULDBLOCK`).
    @inline(__always)
    static func callUnlessWouldBlock<Result: FixedWidthInteger>(
        _ name: StaticString, _ body: () -> Result
    ) throws(SystemError) -> Result? {
        do throws(SystemError) {
            return try call(name, body)
        } catch where error.isWouldBlock {
            return nil
        }
    }
}
