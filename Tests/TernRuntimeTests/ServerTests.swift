import Dispatch
import Synchronization
import TernHTTP
import XCTest
@testable import TernRuntime

/// End to end through HTTP: `TernServer` in this process on ephemeral
/// ports, with the example functions.
final class ServerTests: XCTestCase {
    private var server: InProcessServer!

    override func setUpWithError() throws {
        server = try InProcessServer()
    }

    override func tearDown() {
        server = nil
    }

    func testTheLayottoDemoAnswersByHeaderAndByPath() throws {
        let byHeader = try server.call("id_1", "/?name=book1")
        XCTAssertEqual(byHeader.status, .ok)
        XCTAssertEqual(byHeader.text, "There are 100 inventories for book1.")
        let byPath = try server.function(.get, "/functions/id_1?name=book1")
        XCTAssertEqual(byPath.text, "There are 100 inventories for book1.")
        XCTAssertEqual(try server.call("id_2", method: .post, body: "book1").text, "100")
    }

    func testUnknownFunctionsAndMissingRoutesAre404WithAJSONError() throws {
        let unknown = try server.call("nope")
        XCTAssertEqual(unknown.status, .notFound)
        XCTAssertEqual(unknown.headers["Content-Type"], "application/json")
        XCTAssertEqual(try unknown.json()["error"], "unknown function 'nope'")
        XCTAssertEqual(try unknown.json()["kind"], "unknown_function")
        let unrouted = try server.function(.get, "/elsewhere")
        XCTAssertEqual(unrouted.status, .notFound)
        XCTAssertEqual(try unrouted.json()["kind"], "no_route")
        XCTAssertEqual(try server.function(.get, "/functions/").status, .notFound)
    }

    func testPathRoutingPassesTheRestOfThePath() throws {
        try server.deploy("echo", .echo)
        let response = try server.function(.post, "/functions/echo/a/b?c=d", body: Array("body".utf8))
        XCTAssertEqual(response.headers["x-echo-path"], "/a/b?c=d")
        XCTAssertEqual(response.headers["x-echo-method"], "POST")
        XCTAssertEqual(response.text, "body")
        XCTAssertEqual(try server.call("echo", "/x").headers["x-echo-path"], "/x")
    }

    func testLocalResponsesKeepTheirStatusAndHeaders() throws {
        try server.deploy("local_response", .local_response)
        let teapot = try server.call("local_response", "/?status=418")
        XCTAssertEqual(teapot.status.code, 418)
        XCTAssertEqual(teapot.headers["content-type"], "text/plain")
        XCTAssertEqual(teapot.headers["x-tern-example"], "local_response")
        XCTAssertEqual(teapot.text, "made locally\n")
        XCTAssertEqual(try server.call("local_response").status, .created)
        let refused = try server.call("local_response", "/?status=0")
        XCTAssertEqual(refused.status, .ok)
        XCTAssertEqual(refused.text, "send_local_response refused the status\n")
    }

    func testHeaderMapsOfRequestsAndResponses() throws {
        try server.deploy("header_maps", .header_maps)
        let response = try server.call("header_maps", "/p",
                                       headers: ["X-Input": "hello", "x-replace": "old", "x-remove": "gone"])
        XCTAssertEqual(response.headers["x-echo"], "hello")
        XCTAssertEqual(response.headers.values(for: "x-multi"), ["a", "b"])
        XCTAssertEqual(response.headers["x-single"], "one")
        XCTAssertFalse(response.headers.contains("x-gone"))
        let lines = response.text.split(separator: "\n").map(String.init)
        XCTAssertTrue(lines.contains(":path: /p"), response.text)
        XCTAssertTrue(lines.contains("x-input: hello") || lines.contains("X-Input: hello"), response.text)
        XCTAssertTrue(lines.contains("x-added: 1"), response.text)
        XCTAssertTrue(lines.contains("x-replace: new"), response.text)
        XCTAssertFalse(response.text.contains("x-remove"), response.text)
        // proxy_get_header_map_size counts the serialized map's bytes.
        XCTAssertEqual(lines.first?.hasPrefix("size="), true, response.text)
    }

