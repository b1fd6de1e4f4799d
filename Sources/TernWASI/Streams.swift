#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// Where a guest's fd 1 or fd 2 goes. Called on the guest's thread.
public protocol WASIOutputSink: AnyObject, Sendable {
    /// Consumes all of `bytes` (or fails with a WASI errno).
    func write(_ bytes: UnsafeRawBufferPointer) throws(WASIErrno)
}

/// What a guest's fd 0 reads. Called on the guest's thread.
public protocol WASIInputSource: AnyObject, Sendable {
    /// Reads up to `buffer.count` bytes; 0 means end of input.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(WASIErrno) -> Int
}

/// Writes to a host file descriptor, e.g. the terminal for `tern run`.
public final class FileDescriptorSink: WASIOutputSink {
    public let fileDescriptor: Int32

    public init(fileDescriptor: Int32) { self.fileDescriptor = fileDescriptor }

    public static let standardOutput = FileDescriptorSink(fileDescriptor: 1)
    public static let standardError = FileDescriptorSink(fileDescriptor: 2)

    public func write(_ bytes: UnsafeRawBufferPointer) throws(WASIErrno) {
        do {
            try HostFileDescriptor(rawValue: fileDescriptor).writeAll(bytes)
        } catch {
            throw WASIErrno(host: error)
        }
    }
}

/// Collects output in memory (per function in the server), up to `limit`
/// bytes; what is past the limit is dropped and `isTruncated` is set, so a
/// chatty guest cannot exhaust host memory.
public final class CapturedOutput: WASIOutputSink {
    public let limit: Int
    private let state = Mutex<(bytes: [UInt8], truncated: Bool)>((bytes: [], truncated: false))

    public init(limit: Int = 1 << 20) { self.limit = max(0, limit) }

    public func write(_ bytes: UnsafeRawBufferPointer) throws(WASIErrno) {
        state.withLock { state in
            let room = limit - state.bytes.count
            if bytes.count > room { state.truncated = true }
            state.bytes.append(contentsOf: bytes.prefix(max(0, room)))
        }
    }

    public var bytes: [UInt8] { state.withLock { $0.bytes } }
    /// The captured bytes as UTF-8 (invalid sequences repaired).
    public var text: String { String(decoding: bytes, as: UTF8.self) }
    public var isTruncated: Bool { state.withLock { $0.truncated } }

    /// Returns the captured bytes and empties the buffer.
    public func take() -> [UInt8] {
        state.withLock { state in
            defer { state = (bytes: [], truncated: false) }
            return state.bytes
        }
    }
}

/// Discards everything.
public final class NullSink: WASIOutputSink {
    public init() {}
    public func write(_ bytes: UnsafeRawBufferPointer) throws(WASIErrno) {}
}

/// A fixed input (e.g. a request body); empty by default.
public final class BytesInput: WASIInputSource {
    private let state: Mutex<(bytes: [UInt8], offset: Int)>

    public init(_ bytes: [UInt8] = []) { state = Mutex((bytes: bytes, offset: 0)) }

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(WASIErrno) -> Int {
        state.withLock { state in
            let count = min(buffer.count, state.bytes.count - state.offset)
            guard count > 0 else { return 0 }
            state.bytes.withUnsafeBytes { source in
                buffer.baseAddress!.copyMemory(from: source.baseAddress! + state.offset, byteCount: count)
            }
            state.offset += count
            return count
        }
    }
}

/// Reads a host file descriptor, e.g. the terminal's stdin for `tern run`.
public final class FileDescriptorSource: WASIInputSource {
    public let fileDescriptor: Int32

    public init(fileDescriptor: Int32) { self.fileDescriptor = fileDescriptor }

    public static let standardInput = FileDescriptorSource(fileDescriptor: 0)

    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(WASIErrno) -> Int {
        do {
            return try HostFileDescriptor(rawValue: fileDescriptor).read(into: buffer)
        } catch {
            throw WASIErrno(host: error)
        }
    }
}
