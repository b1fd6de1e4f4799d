import Glibc

/// Why a client request failed.
public enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidURL(String)
    case invalidRequest(HTTPSerializationError)
    case addressResolution(AddressResolutionError)
    case connectionFailed(host: String, port: Int, SystemError)
    /// The whole exchange (connect, send, receive) took longer than the timeout.
    case timedOut
    /// The server closed the connection before a complete response.
    case connectionClosed
    case io(SystemError)
    case malformedResponse(HTTPParseError)

    public var description: String {
        switch self {
        case .invalidURL(let reason): "invalid URL: \(reason)"
        case .invalidRequest(let error): "invalid request: \(error)"
        case .addressResolution(let error): "\(error)"
        case .connectionFailed(let host, let port, let error): "cannot connect to \(host):\(port): \(error)"
        case .timedOut: "request timed out"
        case .connectionClosed: "server closed the connection before a complete response"
        case .io(let error): "\(error)"
        case .malformedResponse(let error): "invalid response: \(error)"
        }
    }
}

/// A small blocking HTTP/1.1 client (plain HTTP only) for the CLI, tools and
/// tests. Safe to use from several threads at once; each call blocks its
/// thread until the response is complete or the timeout expires.
///
/// With `reusesConnections`, connections the server keeps open are pooled
/// per host and port. A pooled connection may have been closed by the server
/// in the meantime; if sending on one fails before any response byte
/// arrives, the request is sent again once on a new connection (as browsers
/// do), so a non-idempotent request is repeated only when the server closed
/// without answering.
public final class HTTPClient: Sendable {
    public struct Configuration: Sendable {
        /// Default for each request's whole exchange.
        public var timeout: Duration
        public var limits: HTTPLimits
        public var reusesConnections: Bool
        public var maxIdleConnectionsPerEndpoint: Int

        public init(
            timeout: Duration = .seconds(30), limits: HTTPLimits = HTTPLimits(maxBodyBytes: 64 * 1024 * 1024),
            reusesConnections: Bool = true, maxIdleConnectionsPerEndpoint: Int = 4
        ) {
            self.timeout = timeout
            self.limits = limits
            self.reusesConnections = reusesConnections
            self.maxIdleConnectionsPerEndpoint = maxIdleConnectionsPerEndpoint
        }
    }

    private struct Endpoint: Hashable {
        var host: String
        var port: Int
    }

