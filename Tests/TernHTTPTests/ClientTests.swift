import Glibc
import XCTest
@testable import TernHTTP

final class ClientTests: XCTestCase {
    private func url(_ server: ScriptedServer, _ path: String = "/") -> String { "http://127.0.0.1:\(server.port)\(path)" }

    func testRequestIsWellFormed() throws {
        let server = try ScriptedServer(connections: 1) { connection in
            let request = try connection.readRequest()
            let summary = "\(request.method) \(request.target) host=\(request.headers["Host"] ?? "-") x=\(request.headers["X-A"] ?? "-") body=\(String(decoding: request.body, as: UTF8.self))"
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: \(summary.utf8.count)\r\n\r\n\(summary)")
        }
        defer { server.finish() }
        let response = try HTTPClient().send(.put, url: url(server, "/p?q=1#fragment"), headers: ["X-A": "b"], body: Array("data".utf8))
        XCTAssertEqual(bodyText(response), "PUT /p?q=1 host=127.0.0.1:\(server.port) x=b body=data")
    }

    func testChunkedResponse() throws {
        let server = try ScriptedServer(connections: 1) { connection in
            _ = try connection.readRequest()
            connection.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n")
            connection.write("6\r\n world\r\n0\r\nTrailer: t\r\n\r\n")
        }
        defer { server.finish() }
        XCTAssertEqual(bodyText(try HTTPClient().send(url: url(server))), "hello world")
    }

    func testResponseEndingAtClose() throws {
        let server = try ScriptedServer(connections: 1) { connection in
            _ = try connection.readRequest()
            connection.write("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nall of ")
            connection.write("this")
        }
        defer { server.finish() }
        XCTAssertEqual(bodyText(try HTTPClient().send(url: url(server))), "all of this")
    }

    func testInterimResponseIsSkipped() throws {
        let server = try ScriptedServer(connections: 1) { connection in
            _ = try connection.readRequest()
            connection.write("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
        }
        defer { server.finish() }
        XCTAssertEqual(try HTTPClient().send(.post, url: url(server)).status, .accepted)
    }

    func testKeepAliveReusesOneConnection() throws {
        let server = try ScriptedServer(connections: 1) { connection in
            for index in 0..<3 {
                _ = try connection.readRequest()
                connection.write("HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\n\(index)")
            }
        }
        defer { server.finish() }
        let client = HTTPClient()
        XCTAssertEqual(try (0..<3).map { _ in bodyText(try client.send(url: url(server))) }, ["0", "1", "2"])
        XCTAssertEqual(server.acceptedConnections, 1)
    }

    func testConnectionClosedByServerIsNotReused() throws {
        let server = try ScriptedServer(connections: 2) { connection in
            _ = try connection.readRequest()
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            // Then the script closes the connection, as an idle timeout would.
        }
        defer { server.finish() }
        let client = HTTPClient()
        XCTAssertEqual(bodyText(try client.send(url: url(server))), "ok")
        XCTAssertEqual(bodyText(try client.send(url: url(server))), "ok")
        XCTAssertEqual(server.acceptedConnections, 2)
    }

    /// The server closes a pooled connection just as the next request
    /// arrives on it (the idle-timeout race): the client retries once on a
    /// new connection.
    func testRequestIsRetriedWhenPooledConnectionDiesUnanswered() throws {
        let server = try ScriptedServer(connections: 2) { connection in
            _ = try connection.readRequest()
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nfirst")
            _ = try connection.readRequest()
        }
        defer { server.finish() }
        let client = HTTPClient()
        XCTAssertEqual(bodyText(try client.send(url: url(server))), "first")
        XCTAssertEqual(bodyText(try client.send(url: url(server))), "first")
        XCTAssertEqual(server.acceptedConnections, 2)
    }

    func testReuseCanBeTurnedOff() throws {
        let server = try ScriptedServer(connections: 2) { connection in
            let request = try connection.readRequest()
            let connectionHeader = request.headers["Connection"] ?? "-"
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: \(connectionHeader.utf8.count)\r\n\r\n\(connectionHeader)")
        }
        defer { server.finish() }
        let client = HTTPClient(configuration: .init(reusesConnections: false))
        XCTAssertEqual(bodyText(try client.send(url: url(server))), "close")
        XCTAssertEqual(bodyText(try client.send(url: url(server))), "close")
    }

    func testTruncatedResponse() throws {
        let server = try ScriptedServer(connections: 1) { connection in
            _ = try connection.readRequest()
            connection.write("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")
        }
        defer { server.finish() }
        XCTAssertThrowsError(try HTTPClient().send(url: url(server))) { XCTAssertEqual($0 as? HTTPClientError, .connectionClosed) }
    }

    func testServerClosingWithoutAnswer() throws {
        let server = try ScriptedServer(connections: 1) { connection in _ = try connection.readRequest() }
        defer { server.finish() }
        XCTAssertThrowsError(try HTTPClient().send(url: url(server))) { XCTAssertEqual($0 as? HTTPClientError, .connectionClosed) }
    }

    func testMalformedResponse() throws {
        let server = try ScriptedServer(connections: 1) { connection in
            _ = try connection.readRequest()
            connection.write("SSH-2.0-OpenSSH\r\n\r\n")
        }
        defer { server.finish() }
        XCTAssertThrowsError(try HTTPClient().send(url: url(server))) { error in
            guard case .malformedResponse = error as? HTTPClientError else { return XCTFail("\(error)") }
        }
    }

    func testTimeout() throws {
        let gate = Gate()
        let server = try ScriptedServer(connections: 1) { connection in
            _ = try connection.readRequest()
            gate.wait()
        }
        defer {
            gate.open()
            server.finish()
        }
        XCTAssertThrowsError(try HTTPClient().send(url: url(server), timeout: .milliseconds(200))) {
            XCTAssertEqual($0 as? HTTPClientError, .timedOut)
        }
    }

    func testConnectionRefused() throws {
        // A port that was just free: bind a server, note its port, stop it.
        let server = try HTTPServer(configuration: .init(eventLoopCount: 1), handler: echoHandler)
        let port = server.port
        server.shutdown()
        XCTAssertThrowsError(try HTTPClient().send(host: "127.0.0.1", port: port, path: "/")) { error in
            guard case .connectionFailed(_, _, let systemError) = error as? HTTPClientError else { return XCTFail("\(error)") }
            XCTAssertEqual(systemError.code, ECONNREFUSED)
        }
    }

    func testInvalidRequestsFailBeforeConnecting() {
        XCTAssertThrowsError(try HTTPClient().send(url: "https://example.com/")) { error in
            guard case .invalidURL = error as? HTTPClientError else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try HTTPClient().send(host: "127.0.0.1", port: 1, path: "/has space")) { error in
            guard case .invalidRequest = error as? HTTPClientError else { return XCTFail("\(error)") }
        }
    }

    func testAgainstTernServerOverIPv6LoopbackWhenAvailable() throws {
        let server: HTTPServer
        do {
            server = try HTTPServer(configuration: .init(host: "::1", eventLoopCount: 1), handler: echoHandler)
        } catch {
            throw XCTSkip("no IPv6 loopback: \(error)")
        }
        defer { server.shutdown() }
        let response = try HTTPClient().send(.post, url: "http://[::1]:\(server.port)/six", body: [6])
        XCTAssertEqual(response.headers["X-Path"], "/six")
        XCTAssertEqual(response.body, [6])
    }
}