    func testChunkedRequestsWithTrailers() throws {
        try server.deploy("echo", .echo)
        try server.deploy("header_maps", .header_maps)
        let echoed = try server.exchangeRaw(
            "POST /functions/echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "4\r\nWiki\r\n5\r\npedia\r\n0\r\n\r\n")
        XCTAssertTrue(echoed.hasPrefix("HTTP/1.1 200 OK\r\n"), echoed)
        XCTAssertTrue(echoed.hasSuffix("\r\n\r\nWikipedia"), echoed)
        let trailed = try server.exchangeRaw(
            "POST /functions/header_maps HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                + "3\r\nabc\r\n0\r\nx-checksum: 900150983cd2\r\n\r\n")
        XCTAssertTrue(trailed.lowercased().contains("x-trailer-seen: 900150983cd2\r\n"), trailed)
    }

    func testPipelinedRequestsAreAnsweredInOrder() throws {
        try server.deploy("echo", .echo)
        let requests = ["one", "two", "three"].enumerated().map { index, body in
            "POST /functions/echo/\(body) HTTP/1.1\r\nHost: t\r\nContent-Length: \(body.utf8.count)\r\n"
                + (index == 2 ? "Connection: close\r\n" : "") + "\r\n" + body
        }
        let answers = try server.exchangeRaw(requests.joined())
        let statusLines = answers.components(separatedBy: "HTTP/1.1 200 OK").count - 1
        XCTAssertEqual(statusLines, 3, answers)
        let positions = ["one", "two", "three"].map { answers.range(of: "\r\n\r\n" + $0)?.lowerBound }
        XCTAssertFalse(positions.contains(nil), answers)
        XCTAssertEqual(positions.compactMap { $0 }, positions.compactMap { $0 }.sorted(), answers)
    }

    func testSharedDataCompareAndSwapLosesNoUpdate() throws {
        try server.deploy("shared_data", .shared_data, query: "instances=4")
        XCTAssertEqual(try server.call("shared_data").text, "count=1 stale=8")
        XCTAssertEqual(try server.call("shared_data").text, "count=2 stale=8")
        let counts = Mutex<[Int]>([])
        let server = self.server!
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            for _ in 0..<10 {
                let text = (try? server.call("shared_data").text) ?? ""
                let count = Int(text.split(separator: " ").first?.dropFirst("count=".count) ?? "") ?? -1
                counts.withLock { $0.append(count) }
            }
        }
        XCTAssertEqual(counts.withLock { $0.sorted() }, Array(3...42))
    }

    func testSharedQueuesAndQueueReadyNotifications() throws {
        try server.deploy("shared_queue", .shared_queue)
        XCTAssertEqual(try server.call("shared_queue", "/?op=dequeue").text, "empty")
        XCTAssertEqual(try server.call("shared_queue", "/?op=resolve_missing").text, "status=1")
        XCTAssertEqual(try server.call("shared_queue", "/?op=enqueue&item=job1").text, "enqueued")
        // The enqueue makes Tern run proxy_on_queue_ready on an instance,
        // which takes the item and records it in shared data.
        var delivered: [UInt8]?
        for _ in 0..<600 where delivered == nil {
            delivered = server.runtime.services.sharedData.get(key: "shared_queue.last_ready")?.value
            if delivered == nil { usleep(10_000) }
        }
        XCTAssertEqual(delivered, Array("job1".utf8))
        XCTAssertEqual(try server.call("shared_queue", "/?op=dequeue").text, "empty")
    }

    func testMetricsHostCallsAndTheAdminView() throws {
        try server.deploy("metrics", .metrics)
        XCTAssertEqual(try server.call("metrics").text, "requests=1 gauge=3 negative=2 histogram=2")
        XCTAssertEqual(try server.call("metrics").text, "requests=2 gauge=6 negative=2 histogram=2")
        let listed = try server.admin(.get, "/v1/metrics").json()
        guard case .array(let metrics)? = listed["metrics"] else { return XCTFail("no metrics list") }
        let requests = metrics.first { $0["name"] == "requests" }
        XCTAssertEqual(requests?["function"], "metrics")
        XCTAssertEqual(requests?["type"], "counter")
        XCTAssertEqual(requests?["value"], 2)
        XCTAssertEqual(metrics.first { $0["name"] == "latency" }?["count"], 2)
    }

    func testHTTPCallsToAnotherFunction() throws {
        try server.deploy("echo", .echo)
        try server.deploy("http_call", .http_call)
        let response = try server.call("http_call", "/?to=echo")
        XCTAssertEqual(response.status, .ok)
        XCTAssertEqual(response.text, "status=200 path=/echo?from=http_call body=ping")
        let unknown = try server.call("http_call", "/?to=nowhere")
        XCTAssertEqual(unknown.status, .badGateway)
        XCTAssertEqual(unknown.text, "dispatch failed: 2")
    }

    func testHTTPCallsToAnAllowListedUpstream() throws {
        let upstream = try HTTPServer(
            configuration: .init(host: "127.0.0.1", port: 0),
            handler: SynchronousHTTPHandler(runningOn: .eventLoop) { request in
                HTTPResponse(status: .accepted, headers: ["x-echo-path": request.target], body: request.body)
            })
        defer { upstream.shutdown(gracePeriod: .zero) }
        let server = try InProcessServer(upstreams: ["outside": ListenAddress(host: "127.0.0.1", port: upstream.port)])
        try server.deploy("http_call", .http_call)
        XCTAssertEqual(try server.call("http_call", "/?to=outside").text, "status=202 path=/echo?from=http_call body=ping")
    }

    func testInvocationChainsAndTheirDepthLimit() throws {
        // One instance and no queue: every nested call needs an instance
        // beyond the pool, which a waiting pool would deadlock on.
        try server.deploy("chain", .invoke_chain, query: "instances=1&queue=0")
        let chain = try server.call("chain", method: .post, body: "n=4")
        XCTAssertEqual(chain.status, .ok)
        XCTAssertEqual(chain.text, "chain(4) <- chain(3) <- chain(2) <- chain(1) <- end")
        let cycle = try server.call("chain", method: .post, body: "cycle")
        XCTAssertEqual(cycle.status.code, 508)
        XCTAssertEqual(cycle.status.reasonPhrase, "Loop Detected")
        XCTAssertEqual(try cycle.json()["kind"], "invocation_depth_exceeded")
        XCTAssertEqual(try cycle.json()["error"], .string("function 'chain' failed: invocation depth limit of 8 exceeded: "
                                                          + "functions invoke each other in a cycle or too deep a chain"))
        XCTAssertEqual(try server.call("chain", method: .post, body: "n=1").text, "chain(1) <- end")
    }

    func testATrapIs500WhileAnotherFunctionKeepsAnswering() throws {
        try server.deploy("trap", .trap)
        try server.deploy("echo", .echo)
        let server = self.server!
        let trapStatuses = Mutex<[Int]>([]), echoBodies = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { lane in
            for index in 0..<20 {
                if lane == 0 {
                    let status = (try? server.call("trap"))?.status.code ?? 0
                    trapStatuses.withLock { $0.append(status) }
                } else {
                    let body = (try? server.call("echo", method: .post, body: "n\(index)"))?.text ?? "failed"
                    echoBodies.withLock { $0.append(body) }
                }
            }
        }
        XCTAssertEqual(trapStatuses.withLock { $0 }, Array(repeating: 500, count: 20))
        XCTAssertEqual(echoBodies.withLock { $0 }, (0..<20).map { "n\($0)" })
        let trapped = try server.call("trap").json()
        XCTAssertEqual(trapped["kind"], "trap")
        XCTAssertEqual(trapped["trap"], "unreachable")
        guard case .array(let backtrace)? = trapped["backtrace"], case .string(let innermost)? = backtrace.first else {
            return XCTFail("no backtrace in \(trapped)")
        }
        XCTAssertTrue(innermost.hasPrefix("proxy_on_request_headers"), innermost)
        let status = try server.admin(.get, "/v1/functions/trap").json()
        XCTAssertEqual(status["stats"]?["failures"], 21)
        XCTAssertEqual(status["instances"]?["live"], 0, "trapped instances are discarded")
    }

    func testADeadlineIs504AndOnlyCostsThatInstance() throws {
        try server.deploy("loop", .infinite_loop, query: "timeout=200ms")
        try server.deploy("echo", .echo)
        let looping = DispatchSemaphore(value: 0)
        let loopResult = Outcome<HTTPResponse>()
        let server = self.server!
        DispatchQueue.global().async {
            if let response = try? server.call("loop") { loopResult.set(response) }
            looping.signal()
        }
        XCTAssertEqual(try server.call("echo", method: .post, body: "still here").text, "still here")
        XCTAssertTrue(looping.waitBounded())
        XCTAssertEqual(loopResult.value?.status, .gatewayTimeout)
        XCTAssertEqual(try loopResult.value?.json()["kind"], "deadline_exceeded")
        XCTAssertEqual(try server.call("loop").status, .gatewayTimeout, "a new instance replaces the discarded one")
    }

    func testTicksReachIdleInstances() throws {
        try server.deploy("ticker", .ticker, query: "instances=1")
        var answer = ""
        for _ in 0..<600 {
            answer = try server.call("ticker").text
            if answer != "ticks=0" { break }
            usleep(10_000)
        }
        XCTAssertTrue(answer.hasPrefix("ticks="), answer)
        XCTAssertNotEqual(answer, "ticks=0", "proxy_on_tick never ran")
    }

    func testPluginConfigurationAndProperties() throws {
        try server.deploy("properties", .properties, query: "plugin_config=hello%20there")
        let lines = Set(try server.call("properties", "/a/b?q=1", headers: ["x-prop": "v"]).text.split(separator: "\n"))
        for expected in ["plugin_config=hello there", "function_id=properties", "path=/a/b?q=1", "url_path=/a/b",
                         "method=GET", "query=q=1", "header=v", "custom=set by guest", "time=ok"] {
            XCTAssertTrue(lines.contains(Substring(expected)), "\(expected) in \(lines.sorted())")
        }
    }

    func testAFunctionThatCannotRunIsNot200() throws {
        try server.deploy("loop", .infinite_loop, query: "fuel=100000")
        let response = try server.call("loop")
        XCTAssertEqual(response.status, .internalServerError)
        XCTAssertEqual(try response.json()["trap"], "fuel exhausted")
    }
}
