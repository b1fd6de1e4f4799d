import CTernSystem
import Glibc

/// An IPv4 or IPv6 socket address (`sockaddr_storage` and its length).
struct SocketAddress: Sendable {
    private var storage = sockaddr_storage()
    private var length: socklen_t = 0

    var family: Int32 { Int32(storage.ss_family) }

    /// The port, in host byte order.
    var port: Int {
        withSocketAddress { pointer, _ in
            switch Int32(pointer.pointee.sa_family) {
            case AF_INET:
                pointer.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            case AF_INET6:
                pointer.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin6_port)) }
            default:
                0
            }
        }
    }

    func withSocketAddress<Result, Failure: Error>(
        _ body: (UnsafePointer<sockaddr>, socklen_t) throws(Failure) -> Result
    ) throws(Failure) -> Result {
        var copy = storage
        return try withUnsafePointer(to: &copy) { pointer throws(Failure) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address throws(Failure) in
                try body(address, length)
            }
        }
    }

    /// `getaddrinfo(3)` for a TCP host and port. `passive` asks for addresses
    /// to bind to rather than connect to.
    static func resolve(host: String, port: Int, passive: Bool) throws(AddressResolutionError) -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_NUMERICSERV | (passive ? AI_PASSIVE : 0)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0 else {
            let reason = status == EAI_SYSTEM ? String(cString: strerror(errno)) : String(cString: gai_strerror(status))
            throw AddressResolutionError(host: host, reason: reason)
        }
        defer { freeaddrinfo(list) }
        var addresses: [SocketAddress] = []
        var entry = list
        while let info = entry?.pointee {
            entry = info.ai_next
            guard let source = info.ai_addr, info.ai_family == AF_INET || info.ai_family == AF_INET6,
                  Int(info.ai_addrlen) <= MemoryLayout<sockaddr_storage>.size else { continue }
            var address = SocketAddress()
            withUnsafeMutableBytes(of: &address.storage) { destination in
                destination.copyMemory(from: UnsafeRawBufferPointer(start: source, count: Int(info.ai_addrlen)))
            }
            address.length = info.ai_addrlen
            addresses.append(address)
        }
        guard !addresses.isEmpty else { throw AddressResolutionError(host: host, reason: "no IPv4 or IPv6 address") }
        return addresses
    }

    fileprivate static func reading(_ body: (UnsafeMutablePointer<sockaddr>, UnsafeMutablePointer<socklen_t>) throws(SystemError) -> Void) throws(SystemError) -> SocketAddress {
        var address = SocketAddress()
        address.length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        try withUnsafeMutablePointer(to: &address.storage) { pointer throws(SystemError) in
            try pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw throws(SystemError) in
                try body(raw, &address.length)
            }
        }
        return address
    }
}

/// A host name that did not resolve to an address.
public struct AddressResolutionError: Error, Sendable, Equatable, CustomStringConvertible {
    public let host: String
    public let reason: String
    public var description: String { "cannot resolve \(host): \(reason)" }
}

/// Socket calls. Every socket Tern opens is non-blocking and close-on-exec;
/// blocking waits go through `poll` or epoll with explicit timeouts.
extension FileDescriptor {
    /// `socket(2)` for TCP in `family`.
    static func openStreamSocket(family: Int32) throws(SystemError) -> FileDescriptor {
        let type = Int32(SOCK_STREAM.rawValue | SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        return FileDescriptor(rawValue: try Syscall.call("socket") { socket(family, type, 0) })
    }

    /// `setsockopt(2)` with an integer value.
    func setOption(level: Int32, name: Int32, value: Int32) throws(SystemError) {
        var value = value
        _ = try Syscall.call("setsockopt") {
            setsockopt(rawValue, level, name, &value, socklen_t(MemoryLayout<Int32>.size))
        }
    }

    /// `getsockopt(2)` of `SO_ERROR`: the pending error of a non-blocking
    /// `connect`, 0 when it succeeded.
    func pendingError() throws(SystemError) -> Int32 {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        _ = try Syscall.call("getsockopt") { getsockopt(rawValue, SOL_SOCKET, SO_ERROR, &value, &length) }
        return value
    }

    /// `bind(2)`.
    func bind(to address: SocketAddress) throws(SystemError) {
        _ = try address.withSocketAddress { pointer, length throws(SystemError) in
            try Syscall.call("bind") { Glibc.bind(rawValue, pointer, length) }
        }
    }

    /// `listen(2)`.
    func listen(backlog: Int32) throws(SystemError) {
        _ = try Syscall.call("listen") { Glibc.listen(rawValue, backlog) }
    }

    /// `getsockname(2)`.
    func localAddress() throws(SystemError) -> SocketAddress {
        try SocketAddress.reading { pointer, length throws(SystemError) in
            _ = try Syscall.call("getsockname") { getsockname(rawValue, pointer, length) }
        }
    }

    /// `accept4(2)` with `SOCK_NONBLOCK | SOCK_CLOEXEC`; `nil` when no
    /// connection is waiting.
    func accept() throws(SystemError) -> FileDescriptor? {
        let flags = Int32(SOCK_NONBLOCK.rawValue | SOCK_CLOEXEC.rawValue)
        return try Syscall.callUnlessWouldBlock("accept4") { ctern_accept4(rawValue, flags) }
            .map(FileDescriptor.init(rawValue:))
    }

    /// `connect(2)` on a non-blocking socket: `true` when connected at once,
    /// `false` when the connection is in progress (wait for writability, then
    /// check `pendingError()`).
    func connect(to address: SocketAddress) throws(SystemError) -> Bool {
        do throws(SystemError) {
            _ = try address.withSocketAddress { pointer, length throws(SystemError) in
                try Syscall.call("connect") { Glibc.connect(rawValue, pointer, length) }
            }
            return true
        } catch where error.code == EINPROGRESS || error.code == EALREADY {
            return false
        } catch where error.code == EISCONN {
            return true
        }
    }

    /// `shutdown(2)` of the sending direction: the peer reads end-of-stream
    /// while this side can still read.
    func shutdownSending() {
        _ = Glibc.shutdown(rawValue, Int32(SHUT_WR))
    }
}
