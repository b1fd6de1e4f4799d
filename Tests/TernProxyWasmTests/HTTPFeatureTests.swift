import Synchronization
import TernProxyWasm
import XCTest

/// Local responses, header maps, HTTP calls, properties, and hostile
/// arguments, through the example functions.
final class HTTPFeatureTests: XCTestCase {
    func testLocalResponseSetsStatusHeadersAndBody() throws {
        let router = FunctionRouter()
        try router.install("local_response")
        let created = try router.handle("local_response")
        XCTAssertEqual(created.status, 201)
        XCTAssertEqual(created.header("content-type"), ["text/plain"])
        XCTAssertEqual(created.header("x-tern-example"), ["local_response"])
        XCTAssertEqual(created.text, "made locally\n")

        XCTAssertEqual(try router.handle("local_response", FunctionRequest(query: "status=404")).status, 404)
    }

    func testLocalResponseRefusesAnInvalidStatus() throws {
        let router = FunctionRouter()
        try router.install("local_response")
        let response = try router.handle("local_response", FunctionRequest(query: "status=42"))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.text, "send_local_response refused the status\n")
    }

    func testClosingTheStreamLeavesNoResponse() throws {
        let router = FunctionRouter()
        try router.install("local_response")
        XCTAssertThrowsError(try router.handle("local_response", FunctionRequest(query: "close=1"))) { error in
            XCTAssertEqual(error as? ProxyWasmError, .streamClosed)
        }
        XCTAssertEqual(router.idleCount("local_response"), 1, "the instance stays usable")
        XCTAssertEqual(try router.handle("local_response").status, 201)
    }

    func testHeaderMaps() throws {
        let router = FunctionRouter()
        try router.install("header_maps")
        let request = FunctionRequest(method: "PUT", path: "/h", query: "q=1",
                                      headers: [("X-Input", "hello"), ("x-replace", "old"), ("x-remove", "bye"),
                                                ("Host", "example")],
                                      body: Array("payload".utf8), trailers: [("x-checksum", "abc")])
        let response = try router.handle("header_maps", request)

        let expectedRequestHeaders = [(":method", "PUT"), (":path", "/h?q=1"), (":authority", "example"),
                                      ("X-Input", "hello"), ("x-replace", "new"), ("Host", "example"),
                                      ("x-added", "1")]
        let size = expectedRequestHeaders.reduce(4) { $0 + 10 + $1.0.utf8.count + $1.1.utf8.count }
        let expectedBody = "size=\(size)\n" + expectedRequestHeaders.map { "\($0.0): \($0.1)\n" }.joined()
        XCTAssertEqual(response.text, expectedBody)

        XCTAssertEqual(response.header("x-echo"), ["hello"])
        XCTAssertEqual(response.header("x-multi"), ["a", "b"])
        XCTAssertEqual(response.header("x-single"), ["one"])
        XCTAssertEqual(response.header("x-gone"), [])
        XCTAssertEqual(response.header("x-trailer-seen"), ["abc"])
        XCTAssertEqual(response.trailers.map { "\($0.0)=\($0.1)" }, ["x-response-trailer=done"])
    }

    func testHTTPCallToAnotherFunction() throws {
        let router = FunctionRouter()
        try router.install("http_call")
        try router.install("echo")
        let response = try router.handle("http_call")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.text, "status=200 path=/echo?from=http_call body=ping")
    }

    func testHTTPCallToAnUnknownUpstreamIsRefused() throws {
        let router = FunctionRouter()
        try router.install("http_call")
        let response = try router.handle("http_call", FunctionRequest(query: "to=nowhere"))
        XCTAssertEqual(response.status, 502)
        XCTAssertEqual(response.text, "dispatch failed: \(ProxyStatus.badArgument.rawValue)")
    }

    func testAFailedHTTPCallIsAnsweredWithoutHeaders() throws {
        let router = FunctionRouter()
        try router.install("http_call")
        try router.install("trap")
        let response = try router.handle("http_call", FunctionRequest(query: "to=trap"))
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.text, "failed")
        XCTAssertEqual(router.idleCount("http_call"), 1, "the caller stays usable")
    }

    func testHTTPCallToAnAllowListedUpstream() throws {
        let upstream = RecordingUpstream(allowed: "external",
                                         response: FunctionResponse(status: 203, headers: [("x-echo-path", "/ext")],
                                                                    body: Array("pong".utf8)))
        let router = FunctionRouter(upstreams: upstream)
        try router.install("http_call")
        let response = try router.handle("http_call", FunctionRequest(query: "to=external"))
        XCTAssertEqual(response.text, "status=203 path=/ext body=pong")

        let sent = try XCTUnwrap(upstream.requests.first)
        XCTAssertEqual(sent.method, "POST")
        XCTAssertEqual(sent.path, "/echo")
        XCTAssertEqual(sent.query, "from=http_call")
        XCTAssertEqual(sent.headers.map { "\($0.0)=\($0.1)" }, ["host=functions", "x-echo-input=from-http-call"])
        XCTAssertEqual(sent.body, Array("ping".utf8))
    }

    func testPropertiesConfigurationAndLogging() throws {
        let router = FunctionRouter()
        XCTAssertEqual(try router.install("properties", pluginConfiguration: Array("cfg".utf8)), "properties")
        let request = FunctionRequest(method: "POST", path: "/props", query: "a=1", headers: [("x-prop", "v")])
        let response = try router.handle("properties", request)
        XCTAssertEqual(response.text, """
            path=/props?a=1
            url_path=/props
            method=POST
            query=a=1
            header=v
            function_id=properties
            plugin_name=properties
            custom=set by guest
            missing=status 1
            plugin_config=cfg
            time=ok
            log_level=0

            """)
        XCTAssertTrue(router.logger.contains("properties", .warn, "properties: proxy_log"))
        XCTAssertTrue(router.logger.contains("properties", .info, "properties: stdout"), "WASI stdout is logged")
    }

    func testInvalidArgumentsGetStatusesNotCrashes() throws {
        let router = FunctionRouter()
        try router.install("bad_pointers")
        let response = try router.handle("bad_pointers", FunctionRequest(body: Array("body".utf8)))
        let invalidMemory = ProxyStatus.invalidMemoryAccess.rawValue, badArgument = ProxyStatus.badArgument.rawValue
        XCTAssertEqual(response.text, """
            log_message=\(invalidMemory)
            log_size=\(invalidMemory)
            log_level=\(badArgument)
            body_return=\(invalidMemory)
            body_start=\(badArgument)
            buffer_type=\(badArgument)
            set_body_data=\(invalidMemory)
            header_return=\(invalidMemory)
            map_type=\(badArgument)
            pairs_garbage=\(badArgument)
            effective_context=\(badArgument)
            time_return=\(invalidMemory)
            status_outside_call=\(ProxyStatus.notFound.rawValue)
            local_response_status=\(badArgument)

            """)
        XCTAssertEqual(router.idleCount("bad_pointers"), 1, "the instance stays usable")
    }
}

/// An upstream client allowing one upstream and answering a fixed response.
final class RecordingUpstream: UpstreamClient {
    let allowed: String
    let response: FunctionResponse
    private let sent = Mutex<[FunctionRequest]>([])

    init(allowed: String, response: FunctionResponse) {
        self.allowed = allowed
        self.response = response
    }

    var requests: [FunctionRequest] { sent.withLock { $0 } }

    func allows(upstream: String) -> Bool { upstream == allowed }

    func send(upstream: String, request: FunctionRequest, timeout: Duration?) throws(UpstreamError) -> FunctionResponse {
        sent.withLock { $0.append(request) }
        return response
    }
}