    public let configuration: Configuration
    private let idleConnections = Locked<[Endpoint: [FileDescriptor]]>([:])

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
    }

    deinit {
        closeIdleConnections()
    }

    /// Sends a request to an `http://host[:port]/path?query` URL.
    public func send(
        _ method: HTTPMethod = .get, url: String, headers: HTTPHeaders = [:], body: [UInt8] = [], timeout: Duration? = nil
    ) throws(HTTPClientError) -> HTTPResponse {
        let target = try ParsedURL(url)
        return try send(method, host: target.host, port: target.port, path: target.path, headers: headers, body: body, timeout: timeout)
    }

    /// Sends a request; `path` is the request-target (`/path?query`). Adds
    /// `Host` unless `headers` has one; sets the body's `Content-Length`.
    public func send(
        _ method: HTTPMethod = .get, host: String, port: Int, path: String,
        headers: HTTPHeaders = [:], body: [UInt8] = [], timeout: Duration? = nil
    ) throws(HTTPClientError) -> HTTPResponse {
        let deadline = ContinuousClock.now + (timeout ?? configuration.timeout)
        var headers = headers
        if !headers.contains("Host") {
            let hostName = host.contains(":") ? "[\(host)]" : host
            headers["Host"] = port == 80 ? hostName : "\(hostName):\(port)"
        }
        if !configuration.reusesConnections { headers["Connection"] = "close" }
        let bytes: [UInt8]
        do throws(HTTPSerializationError) {
            bytes = try HTTPRequestSerializer.serialize(HTTPRequest(method: method, target: path, headers: headers, body: body))
        } catch {
            throw .invalidRequest(error)
        }
        let endpoint = Endpoint(host: host, port: port)
        let exchange = Exchange(request: bytes, method: method, limits: configuration.limits, deadline: deadline)
        while let pooled = takeIdleConnection(to: endpoint) {
            do throws(ExchangeFailure) {
                return try complete(exchange, on: pooled, endpoint: endpoint)
            } catch .staleConnection {
                continue
            } catch {
                throw error.clientError
            }
        }
        let socket = try connect(to: endpoint, deadline: deadline)
        do throws(ExchangeFailure) {
            return try complete(exchange, on: socket, endpoint: endpoint)
        } catch {
            throw error.clientError
        }
    }

    /// Closes pooled connections.
    public func closeIdleConnections() {
        let sockets = idleConnections.withLock { pool in
            defer { pool = [:] }
            return Array(pool.values.joined())
        }
        for socket in sockets { socket.close() }
    }

    /// Runs `exchange` on `socket`, then pools or closes the socket.
    private func complete(_ exchange: Exchange, on socket: FileDescriptor, endpoint: Endpoint) throws(ExchangeFailure) -> HTTPResponse {
        let received: ReceivedResponse
        do throws(ExchangeFailure) {
            received = try exchange.run(on: socket)
        } catch {
            socket.close()
            throw error
        }
        if configuration.reusesConnections, received.connectionReusable {
            returnIdleConnection(socket, to: endpoint)
        } else {
            socket.close()
        }
        return received.response
    }

    private func takeIdleConnection(to endpoint: Endpoint) -> FileDescriptor? {
        while let socket = idleConnections.withLock({ $0[endpoint]?.popLast() }) {
            // An idle connection with anything to read has been closed (or
            // broken) by the server; don't send on it.
            let events = (try? socket.poll(for: Int16(POLLIN), timeoutMilliseconds: 0)) ?? Int16(POLLERR)
            if events == 0 { return socket }
            socket.close()
        }
        return nil
    }

    private func returnIdleConnection(_ socket: FileDescriptor, to endpoint: Endpoint) {
        let pooled = idleConnections.withLock { pool in
            guard pool[endpoint, default: []].count < configuration.maxIdleConnectionsPerEndpoint else { return false }
            pool[endpoint, default: []].append(socket)
            return true
        }
        if !pooled { socket.close() }
    }

    /// Connects to the first address of `endpoint` that accepts.
    private func connect(to endpoint: Endpoint, deadline: ContinuousClock.Instant) throws(HTTPClientError) -> FileDescriptor {
        let addresses: [SocketAddress]
        do throws(AddressResolutionError) {
            addresses = try SocketAddress.resolve(host: endpoint.host, port: endpoint.port, passive: false)
        } catch {
            throw .addressResolution(error)
        }
        var lastFailure = SystemError("connect", code: EADDRNOTAVAIL)
        for address in addresses {
            let socket: FileDescriptor
            do throws(SystemError) {
                socket = try FileDescriptor.openStreamSocket(family: address.family)
            } catch {
                throw .io(error)
            }
            do throws(ExchangeFailure) {
                try Exchange.connect(socket, to: address, deadline: deadline)
                // Requests go out in one write; Nagle would only delay a tail segment.
                try? socket.setOption(level: Int32(IPPROTO_TCP), name: TCP_NODELAY, value: 1)
                return socket
            } catch {
                socket.close()
                guard case .failed(.io(let failure)) = error else { throw error.clientError }
                lastFailure = failure
            }
        }
        throw .connectionFailed(host: endpoint.host, port: endpoint.port, lastFailure)
    }
}

/// How one request/response exchange on a connection failed.
private enum ExchangeFailure: Error {
    /// The connection broke before any response byte arrived: on a pooled
    /// connection, the server had closed it, and a fresh one may succeed.
    case staleConnection
    case failed(HTTPClientError)

    var clientError: HTTPClientError {
        switch self {
        case .staleConnection: .connectionClosed
        case .failed(let error): error
        }
    }
}

/// Sending one serialized request and receiving its response, with poll(2)
/// waits bounded by the deadline.
private struct Exchange {
    let request: [UInt8]
    let method: HTTPMethod
    let limits: HTTPLimits
    let deadline: ContinuousClock.Instant

    private static let readBufferSize = 64 * 1024

    func run(on socket: FileDescriptor) throws(ExchangeFailure) -> ReceivedResponse {
        try sendRequest(on: socket)
        return try receiveResponse(on: socket)
    }

    private func sendRequest(on socket: FileDescriptor) throws(ExchangeFailure) {
        var offset = 0
        while offset < request.count {
            let sent = try Exchange.systemCall(breakingConnection: true) { () throws(SystemError) in
                try socket.send(request, from: offset)
            }
            if let sent {
                offset += sent
            } else {
                try Exchange.wait(for: socket, events: POLLOUT, until: deadline)
            }
        }
    }

