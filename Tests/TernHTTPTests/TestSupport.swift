import Dispatch
import Glibc
import Synchronization
import XCTest
@testable import TernHTTP

struct TestSocketError: Error, CustomStringConvertible {
    let description: String
    init(_ what: String) { description = "\(what): \(String(cString: strerror(errno)))" }
}

/// Every blocking test socket gives up after this long, so a bug shows as a
/// failure rather than a hung test run.
let testSocketTimeoutSeconds = 10

private func setReceiveTimeout(_ fd: Int32) {
    var timeout = timeval(tv_sec: testSocketTimeoutSeconds, tv_usec: 0)
    _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
}

private func loopbackAddress(port: Int) -> sockaddr_in {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = UInt32(0x7F00_0001).bigEndian
    return address
}

/// A plain blocking TCP connection to 127.0.0.1, for speaking raw HTTP.
final class RawConnection {
    let fd: Int32
    private var parser: HTTPResponseParser

    /// `responsesTo`: the method of the requests sent (responses to `HEAD`
    /// have no body).
    init(port: Int, responsesTo method: HTTPMethod = .get) throws {
        parser = HTTPResponseParser(requestMethod: method, limits: HTTPLimits(maxBodyBytes: 64 * 1024 * 1024))
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw TestSocketError("socket") }
        setReceiveTimeout(fd)
        var address = loopbackAddress(port: port)
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard status == 0 else {
            Glibc.close(fd)
            throw TestSocketError("connect")
        }
    }

    deinit { Glibc.close(fd) }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw TestSocketError("send") }
            offset += sent
        }
    }

    /// Reads until `count` more complete responses have arrived.
    func readResponses(_ count: Int) throws -> [HTTPResponse] {
        var responses: [HTTPResponse] = []
        while responses.count < count {
            if let received = try parser.next() {
                responses.append(received.response)
                continue
            }
            let bytes = try receiveSome()
            guard !bytes.isEmpty else { throw TestSocketError("connection closed after \(responses.count) responses") }
            parser.append(bytes)
        }
        return responses
    }

    func readResponse() throws -> HTTPResponse {
        try readResponses(1)[0]
    }

    /// Reads raw bytes until `marker` has arrived; returns them all.
    func readUntil(_ marker: String) throws -> String {
        var received: [UInt8] = []
        while !String(decoding: received, as: UTF8.self).contains(marker) {
            let bytes = try receiveSome()
            guard !bytes.isEmpty else { throw TestSocketError("closed before \(marker)") }
            received += bytes
        }
        return String(decoding: received, as: UTF8.self)
    }

    /// Whether the server closes the connection (reads and drops anything
    /// before the end of stream). A reset counts as closed.
    func waitForClose() throws -> Bool {
        for _ in 0..<10_000 where try receiveSome().isEmpty {
            return true
        }
        return false
    }

    private func receiveSome() throws -> [UInt8] {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        if count < 0 {
            if errno == ECONNRESET { return [] }
            throw TestSocketError("recv")
        }
        return Array(buffer[..<count])
    }

    func shutdownWrite() { _ = shutdown(fd, Int32(SHUT_WR)) }
}

/// A scripted server on 127.0.0.1 for client tests: accepts `connections`
/// connections one after another and runs `script` on each.
final class ScriptedServer: Sendable {
    let port: Int
    private let listener: Int32
    private let accepted = Atomic<Int>(0)
    private let done = DispatchGroup()

    var acceptedConnections: Int { accepted.load(ordering: .relaxed) }

    init(connections: Int, script: @escaping @Sendable (ScriptedConnection) throws -> Void) throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue | SOCK_CLOEXEC.rawValue), 0)
        self.listener = listener
        var address = loopbackAddress(port: 0)
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer in
                bind(listener, pointer, length) == 0 && listen(listener, 16) == 0 && getsockname(listener, pointer, &length) == 0
            }
        }
        guard bound else { throw TestSocketError("bind") }
        port = Int(UInt16(bigEndian: address.sin_port))
        done.enter()
        DispatchQueue.global().async { [self] in
            defer { done.leave() }
            for _ in 0..<connections {
                var pollEntry = pollfd(fd: listener, events: Int16(POLLIN), revents: 0)
                guard poll(&pollEntry, 1, Int32(testSocketTimeoutSeconds * 1000)) == 1 else { return }
                let fd = accept(listener, nil, nil)
                guard fd >= 0 else { return }
                accepted.add(1, ordering: .relaxed)
                setReceiveTimeout(fd)
                try? script(ScriptedConnection(fd: fd))
                Glibc.close(fd)
            }
        }
    }

    /// Waits for the script to finish, then closes the listener.
    func finish() {
        _ = done.wait(timeout: .now() + .seconds(testSocketTimeoutSeconds))
        Glibc.close(listener)
    }
}

/// One connection of a `ScriptedServer`.
struct ScriptedConnection {
    let fd: Int32

    /// Reads one request head (and a `Content-Length` body).
    func readRequest() throws -> HTTPRequest {
        var parser = HTTPRequestParser()
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            if case .request(let request)? = try parser.next() { return request }
            let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { throw TestSocketError("request not received") }
            parser.append(buffer[..<count])
        }
    }

    func write(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}

/// A handler from a closure that gets the `respond` callback.
struct ClosureHandler: HTTPHandler {
    let body: @Sendable (HTTPRequest, @escaping @Sendable (HTTPResponse) -> Void) -> Void
    init(_ body: @escaping @Sendable (HTTPRequest, @escaping @Sendable (HTTPResponse) -> Void) -> Void) { self.body = body }
    func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) { body(request, respond) }
}

/// A one-shot gate between threads: `open()` once, `wait()` until then
/// (bounded by the test timeout).
final class Gate: Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    func open() { semaphore.signal() }
    @discardableResult
    func wait() -> Bool { semaphore.wait(timeout: .now() + .seconds(testSocketTimeoutSeconds)) == .success }
}

func bodyText(_ response: HTTPResponse) -> String { String(decoding: response.body, as: UTF8.self) }

/// Echoes method, path, query and body, plus any `X-Echo` trailer.
let echoHandler = SynchronousHTTPHandler(runningOn: .eventLoop) { request in
    var headers: HTTPHeaders = ["X-Method": request.method.rawValue, "X-Path": request.path]
    if let query = request.query { headers["X-Query"] = query }
    if let trailer = request.trailers["X-Echo"] { headers["X-Trailer"] = trailer }
    return HTTPResponse(status: .ok, headers: headers, body: request.body)
}
