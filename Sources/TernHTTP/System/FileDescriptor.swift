import Glibc

/// An open file descriptor: a socket, an epoll instance or an eventfd.
/// A plain value; whoever created it closes it exactly once.
struct FileDescriptor: Hashable, Sendable {
    let rawValue: Int32

    /// Outcome of a read from a non-blocking descriptor.
    enum ReadResult: Equatable {
        case bytes(Int)
        case endOfStream
        case wouldBlock
    }

    /// `close(2)`. Not retried on `EINTR`: Linux releases the descriptor even
    /// when `close` is interrupted, so a retry could close a reused number.
    func close() {
        _ = Glibc.close(rawValue)
    }

    /// `recv(2)` into `buffer`.
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(SystemError) -> ReadResult {
        let count = try Syscall.callUnlessWouldBlock("recv") {
            recv(rawValue, buffer.baseAddress, buffer.count, 0)
        }
        switch count {
        case nil: return .wouldBlock
        case 0: return .endOfStream
        case let count?: return .bytes(count)
        }
    }

    /// `send(2)` with `MSG_NOSIGNAL`, so a closed peer is an `EPIPE` error
    /// instead of a process-killing `SIGPIPE`. `nil` when the socket buffer
    /// is full.
    func send(_ bytes: UnsafeRawBufferPointer) throws(SystemError) -> Int? {
        try Syscall.callUnlessWouldBlock("send") {
            Glibc.send(rawValue, bytes.baseAddress, bytes.count, Int32(MSG_NOSIGNAL))
        }
    }

    /// `send(2)` of `bytes[offset...]`.
    func send(_ bytes: [UInt8], from offset: Int) throws(SystemError) -> Int? {
        try bytes.withUnsafeBytes { buffer in
            Result { () throws(SystemError) in try send(UnsafeRawBufferPointer(rebasing: buffer[offset...])) }
        }.get()
    }

    /// `recv(2)` into the whole of `buffer`.
    func receive(into buffer: inout [UInt8]) throws(SystemError) -> ReadResult {
        try buffer.withUnsafeMutableBytes { bytes in
            Result { () throws(SystemError) in try receive(into: bytes) }
        }.get()
    }

    /// `poll(2)` on this descriptor alone; returns the events that occurred
    /// (empty on timeout).
    func poll(for events: Int16, timeoutMilliseconds: Int32) throws(SystemError) -> Int16 {
        var entry = pollfd(fd: rawValue, events: events, revents: 0)
        let ready = try Syscall.call("poll") { Glibc.poll(&entry, 1, timeoutMilliseconds) }
        return ready == 0 ? 0 : entry.revents
    }
}
