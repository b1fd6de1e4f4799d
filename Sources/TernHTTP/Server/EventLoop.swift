import CTernSystem
import Glibc

/// One epoll loop on its own thread. Everything here, including every
/// `Connection` it owns, is touched only by that thread (thread confinement,
/// hence no locks); other threads reach it only through `mailbox`.
///
/// Accepting: all loops share the one listening socket, each registering it
/// with `EPOLLEXCLUSIVE` so a new connection wakes one loop rather than all,
/// and that loop owns the connection for its lifetime.
final class EventLoop {
    private static let listenerToken: UInt64 = 0
    private static let wakeupToken: UInt64 = 1
    private static let firstConnectionToken: UInt64 = 2
    /// Connections accepted per wake-up before other work gets a turn.
    private static let acceptBatch = 64
    /// Back-off after running out of file descriptors, so a full process
    /// does not spin on a listener that stays readable.
    private static let acceptPause = Duration.milliseconds(100)
    private static let readBufferSize = 64 * 1024
    private static let maxEvents = 256

    let configuration: HTTPServer.Configuration
    let handler: any HTTPHandler
    let mailbox: LoopMailbox
    private let epoll: Epoll
    private let listener: FileDescriptor

    private var connections: [UInt64: Connection] = [:]
    private var nextConnectionToken = EventLoop.firstConnectionToken
    /// Connections that stopped reading with input left, to be resumed after
    /// this round of events so one busy connection cannot starve the rest.
    private var deferredReads: [Connection] = []
    private var shutdownDeadline: ContinuousClock.Instant?
    private var acceptPausedUntil: ContinuousClock.Instant?
    private let housekeepingInterval: Duration
    private var nextHousekeeping: ContinuousClock.Instant
    private var dateCache = HTTPDateCache()

    /// The time after the last `epoll_wait`, good enough for timeouts.
    private(set) var now: ContinuousClock.Instant
    /// Scratch space for `recv`; parsers copy what they keep.
    let readBuffer: UnsafeMutableRawBufferPointer

    var isShuttingDown: Bool { shutdownDeadline != nil }

    /// `epoll` must already watch `listener` (token 0) and the mailbox's
    /// eventfd (token 1); see `register`.
    init(epoll: Epoll, mailbox: LoopMailbox, listener: FileDescriptor, handler: any HTTPHandler, configuration: HTTPServer.Configuration) {
        self.epoll = epoll
        self.mailbox = mailbox
        self.listener = listener
        self.handler = handler
        self.configuration = configuration
        now = .now
        housekeepingInterval = min(.seconds(1), max(.milliseconds(10), configuration.idleTimeout / 4))
        nextHousekeeping = now + housekeepingInterval
        readBuffer = .allocate(byteCount: EventLoop.readBufferSize, alignment: 16)
    }

    deinit {
        readBuffer.deallocate()
    }

    /// Sets up `epoll` for a loop; done on the starting thread so failures
    /// reach `HTTPServer.init`.
    static func register(listener: FileDescriptor, mailbox: LoopMailbox, in epoll: Epoll) throws(SystemError) {
        try epoll.add(listener, events: [.readable, .exclusive], token: listenerToken)
        try epoll.add(mailbox.wakeup.descriptor, events: .readable, token: wakeupToken)
    }

    /// Runs until shutdown completes (or epoll itself fails), then closes
    /// every connection it still owns and its epoll descriptor.
    func run() {
        let events = UnsafeMutableBufferPointer<epoll_event>.allocate(capacity: EventLoop.maxEvents)
        defer {
            events.deallocate()
            for connection in Array(connections.values) { connection.close() }
            epoll.descriptor.close()
        }
        while !(isShuttingDown && connections.isEmpty) {
            let messages = mailbox.takeMessagesOrPrepareToWait()
            let mustNotBlock = !messages.isEmpty || !deferredReads.isEmpty
            handle(messages)
            let count: Int
            do {
                count = try epoll.wait(into: events, timeoutMilliseconds: mustNotBlock ? 0 : millisecondsUntilHousekeeping())
            } catch {
                log("event loop stopped: \(error)")
                return
            }
            mailbox.loopDidWake()
            now = .now
            for event in events[..<count] {
                dispatch(token: event.data.u64, events: Epoll.Events(rawValue: event.events))
            }
            resumeDeferredReads()
            if now >= nextHousekeeping { housekeeping() }
        }
    }