    private func receiveResponse(on socket: FileDescriptor) throws(ExchangeFailure) -> ReceivedResponse {
        var parser = HTTPResponseParser(requestMethod: method, limits: limits)
        var buffer = [UInt8](repeating: 0, count: Exchange.readBufferSize)
        while true {
            let result = try Exchange.systemCall(breakingConnection: !parser.hasReceivedBytes) { () throws(SystemError) in
                try socket.receive(into: &buffer)
            }
            switch result {
            case .wouldBlock:
                try Exchange.wait(for: socket, events: POLLIN, until: deadline)
            case .endOfStream where !parser.hasReceivedBytes:
                throw .staleConnection
            case .endOfStream:
                var response = try Exchange.parsing { () throws(HTTPParseError) in try parser.finish() }
                response.connectionReusable = false
                return response
            case .bytes(let count):
                parser.append(buffer[..<count])
                if let response = try Exchange.parsing({ () throws(HTTPParseError) in try parser.next() }) { return response }
            }
        }
    }

    /// Runs a parser step, classifying its error.
    private static func parsing<Result>(_ step: () throws(HTTPParseError) -> Result) throws(ExchangeFailure) -> Result {
        do throws(HTTPParseError) {
            return try step()
        } catch .truncated {
            throw .failed(.connectionClosed)
        } catch {
            throw .failed(.malformedResponse(error))
        }
    }

    /// Starts a non-blocking `connect` and waits for it to complete.
    static func connect(_ socket: FileDescriptor, to address: SocketAddress, deadline: ContinuousClock.Instant) throws(ExchangeFailure) {
        guard try !systemCall({ () throws(SystemError) in try socket.connect(to: address) }) else { return }
        try wait(for: socket, events: POLLOUT, until: deadline)
        let pending = try systemCall { () throws(SystemError) in try socket.pendingError() }
        guard pending == 0 else { throw .failed(.io(SystemError("connect", code: pending))) }
    }

    /// Waits until `socket` is ready for `events` or the deadline passes.
    static func wait(for socket: FileDescriptor, events: Int32, until deadline: ContinuousClock.Instant) throws(ExchangeFailure) {
        let remaining = ContinuousClock.now.duration(to: deadline)
        guard remaining > .zero else { throw .failed(.timedOut) }
        _ = try systemCall { () throws(SystemError) in
            try socket.poll(for: Int16(events), timeoutMilliseconds: remaining.pollTimeoutMilliseconds)
        }
    }

    /// Runs a socket call, classifying its error: a reset or broken pipe on a
    /// connection that has not answered yet (`breakingConnection`) means the
    /// server closed it; anything else is an I/O failure.
    static func systemCall<Result>(breakingConnection: Bool = false, _ body: () throws(SystemError) -> Result) throws(ExchangeFailure) -> Result {
        do throws(SystemError) {
            return try body()
        } catch where breakingConnection && [ECONNRESET, EPIPE].contains(error.code) {
            throw .staleConnection
        } catch {
            throw .failed(.io(error))
        }
    }
}

/// The parts of an `http://` URL the client needs.
struct ParsedURL {
    var host: String
    var port: Int
    /// Path and query, `/` when empty; the fragment is dropped.
    var path: String

    init(_ url: String) throws(HTTPClientError) {
        let scheme = "http://"
        guard url.utf8.count > scheme.utf8.count, url.prefix(scheme.count).equalsIgnoringASCIICase(scheme) else {
            throw .invalidURL(url.contains("://") ? "only http:// URLs are supported: \(url)" : "not an http:// URL: \(url)")
        }
        let rest = url.dropFirst(scheme.count).prefix { $0 != "#" }
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        let target = rest.dropFirst(authority.count)
        path = target.isEmpty ? "/" : target.hasPrefix("?") ? "/\(target)" : String(target)
        guard !authority.contains("@") else { throw .invalidURL("user information is not supported: \(url)") }

        let portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .invalidURL("unterminated IPv6 address: \(url)") }
            host = String(authority[authority.index(after: authority.startIndex)..<close])
            let afterHost = authority[authority.index(after: close)...]
            guard afterHost.isEmpty || afterHost.hasPrefix(":") else { throw .invalidURL("invalid authority: \(url)") }
            portText = afterHost.isEmpty ? nil : afterHost.dropFirst()
        } else if let colon = authority.lastIndex(of: ":") {
            host = String(authority[..<colon])
            portText = authority[authority.index(after: colon)...]
        } else {
            host = String(authority)
            portText = nil
        }
        guard !host.isEmpty else { throw .invalidURL("missing host: \(url)") }
        if let portText {
            guard portText.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }),
                  let port = Int(portText), (1...65535).contains(port) else {
                throw .invalidURL("invalid port: \(url)")
            }
            self.port = port
        } else {
            port = 80
        }
    }
}
