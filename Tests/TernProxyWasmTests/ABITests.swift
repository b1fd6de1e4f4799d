@testable import TernProxyWasm
import XCTest

/// Encodings of the ABI, and the request as the guest sees it.
final class ABITests: XCTestCase {
    func testHeaderMapSerializationMatchesTheSpecExample() {
        let fields = HeaderFields([("a", "1"), ("b", "22")])
        let expected: [UInt8] = [2, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0,
                                 0x61, 0, 0x31, 0, 0x62, 0, 0x32, 0x32, 0]
        XCTAssertEqual(fields.serialized, expected)
        XCTAssertEqual(fields.serializedSize, expected.count)
        XCTAssertEqual(HeaderFields(serialized: expected), fields)
    }

    func testEmptyHeaderMaps() {
        XCTAssertEqual(HeaderFields().serialized, [0, 0, 0, 0], "the Go SDK reads the count unconditionally")
        XCTAssertEqual(HeaderFields(serialized: []), HeaderFields())
        XCTAssertEqual(HeaderFields(serialized: [0]), HeaderFields())
        XCTAssertEqual(HeaderFields(serialized: [0, 0, 0, 0]), HeaderFields())
    }

    func testMalformedHeaderMapsAreRejected() {
        XCTAssertNil(HeaderFields(serialized: [1, 0]))
        XCTAssertNil(HeaderFields(serialized: [0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]), "count larger than the data")
        XCTAssertNil(HeaderFields(serialized: [1, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0x61, 0, 0]),
                     "a length past the end")
        var truncated = HeaderFields([("name", "value")]).serialized
        truncated.removeLast()
        XCTAssertNil(HeaderFields(serialized: truncated))
    }

    func testHeaderOperationsIgnoreCase() {
        var fields = HeaderFields([("Content-Type", "text/plain"), ("x-a", "1"), ("X-A", "2")])
        XCTAssertEqual(fields.value(for: "content-type"), "text/plain")
        XCTAssertEqual(fields.value(for: "x-a"), "1")
        fields.replace("X-a", "3")
        XCTAssertEqual(fields.pairs.map(\.1), ["text/plain", "3", "2"], "only the first value is replaced")
        fields.replace("new", "n")
        XCTAssertEqual(fields.value(for: "NEW"), "n")
        fields.remove("x-A")
        XCTAssertEqual(fields.pairs.map(\.0), ["Content-Type", "new"])
        XCTAssertNil(fields.value(for: "x-a"))
    }

    func testPropertyPaths() {
        XCTAssertEqual(HostState.propertyPath(Array("request\0path".utf8)), ["request", "path"])
        XCTAssertEqual(HostState.propertyPath(Array("request\0path\0".utf8)), ["request", "path"],
                       "the Rust SDK ends every segment with NUL")
        XCTAssertEqual(HostState.propertyPath(Array("plugin_name".utf8)), ["plugin_name"])
        XCTAssertEqual(HostState.propertyPath([]), [])
    }

    func testTheGuestSeesPseudoHeadersAndTheQueryAsBody() {
        let stream = StreamState(contextID: 2, request: FunctionRequest(method: "GET", path: "/a", query: "name=b",
                                                                        headers: [("Host", "h"), ("x", "1")]))
        XCTAssertEqual(stream.requestHeaders.pairs.map { "\($0.0)=\($0.1)" },
                       [":method=GET", ":path=/a?name=b", ":authority=h", "Host=h", "x=1"])
        XCTAssertEqual(stream.requestBody, Array("name=b".utf8))

        let withBody = StreamState(contextID: 3, request: FunctionRequest(query: "q", body: [1, 2]))
        XCTAssertEqual(withBody.requestBody, [1, 2])
    }

    func testResponseStatusFromHeaders() {
        var stream = StreamState(contextID: 2, request: FunctionRequest())
        XCTAssertEqual(stream.response.status, 200)
        stream.responseHeaders = HeaderFields([(":status", "418"), ("x", "1")])
        XCTAssertEqual(stream.response.status, 418)
        XCTAssertEqual(stream.response.headers.map(\.0), ["x"], "pseudo-headers are not sent")
        stream.responseHeaders = HeaderFields([(":status", "1000")])
        XCTAssertEqual(stream.response.status, 200)
    }

    func testInvocationRequests() {
        let invokeService = FunctionRequest(invocationMethod: "", headers: [], body: Array("book1".utf8))
        XCTAssertEqual(invokeService.method, "POST")
        XCTAssertEqual(invokeService.path, "/")
        XCTAssertEqual(invokeService.body, Array("book1".utf8))

        let httpCall = FunctionRequest(invocationMethod: "GET",
                                       headers: [(":method", "GET"), (":path", "/x/y?a=1&b=2"), (":authority", "svc"),
                                                 ("accept", "*/*")],
                                       body: [])
        XCTAssertEqual(httpCall.method, "GET")
        XCTAssertEqual(httpCall.path, "/x/y")
        XCTAssertEqual(httpCall.query, "a=1&b=2")
        XCTAssertEqual(httpCall.headers.map { "\($0.0)=\($0.1)" }, ["host=svc", "accept=*/*"])
        XCTAssertEqual(httpCall.target, "/x/y?a=1&b=2")
    }

    func testInvocationErrorsKeepChainFailures() {
        XCTAssertEqual(InvocationError(.callDepthExceeded(limit: 3)), .callDepthExceeded(limit: 3))
        XCTAssertEqual(InvocationError(.deadlineExceeded), .deadlineExceeded)
        XCTAssertEqual(InvocationError(.instanceBusy), .failed("instance is busy with another call"))
    }
}
