import Dispatch
import Glibc

/// Why a server could not start.
public enum HTTPServerError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidConfiguration(String)
    case addressResolution(AddressResolutionError)
    /// A socket, epoll or thread call failed, e.g. `bind` with `EADDRINUSE`.
    case system(SystemError)

    public var description: String {
        switch self {
        case .invalidConfiguration(let reason): "invalid HTTP server configuration: \(reason)"
        case .addressResolution(let error): "\(error)"
        case .system(let error): "\(error)"
        }
    }
}

/// An HTTP/1.1 server: `eventLoopCount` epoll loops, each on its own thread,
/// sharing one listening socket. It runs from `init` until `shutdown()`.
///
/// ```swift
/// let server = try HTTPServer(configuration: .init(host: "0.0.0.0", port: 8080), handler: router)
/// print("listening on port \(server.port)")
/// server.wait()   // until another thread calls server.shutdown()
/// ```
public final class HTTPServer: Sendable {
    public struct Configuration: Sendable {
        /// Address to listen on: an IP literal or a name (the first address
        /// it resolves to is used).
        public var host: String
        /// 0 picks a free port; read it back from `HTTPServer.port`.
        public var port: Int
        public var eventLoopCount: Int
        public var limits: HTTPLimits
        /// A connection with no request in a handler and no I/O for this
        /// long is closed.
        public var idleTimeout: Duration
        /// Requests of one connection that may be in handlers or waiting to
        /// be sent at once; further pipelined requests wait in the socket.
        public var maxPipelinedRequests: Int
        public var listenBacklog: Int32
        /// Receives problems that no caller can be told about (a handler's
        /// invalid response, accept failures). Called on loop threads.
        public var logger: (@Sendable (String) -> Void)?

        public init(
            host: String = "127.0.0.1", port: Int = 0, eventLoopCount: Int = HTTPServer.defaultEventLoopCount,
            limits: HTTPLimits = HTTPLimits(), idleTimeout: Duration = .seconds(60), maxPipelinedRequests: Int = 16,
            listenBacklog: Int32 = 1024, logger: (@Sendable (String) -> Void)? = nil
        ) {
            self.host = host
            self.port = port
            self.eventLoopCount = eventLoopCount
            self.limits = limits
            self.idleTimeout = idleTimeout
            self.maxPipelinedRequests = maxPipelinedRequests
            self.listenBacklog = listenBacklog
            self.logger = logger
        }

        func validate() throws(HTTPServerError) {
            guard (0...65535).contains(port) else { throw .invalidConfiguration("port \(port) out of range") }
            guard eventLoopCount >= 1 else { throw .invalidConfiguration("eventLoopCount must be at least 1") }
            guard maxPipelinedRequests >= 1 else { throw .invalidConfiguration("maxPipelinedRequests must be at least 1") }
            guard limits.maxHeaderBytes > 0, limits.maxBodyBytes >= 0 else { throw .invalidConfiguration("negative or zero limits") }
            guard idleTimeout > .zero else { throw .invalidConfiguration("idleTimeout must be positive") }
        }
    }

    /// One loop per online CPU.
    public static var defaultEventLoopCount: Int { max(1, sysconf(Int32(_SC_NPROCESSORS_ONLN))) }

    private struct LoopHandle: Sendable {
        let mailbox: LoopMailbox
        let thread: JoinableThread
    }

    private enum Lifecycle {
        case running
        case stopped
    }

    public let configuration: Configuration
    /// The bound port (the actual one when `configuration.port` is 0).
    public let port: Int
    private let listener: FileDescriptor
    private let loops: [LoopHandle]
    private let lifecycle = Locked(Lifecycle.running)
    private let loopsRunning = DispatchGroup()

    /// Binds, listens and starts the event loops.
    public init(configuration: Configuration = Configuration(), handler: some HTTPHandler) throws(HTTPServerError) {
        try configuration.validate()
        self.configuration = configuration
        let address: SocketAddress
        do throws(AddressResolutionError) {
            address = try SocketAddress.resolve(host: configuration.host, port: configuration.port, passive: true)[0]
        } catch {
            throw .addressResolution(error)
        }
        let listener: FileDescriptor
        do throws(SystemError) {
            listener = try FileDescriptor.openStreamSocket(family: address.family)
        } catch {
            throw .system(error)
        }
        var started: [LoopHandle] = []
        do throws(SystemError) {
            // Lets a restarted server bind while old connections sit in TIME_WAIT.
            try listener.setOption(level: SOL_SOCKET, name: SO_REUSEADDR, value: 1)
            try listener.bind(to: address)
            try listener.listen(backlog: configuration.listenBacklog)
            port = try listener.localAddress().port
            for index in 0..<configuration.eventLoopCount {
                started.append(try HTTPServer.startLoop(index: index, listener: listener, handler: handler, configuration: configuration, group: loopsRunning))
            }
        } catch {
            HTTPServer.stop(started)
            listener.close()
            throw .system(error)
        }
        self.listener = listener
        self.loops = started
    }

    private static func startLoop(
        index: Int, listener: FileDescriptor, handler: some HTTPHandler, configuration: Configuration, group: DispatchGroup
    ) throws(SystemError) -> LoopHandle {
        let epoll = try Epoll.create()
        do throws(SystemError) {
            let mailbox = try LoopMailbox()
            try EventLoop.register(listener: listener, mailbox: mailbox, in: epoll)
            group.enter()
            do throws(SystemError) {
                let thread = try JoinableThread.spawn(name: "tern-http-\(index)") {
                    EventLoop(epoll: epoll, mailbox: mailbox, listener: listener, handler: handler, configuration: configuration).run()
                    group.leave()
                }
                return LoopHandle(mailbox: mailbox, thread: thread)
            } catch {
                group.leave()
                throw error
            }
        } catch {
            epoll.descriptor.close()
            throw error
        }
    }

    /// Graceful shutdown: stops accepting, closes idle connections (and
    /// those with only part of a request), lets requests already in handlers
    /// finish and be answered (with `Connection: close`), then joins the loop
    /// threads. Connections still open after `gracePeriod` are closed.
    /// Returns once everything has stopped; safe to call more than once and
    /// from several threads. Must not be called on an event loop thread (from
    /// a handler running there, hand it to another thread).
    public func shutdown(gracePeriod: Duration = .seconds(30)) {
        precondition(!loops.contains { $0.thread.isCurrent }, "HTTPServer.shutdown() on an event loop thread would wait for itself")
        lifecycle.withLock { lifecycle in
            guard case .running = lifecycle else { return }
            HTTPServer.stop(loops, deadline: .now + gracePeriod)
            listener.close()
            lifecycle = .stopped
        }
    }

    private static func stop(_ loops: [LoopHandle], deadline: ContinuousClock.Instant = .now) {
        for loop in loops { loop.mailbox.post(.shutdown(deadline: deadline)) }
        for loop in loops { loop.thread.join() }
    }

    /// Blocks until the server has stopped (after `shutdown()` on another
    /// thread, or if every loop failed).
    public func wait() {
        loopsRunning.wait()
    }

    /// Dropping the last reference shuts the server down.
    deinit {
        shutdown(gracePeriod: .zero)
    }
}