    private func dispatch(token: UInt64, events: Epoll.Events) {
        switch token {
        case EventLoop.listenerToken: acceptConnections()
        case EventLoop.wakeupToken: mailbox.wakeup.reset()
        default: connections[token]?.handle(events)
        }
    }

    private func handle(_ messages: [LoopMessage]) {
        for message in messages {
            switch message {
            case .response(let token, let sequence, let response):
                // The connection may have closed meanwhile; then the response has nowhere to go.
                connections[token]?.complete(sequence: sequence, with: response)
            case .shutdown(let deadline):
                guard !isShuttingDown else { continue }
                shutdownDeadline = deadline
                nextHousekeeping = min(nextHousekeeping, deadline)
                if acceptPausedUntil == nil { try? epoll.remove(listener) }
                for connection in Array(connections.values) { connection.beginShutdown() }
            }
        }
    }

    private func acceptConnections() {
        guard !isShuttingDown, acceptPausedUntil == nil else { return }
        for _ in 0..<EventLoop.acceptBatch {
            let socket: FileDescriptor
            do throws(SystemError) {
                guard let accepted = try listener.accept() else { return }
                socket = accepted
            } catch where [EMFILE, ENFILE, ENOBUFS, ENOMEM].contains(error.code) {
                log("accept paused: \(error)")
                try? epoll.remove(listener)
                acceptPausedUntil = now + EventLoop.acceptPause
                return
            } catch {
                // ECONNABORTED and the like concern only that one connection.
                continue
            }
            // Responses go out in one write each; Nagle would only delay them.
            try? socket.setOption(level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
            let token = nextConnectionToken
            nextConnectionToken += 1
            do throws(SystemError) {
                try epoll.add(socket, events: [.readable, .writable, .readHangup, .edgeTriggered], token: token)
            } catch {
                log("cannot watch connection: \(error)")
                socket.close()
                continue
            }
            connections[token] = Connection(token: token, socket: socket, loop: self)
        }
    }

    /// Timeouts, accept back-off and the shutdown deadline; runs every
    /// `housekeepingInterval`, so no connection needs a timer of its own.
    private func housekeeping() {
        nextHousekeeping = now + housekeepingInterval
        if let resumeAt = acceptPausedUntil, now >= resumeAt {
            acceptPausedUntil = nil
            if !isShuttingDown {
                do throws(SystemError) {
                    try epoll.add(listener, events: [.readable, .exclusive], token: EventLoop.listenerToken)
                } catch {
                    log("cannot resume accepting: \(error)")
                }
            }
        }
        let forceClose = shutdownDeadline.map { now >= $0 } ?? false
        for connection in Array(connections.values) {
            if forceClose { connection.close() } else { connection.checkTimeouts() }
        }
    }

    private func resumeDeferredReads() {
        let pending = deferredReads
        deferredReads = []
        for connection in pending { connection.resumeReading() }
    }

    private func millisecondsUntilHousekeeping() -> Int32 {
        now.duration(to: nextHousekeeping).pollTimeoutMilliseconds
    }

    // MARK: Services for connections

    func deferRead(_ connection: Connection) {
        deferredReads.append(connection)
    }

    func connectionDidClose(_ connection: Connection) {
        connections[connection.token] = nil
    }

    func currentDate() -> String {
        dateCache.current()
    }

    func log(_ message: @autoclosure () -> String) {
        configuration.logger?("tern-http: \(message())")
    }
}
