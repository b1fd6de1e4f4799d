import CTernSystem
import Glibc

/// An epoll(7) instance. Each registered descriptor carries a 64-bit token
/// that comes back with its events.
struct Epoll: Sendable {
    let descriptor: FileDescriptor

    struct Events: OptionSet, Sendable {
        let rawValue: UInt32
        static let readable = Events(rawValue: EPOLLIN.rawValue)
        static let writable = Events(rawValue: EPOLLOUT.rawValue)
        /// The peer shut down its sending side.
        static let readHangup = Events(rawValue: EPOLLRDHUP.rawValue)
        static let hangup = Events(rawValue: EPOLLHUP.rawValue)
        static let error = Events(rawValue: EPOLLERR.rawValue)
        static let edgeTriggered = Events(rawValue: EPOLLET.rawValue)
        /// Wake only one of the epoll instances waiting on a shared descriptor.
        static let exclusive = Events(rawValue: EPOLLEXCLUSIVE.rawValue)
    }

    /// `epoll_create1(2)` with `EPOLL_CLOEXEC`.
    static func create() throws(SystemError) -> Epoll {
        Epoll(descriptor: FileDescriptor(rawValue: try Syscall.call("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }))
    }

    /// `epoll_ctl(2)` with `EPOLL_CTL_ADD`.
    func add(_ target: FileDescriptor, events: Events, token: UInt64) throws(SystemError) {
        var event = epoll_event()
        event.events = events.rawValue
        event.data.u64 = token
        _ = try Syscall.call("epoll_ctl") { epoll_ctl(descriptor.rawValue, EPOLL_CTL_ADD, target.rawValue, &event) }
    }

    /// `epoll_ctl(2)` with `EPOLL_CTL_DEL`.
    func remove(_ target: FileDescriptor) throws(SystemError) {
        _ = try Syscall.call("epoll_ctl") { epoll_ctl(descriptor.rawValue, EPOLL_CTL_DEL, target.rawValue, nil) }
    }

    /// `epoll_wait(2)`: fills `events` and returns how many are ready.
    /// A negative timeout waits indefinitely.
    func wait(into events: UnsafeMutableBufferPointer<epoll_event>, timeoutMilliseconds: Int32) throws(SystemError) -> Int {
        Int(try Syscall.call("epoll_wait") {
            epoll_wait(descriptor.rawValue, events.baseAddress, Int32(events.count), timeoutMilliseconds)
        })
    }
}

/// An eventfd(2) used as a wake-up signal: any thread `signal()`s, the event
/// loop sees it readable in epoll and `reset()`s it.
struct EventFD: Sendable {
    let descriptor: FileDescriptor

    /// `eventfd(2)` with `EFD_NONBLOCK | EFD_CLOEXEC`.
    static func create() throws(SystemError) -> EventFD {
        EventFD(descriptor: FileDescriptor(rawValue: try Syscall.call("eventfd") { eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC)) }))
    }

    /// `eventfd_write(3)` of 1. Cannot meaningfully fail: `EAGAIN` means the
    /// counter is saturated, which is already a pending wake-up.
    func signal() {
        _ = try? Syscall.call("eventfd_write") { eventfd_write(descriptor.rawValue, 1) }
    }

    /// `eventfd_read(3)`: clears pending wake-ups.
    func reset() {
        var value: eventfd_t = 0
        _ = try? Syscall.callUnlessWouldBlock("eventfd_read") { eventfd_read(descriptor.rawValue, &value) }
    }
}
