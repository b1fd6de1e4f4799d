import Dispatch
import Glibc
import Synchronization
import XCTest
@testable import TernHTTP

final class ServerTests: XCTestCase {
    private func startServer(
        _ handler: some HTTPHandler = echoHandler, configure: (inout HTTPServer.Configuration) -> Void = { _ in }
    ) throws -> HTTPServer {
        var configuration = HTTPServer.Configuration(host: "127.0.0.1", port: 0, eventLoopCount: 2)
        configure(&configuration)
        let server = try HTTPServer(configuration: configuration, handler: handler)
        addTeardownBlock { server.shutdown(gracePeriod: .seconds(1)) }
        return server
    }

    func testClientRoundTrip() throws {
        let server = try startServer()
        XCTAssertNotEqual(server.port, 0)
        let client = HTTPClient()
        let response = try client.send(.post, url: "http://127.0.0.1:\(server.port)/fn/echo?x=1", body: Array("payload".utf8))
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(response.headers["X-Path"], "/fn/echo")
        XCTAssertEqual(response.headers["X-Query"], "x=1")
        XCTAssertEqual(bodyText(response), "payload")
        XCTAssertNotNil(response.headers["Date"])
    }

    func testKeepAliveServesSeveralRequestsOnOneConnection() throws {
        let server = try startServer()
        let connection = try RawConnection(port: server.port)
        for index in 0..<5 {
            try connection.send("GET /r\(index) HTTP/1.1\r\nHost: t\r\n\r\n")
            let response = try connection.readResponse()
            XCTAssertEqual(response.headers["X-Path"], "/r\(index)")
            XCTAssertNil(response.headers["Connection"])
        }
    }

    func testHTTP10KeepAliveAndDefaultClose() throws {
        let server = try startServer()
        let keepAlive = try RawConnection(port: server.port)
        try keepAlive.send("GET /a HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        XCTAssertEqual(try keepAlive.readResponse().headers["Connection"], "keep-alive")
        try keepAlive.send("GET /b HTTP/1.0\r\n\r\n")
        XCTAssertEqual(try keepAlive.readResponse().headers["Connection"], "close")
        XCTAssertTrue(try keepAlive.waitForClose())
    }

    func testPipelinedResponsesKeepRequestOrder() throws {
        // Later requests finish first: each handler waits for the next one's.
        let gates = (0..<3).map { _ in Gate() }
        let handler = ClosureHandler { request, respond in
            let index = Int(request.path.dropFirst()) ?? 0
            DispatchQueue.global().async {
                if index < 2 { gates[index + 1].wait() }
                respond(HTTPResponse(text: "response \(index)"))
                gates[index].open()
            }
        }
        let server = try startServer(handler)
        let connection = try RawConnection(port: server.port)
        try connection.send("GET /0 HTTP/1.1\r\nHost: t\r\n\r\nGET /1 HTTP/1.1\r\nHost: t\r\n\r\nGET /2 HTTP/1.1\r\nHost: t\r\n\r\n")
        let responses = try connection.readResponses(3)
        XCTAssertEqual(responses.map(bodyText), ["response 0", "response 1", "response 2"])
    }

    func testChunkedRequestBodyWithTrailer() throws {
        let server = try startServer()
        let connection = try RawConnection(port: server.port)
        try connection.send("POST /c HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n")
        try connection.send("5\r\npedia\r\n0\r\nX-Echo: trailer-value\r\n\r\n")
        let response = try connection.readResponse()
        XCTAssertEqual(bodyText(response), "Wikipedia")
        XCTAssertEqual(response.headers["X-Trailer"], "trailer-value")
    }

    func testConnectionCloseIsHonoured() throws {
        let server = try startServer()
        let connection = try RawConnection(port: server.port)
        try connection.send("GET /bye HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\nGET /ignored HTTP/1.1\r\nHost: t\r\n\r\n")
        let response = try connection.readResponse()
        XCTAssertEqual(response.headers["X-Path"], "/bye")
        XCTAssertEqual(response.headers["Connection"], "close")
        XCTAssertTrue(try connection.waitForClose())
    }

    func testHandlerCanAskToClose() throws {
        let server = try startServer(SynchronousHTTPHandler(runningOn: .eventLoop) { _ in HTTPResponse(headers: ["Connection": "close"]) })
        let connection = try RawConnection(port: server.port)
        try connection.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(try connection.readResponse().headers["Connection"], "close")
        XCTAssertTrue(try connection.waitForClose())
    }

    func testHeadResponseHasNoBody() throws {
        let server = try startServer(SynchronousHTTPHandler(runningOn: .eventLoop) { _ in HTTPResponse(text: "twelve bytes") })
        let connection = try RawConnection(port: server.port, responsesTo: .head)
        try connection.send("HEAD / HTTP/1.1\r\nHost: t\r\n\r\nHEAD / HTTP/1.1\r\nHost: t\r\n\r\n")
        let responses = try connection.readResponses(2)
        XCTAssertEqual(responses.map { $0.headers["Content-Length"] }, ["12", "12"])
        XCTAssertEqual(responses.map(\.body), [[], []])
    }

    // MARK: Errors

    private func assertRejected(
        _ request: String, with status: HTTPStatus, limits: HTTPLimits = HTTPLimits(), file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let server = try startServer { $0.limits = limits }
        let connection = try RawConnection(port: server.port)
        try connection.send(request)
        let response = try connection.readResponse()
        XCTAssertEqual(response.status, status, file: file, line: line)
        XCTAssertEqual(response.headers["Connection"], "close", file: file, line: line)
        XCTAssertTrue(try connection.waitForClose(), "connection closed after the error", file: file, line: line)
    }

    func testBodyTooLargeIs413() throws {
        let limits = HTTPLimits(maxBodyBytes: 1000)
        try assertRejected("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 1001\r\n\r\n", with: .contentTooLarge, limits: limits)
        let chunk = String(repeating: "x", count: 600)
        try assertRejected(
            "POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n\(chunk)\r\n258\r\n\(chunk)\r\n",
            with: .contentTooLarge, limits: limits)
    }

    func testOversizedBodyStillGets413WhileClientKeepsSending() throws {
        let server = try startServer { $0.limits = HTTPLimits(maxBodyBytes: 1000) }
        let connection = try RawConnection(port: server.port)
        try connection.send("POST / HTTP/1.1\r\nHost: t\r\nContent-Length: 300000\r\n\r\n")
        // The server answers at the head and lingers, draining the rest.
        try connection.send([UInt8](repeating: 0x61, count: 300_000))
        XCTAssertEqual(try connection.readResponse().status, .contentTooLarge)
        XCTAssertTrue(try connection.waitForClose())
    }

    func testHeaderTooLargeIs431() throws {
        let big = String(repeating: "h", count: 2000)
        try assertRejected("GET / HTTP/1.1\r\nHost: t\r\nX-Big: \(big)\r\n\r\n", with: .requestHeaderFieldsTooLarge, limits: HTTPLimits(maxHeaderBytes: 1024))
    }

    func testMalformedIs400() throws {
        try assertRejected("NOT HTTP AT ALL\r\n\r\n", with: .badRequest)
        try assertRejected("GET / HTTP/1.1\r\nHost: t\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n", with: .badRequest)
        try assertRejected("GET / HTTP/1.1\r\n\r\n", with: .badRequest)
    }

    func testUnsupportedTransferCodingIs501() throws {
        try assertRejected("POST / HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", with: .notImplemented)
    }

    func testErrorAfterGoodPipelinedRequestKeepsOrder() throws {
        let server = try startServer()
        let connection = try RawConnection(port: server.port)
        try connection.send("GET /good HTTP/1.1\r\nHost: t\r\n\r\nBAD\r\n\r\n")
        let responses = try connection.readResponses(2)
        XCTAssertEqual(responses.map(\.status), [.ok, .badRequest])
        XCTAssertTrue(try connection.waitForClose())
    }

    func testExpectContinue() throws {
        let server = try startServer()
        let connection = try RawConnection(port: server.port)
        try connection.send("PUT /up HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
        XCTAssertTrue(try connection.readUntil("\r\n\r\n").hasPrefix("HTTP/1.1 100 Continue\r\n\r\n"))
        try connection.send("data")
        XCTAssertEqual(bodyText(try connection.readResponse()), "data")
    }

    func testInvalidHandlerResponseBecomes500() throws {
        let server = try startServer(SynchronousHTTPHandler(runningOn: .eventLoop) { _ in HTTPResponse(headers: ["X": "a\r\nInjected: yes"]) })
        let response = try HTTPClient().send(url: "http://127.0.0.1:\(server.port)/")
        XCTAssertEqual(response.status, .internalServerError)
        XCTAssertNil(response.headers["Injected"])
    }

    func testHandlerThatDropsRespondGets500() throws {
        let server = try startServer(ClosureHandler { _, _ in })
        XCTAssertEqual(try HTTPClient().send(url: "http://127.0.0.1:\(server.port)/").status, .internalServerError)
    }

    func testThrowingSynchronousHandlerGets500() throws {
        struct Failure: Error {}
        let server = try startServer(SynchronousHTTPHandler(runningOn: .dispatchQueue(.global())) { _ in throw Failure() })
        XCTAssertEqual(try HTTPClient().send(url: "http://127.0.0.1:\(server.port)/").status, .internalServerError)
    }

    func testSecondRespondIsIgnored() throws {
        let server = try startServer(ClosureHandler { _, respond in
            respond(HTTPResponse(text: "first"))
            respond(HTTPResponse(text: "second"))
        })
        let connection = try RawConnection(port: server.port)
        try connection.send("GET /1 HTTP/1.1\r\nHost: t\r\n\r\nGET /2 HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(try connection.readResponses(2).map(bodyText), ["first", "first"])
    }

    // MARK: Concurrency

    /// With a single loop, a request whose handler is still working must not
    /// keep another connection from being served.
    func testSlowHandlerDoesNotBlockTheLoop() throws {
        let release = Gate()
        let handler = ClosureHandler { request, respond in
            guard request.path == "/slow" else { return respond(HTTPResponse(text: "fast")) }
            DispatchQueue.global().async {
                release.wait()
                respond(HTTPResponse(text: "slow"))
            }
        }
        let server = try startServer(handler) { $0.eventLoopCount = 1 }
        let slow = try RawConnection(port: server.port)
        try slow.send("GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        for _ in 0..<3 {
            XCTAssertEqual(bodyText(try HTTPClient().send(url: "http://127.0.0.1:\(server.port)/fast")), "fast")
        }
        release.open()
        XCTAssertEqual(bodyText(try slow.readResponse()), "slow")
    }

    func testManyConcurrentConnections() throws {
        let server = try startServer(SynchronousHTTPHandler(runningOn: .dispatchQueue(.global())) { request in
            HTTPResponse(text: request.path)
        })
        let connections = try (0..<200).map { _ in try RawConnection(port: server.port) }
        for (index, connection) in connections.enumerated() {
            try connection.send("GET /c\(index) HTTP/1.1\r\nHost: t\r\n\r\n")
        }
        for (index, connection) in connections.enumerated() {
            XCTAssertEqual(bodyText(try connection.readResponse()), "/c\(index)")
        }
    }

    func testConcurrentClientsFromManyThreads() throws {
        let server = try startServer()
        let client = HTTPClient()
        let failures = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 8) { thread in
            for request in 0..<25 {
                let body = Array("t\(thread)r\(request)".utf8)
                let response = try? client.send(.post, url: "http://127.0.0.1:\(server.port)/", body: body)
                if response?.body != body { failures.add(1, ordering: .relaxed) }
            }
        }
        XCTAssertEqual(failures.load(ordering: .relaxed), 0)
    }

    /// Larger than socket buffers, so writes must wait for EPOLLOUT.
    func testLargeBodiesBothWays() throws {
        let server = try startServer { $0.limits = HTTPLimits(maxBodyBytes: 32 * 1024 * 1024) }
        var generator = SplitMix64(seed: 42)
        let body = (0..<(12 * 1024 * 1024)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        let response = try HTTPClient().send(.post, url: "http://127.0.0.1:\(server.port)/big", body: body)
        XCTAssertEqual(response.body.count, body.count)
        XCTAssertTrue(response.body == body)
    }

    func testSlowReaderGetsWholeResponse() throws {
        let size = 8 * 1024 * 1024
        let server = try startServer(SynchronousHTTPHandler(runningOn: .eventLoop) { _ in
            HTTPResponse(body: [UInt8](repeating: 7, count: size))
        })
        let connection = try RawConnection(port: server.port)
        try connection.send("GET / HTTP/1.1\r\nHost: t\r\n\r\nGET / HTTP/1.1\r\nHost: t\r\n\r\n")
        let responses = try connection.readResponses(2)
        XCTAssertEqual(responses.map(\.body.count), [size, size])
    }

    // MARK: Lifecycle

    func testIdleConnectionsAreClosed() throws {
        let server = try startServer { $0.idleTimeout = .milliseconds(200) }
        let idle = try RawConnection(port: server.port)
        try idle.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(try idle.readResponse().status, .ok)
        XCTAssertTrue(try idle.waitForClose())
        let silent = try RawConnection(port: server.port)
        XCTAssertTrue(try silent.waitForClose())
    }

    func testGracefulShutdown() throws {
        let entered = Gate()
        let release = Gate()
        let handler = ClosureHandler { request, respond in
            guard request.path == "/inflight" else { return respond(HTTPResponse(text: "quick")) }
            entered.open()
            DispatchQueue.global().async {
                release.wait()
                respond(HTTPResponse(text: "finished"))
            }
        }
        let server = try HTTPServer(configuration: .init(port: 0, eventLoopCount: 2), handler: handler)
        let port = server.port
        let idle = try RawConnection(port: port)
        try idle.send("GET /warmup HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertEqual(bodyText(try idle.readResponse()), "quick")
        let busy = try RawConnection(port: port)
        try busy.send("GET /inflight HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertTrue(entered.wait())

        let stopped = Gate()
        DispatchQueue.global().async {
            server.shutdown()
            stopped.open()
        }
        XCTAssertTrue(try idle.waitForClose(), "idle connection is closed at once")
        release.open()
        let response = try busy.readResponse()
        XCTAssertEqual(bodyText(response), "finished")
        XCTAssertEqual(response.headers["Connection"], "close")
        XCTAssertTrue(try busy.waitForClose())
        XCTAssertTrue(stopped.wait(), "shutdown returns once in-flight work is done")
        XCTAssertThrowsError(try RawConnection(port: port), "no longer listening")
        server.shutdown()
    }

    func testShutdownGracePeriodBoundsAHangingHandler() throws {
        let entered = Gate()
        let server = try HTTPServer(configuration: .init(port: 0, eventLoopCount: 1), handler: ClosureHandler { _, respond in
            entered.open()
            DispatchQueue.global().asyncAfter(deadline: .now() + .seconds(20)) { respond(HTTPResponse()) }
        })
        let connection = try RawConnection(port: server.port)
        try connection.send("GET / HTTP/1.1\r\nHost: t\r\n\r\n")
        XCTAssertTrue(entered.wait())
        server.shutdown(gracePeriod: .milliseconds(100))
        XCTAssertTrue(try connection.waitForClose())
    }

    func testBindingAPortInUseFails() throws {
        let server = try startServer()
        XCTAssertThrowsError(try HTTPServer(configuration: .init(port: server.port), handler: echoHandler)) { error in
            guard case .system(let systemError) = error as? HTTPServerError else { return XCTFail("\(error)") }
            XCTAssertEqual(systemError.code, EADDRINUSE)
        }
    }

    func testInvalidConfigurationIsRejected() {
        XCTAssertThrowsError(try HTTPServer(configuration: .init(port: 70000), handler: echoHandler))
        XCTAssertThrowsError(try HTTPServer(configuration: .init(eventLoopCount: 0), handler: echoHandler))
        XCTAssertThrowsError(try HTTPServer(configuration: .init(maxPipelinedRequests: 0), handler: echoHandler))
    }
}
