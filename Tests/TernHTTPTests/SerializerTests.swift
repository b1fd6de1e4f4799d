import XCTest
@testable import TernHTTP

private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

final class ResponseSerializerTests: XCTestCase {
    private let keepAlive11 = HTTPResponseSerializer.Context(requestMethod: .get, requestVersion: .http1_1, keepAlive: true)

    func testBasicResponse() throws {
        let response = HTTPResponse(status: .ok, headers: ["X-A": "1", "x-b": "2"], body: Array("hi".utf8))
        let bytes = try HTTPResponseSerializer.serialize(response, context: keepAlive11)
        XCTAssertEqual(text(bytes), "HTTP/1.1 200 OK\r\nX-A: 1\r\nx-b: 2\r\nContent-Length: 2\r\n\r\nhi")
    }

    func testFramingHeadersAreReplaced() throws {
        let response = HTTPResponse(
            headers: ["Content-Length": "999", "Transfer-Encoding": "chunked", "Connection": "upgrade", "Keep": "me"],
            body: Array("abc".utf8))
        let bytes = try HTTPResponseSerializer.serialize(response, context: keepAlive11)
        XCTAssertEqual(text(bytes), "HTTP/1.1 200 OK\r\nKeep: me\r\nContent-Length: 3\r\n\r\nabc")
    }

    func testConnectionHeaderFollowsContext() throws {
        let close = HTTPResponseSerializer.Context(requestMethod: .get, requestVersion: .http1_1, keepAlive: false)
        XCTAssertTrue(text(try HTTPResponseSerializer.serialize(HTTPResponse(), context: close)).contains("\r\nConnection: close\r\n"))
        let keep10 = HTTPResponseSerializer.Context(requestMethod: .get, requestVersion: .http1_0, keepAlive: true)
        XCTAssertTrue(text(try HTTPResponseSerializer.serialize(HTTPResponse(), context: keep10)).contains("\r\nConnection: keep-alive\r\n"))
        XCTAssertFalse(text(try HTTPResponseSerializer.serialize(HTTPResponse(), context: keepAlive11)).contains("Connection"))
    }

    func testHeadResponseHasLengthButNoBody() throws {
        let head = HTTPResponseSerializer.Context(requestMethod: .head, requestVersion: .http1_1, keepAlive: true)
        let bytes = try HTTPResponseSerializer.serialize(HTTPResponse(body: Array("12345".utf8)), context: head)
        XCTAssertEqual(text(bytes), "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n")
    }

    func testNoContentAndNotModifiedHaveNoBody() throws {
        let noContent = try HTTPResponseSerializer.serialize(HTTPResponse(status: .noContent, body: [1, 2]), context: keepAlive11)
        XCTAssertEqual(text(noContent), "HTTP/1.1 204 No Content\r\n\r\n")
        let notModified = try HTTPResponseSerializer.serialize(HTTPResponse(status: .notModified, body: [1]), context: keepAlive11)
        XCTAssertEqual(text(notModified), "HTTP/1.1 304 Not Modified\r\n\r\n")
    }

    func testDateIsAddedUnlessPresent() throws {
        let date = "Sun, 06 Nov 1994 08:49:37 GMT"
        let added = text(try HTTPResponseSerializer.serialize(HTTPResponse(), context: keepAlive11, date: date))
        XCTAssertTrue(added.contains("\r\nDate: \(date)\r\n"))
        let own = text(try HTTPResponseSerializer.serialize(HTTPResponse(headers: ["date": "mine"]), context: keepAlive11, date: date))
        XCTAssertTrue(own.contains("date: mine"))
        XCTAssertFalse(own.contains(date))
    }

    func testDateFormat() {
        XCTAssertEqual(HTTPDateCache.format(784_111_777), "Sun, 06 Nov 1994 08:49:37 GMT")
        XCTAssertEqual(HTTPDateCache.format(0), "Thu, 01 Jan 1970 00:00:00 GMT")
    }

    func testCustomStatusAndReason() throws {
        let bytes = try HTTPResponseSerializer.serialize(HTTPResponse(status: HTTPStatus(code: 299, reasonPhrase: "Fine")), context: keepAlive11)
        XCTAssertTrue(text(bytes).hasPrefix("HTTP/1.1 299 Fine\r\n"))
        XCTAssertEqual(HTTPStatus(code: 404), .notFound)
        XCTAssertEqual(HTTPStatus(code: 404, reasonPhrase: "Gone Fishing"), .notFound)
        XCTAssertEqual(HTTPStatus.notFound.reasonPhrase, "Not Found")
    }

    func testInjectionIsRefused() {
        func error(_ response: HTTPResponse) -> HTTPSerializationError? {
            do {
                _ = try HTTPResponseSerializer.serialize(response, context: keepAlive11)
                return nil
            } catch {
                return error
            }
        }
        XCTAssertEqual(error(HTTPResponse(headers: ["X": "a\r\nSet-Cookie: evil"])), .invalidHeaderValue(name: "X"))
        XCTAssertEqual(error(HTTPResponse(headers: ["X": "a\nb"])), .invalidHeaderValue(name: "X"))
        XCTAssertEqual(error(HTTPResponse(headers: ["Bad Name": "v"])), .invalidHeaderName("Bad Name"))
        XCTAssertEqual(error(HTTPResponse(headers: ["": "v"])), .invalidHeaderName(""))
        XCTAssertEqual(error(HTTPResponse(status: HTTPStatus(code: 200, reasonPhrase: "OK\r\nX: y"))), .invalidReasonPhrase)
        XCTAssertEqual(error(HTTPResponse(status: 100)), .invalidStatusCode(100))
        XCTAssertEqual(error(HTTPResponse(status: 600)), .invalidStatusCode(600))
        XCTAssertEqual(error(HTTPResponse(status: -1)), .invalidStatusCode(-1))
    }

    func testSerializedResponsesParseBack() throws {
        let response = HTTPResponse(status: .created, headers: ["Location": "/x"], text: "made")
        var parser = HTTPResponseParser(requestMethod: .post, limits: HTTPLimits())
        parser.append(try HTTPResponseSerializer.serialize(response, context: keepAlive11))
        let received = try XCTUnwrap(try parser.next())
        XCTAssertEqual(received.response.status, .created)
        XCTAssertEqual(received.response.headers["location"], "/x")
        XCTAssertEqual(received.response.headers["content-type"], "text/plain; charset=utf-8")
        XCTAssertEqual(text(received.response.body), "made")
        XCTAssertTrue(received.connectionReusable)
    }
}

final class RequestSerializerTests: XCTestCase {
    func testRequestWithBody() throws {
        let request = HTTPRequest(method: .post, target: "/fn?x=1", headers: ["Host": "h:1", "Content-Length": "7"], body: Array("abc".utf8))
        XCTAssertEqual(text(try HTTPRequestSerializer.serialize(request)), "POST /fn?x=1 HTTP/1.1\r\nHost: h:1\r\nContent-Length: 3\r\n\r\nabc")
    }

    func testEmptyPostHasZeroLengthAndGetHasNone() throws {
        XCTAssertTrue(text(try HTTPRequestSerializer.serialize(HTTPRequest(method: .put, target: "/"))).contains("Content-Length: 0\r\n"))
        XCTAssertFalse(text(try HTTPRequestSerializer.serialize(HTTPRequest(method: .get, target: "/"))).contains("Content-Length"))
    }

    func testInvalidRequestsAreRefused() {
        XCTAssertThrowsError(try HTTPRequestSerializer.serialize(HTTPRequest(method: "GE T", target: "/")))
        XCTAssertThrowsError(try HTTPRequestSerializer.serialize(HTTPRequest(method: .get, target: "/a b")))
        XCTAssertThrowsError(try HTTPRequestSerializer.serialize(HTTPRequest(method: .get, target: "")))
        XCTAssertThrowsError(try HTTPRequestSerializer.serialize(HTTPRequest(method: .get, target: "/", headers: ["A": "\r\n"])))
    }

    func testSerializedRequestsParseBack() throws {
        let request = HTTPRequest(method: .patch, target: "/p", headers: ["Host": "h", "X": "y"], body: [0, 1, 2, 255])
        var parser = HTTPRequestParser()
        parser.append(try HTTPRequestSerializer.serialize(request))
        guard case .request(let parsed)? = try parser.next() else { return XCTFail("no request") }
        XCTAssertEqual(parsed.method, .patch)
        XCTAssertEqual(parsed.headers["x"], "y")
        XCTAssertEqual(parsed.body, [0, 1, 2, 255])
    }
}

final class ResponseParserTests: XCTestCase {
    private func receive(_ chunks: [String], method: HTTPMethod = .get, closeAtEnd: Bool = false) throws -> ReceivedResponse? {
        var parser = HTTPResponseParser(requestMethod: method, limits: HTTPLimits(maxHeaderBytes: 1024, maxBodyBytes: 1024))
        for chunk in chunks {
            parser.append(Array(chunk.utf8))
            if let response = try parser.next() { return response }
        }
        return closeAtEnd ? try parser.finish() : nil
    }

    func testContentLength() throws {
        let received = try XCTUnwrap(try receive(["HTTP/1.1 200 OK\r\nContent-Length: 3\r\n\r\n", "abc"]))
        XCTAssertEqual(received.response.body, Array("abc".utf8))
        XCTAssertTrue(received.connectionReusable)
    }

    func testChunkedWithTrailers() throws {
        let received = try XCTUnwrap(try receive(["HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n", "1;e=1\r\nd\r\n0\r\nT: 1\r\n\r\n"]))
        XCTAssertEqual(text(received.response.body), "abcd")
    }

    func testBodyUntilClose() throws {
        XCTAssertNil(try receive(["HTTP/1.1 200 OK\r\n\r\npart one, "]))
        let received = try XCTUnwrap(try receive(["HTTP/1.1 200 OK\r\n\r\npart one, ", "part two"], closeAtEnd: true))
        XCTAssertEqual(text(received.response.body), "part one, part two")
        XCTAssertFalse(received.connectionReusable)
    }

    func testInterimResponsesAreSkipped() throws {
        let received = try XCTUnwrap(try receive(["HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\nA: b\r\n\r\n", "HTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n"]))
        XCTAssertEqual(received.response.status, .created)
    }

    func testBodylessResponses() throws {
        XCTAssertEqual(try receive(["HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n"], method: .head)?.response.body, [])
        XCTAssertEqual(try receive(["HTTP/1.1 204 No Content\r\n\r\n"])?.response.status, .noContent)
        XCTAssertEqual(try receive(["HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n"])?.response.body, [])
    }

    func testStatusLineVariants() throws {
        XCTAssertEqual(try receive(["HTTP/1.1 200\r\nContent-Length: 0\r\n\r\n"])?.response.status.reasonPhrase, "")
        XCTAssertEqual(try receive(["HTTP/1.0 404 Not  Found\r\nContent-Length: 0\r\n\r\n"])?.response.status.reasonPhrase, "Not  Found")
        for bad in ["HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 abc OK\r\n\r\n", "HTTP/1.1\r\n\r\n", "HTTP/1.1 099 X\r\n\r\n", "ICY 200 OK\r\n\r\n"] {
            XCTAssertThrowsError(try receive([bad]), bad)
        }
    }

    func testReuseRules() throws {
        XCTAssertFalse(try XCTUnwrap(try receive(["HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"])).connectionReusable)
        XCTAssertFalse(try XCTUnwrap(try receive(["HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"])).connectionReusable)
        XCTAssertTrue(try XCTUnwrap(try receive(["HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n"])).connectionReusable)
        XCTAssertFalse(try XCTUnwrap(try receive(["HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\nextra"])).connectionReusable)
    }

    func testTruncatedAndOversized() {
        XCTAssertThrowsError(try receive(["HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab"], closeAtEnd: true)) {
            XCTAssertEqual($0 as? HTTPParseError, .truncated)
        }
        XCTAssertThrowsError(try receive(["HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n"])) {
            XCTAssertEqual($0 as? HTTPParseError, .bodyTooLarge(limit: 1024))
        }
        XCTAssertThrowsError(try receive(["HTTP/1.1 200 OK\r\n\r\n" + String(repeating: "x", count: 2000)])) {
            XCTAssertEqual($0 as? HTTPParseError, .bodyTooLarge(limit: 1024))
        }
        XCTAssertThrowsError(try receive([""], closeAtEnd: true)) {
            XCTAssertEqual($0 as? HTTPParseError, .truncated)
        }
    }
}

final class HeadersTests: XCTestCase {
    func testOrderedCaseInsensitiveFields() {
        var headers: HTTPHeaders = ["A": "1", "b": "2", "a": "3"]
        XCTAssertEqual(headers["a"], "1")
        XCTAssertEqual(headers.values(for: "A"), ["1", "3"])
        XCTAssertTrue(headers.contains("B"))
        headers["A"] = "x"
        XCTAssertEqual(headers.fields, [HTTPField(name: "A", value: "x"), HTTPField(name: "b", value: "2")])
        headers["new"] = "n"
        headers.add(name: "B", value: "4")
        XCTAssertEqual(headers.map(\.name), ["A", "b", "new", "B"])
        headers.remove("b")
        XCTAssertEqual(headers.map(\.name), ["A", "new"])
        headers["a"] = nil
        XCTAssertEqual(headers.count, 1)
    }

    func testTokenLists() {
        let headers: HTTPHeaders = ["Connection": " keep-alive , Upgrade", "connection": "CLOSE"]
        XCTAssertTrue(headers.containsToken("close", in: "Connection"))
        XCTAssertTrue(headers.containsToken("upgrade", in: "connection"))
        XCTAssertFalse(headers.containsToken("keep", in: "connection"))
    }
}

final class URLParsingTests: XCTestCase {
    func testValidURLs() throws {
        let plain = try ParsedURL("http://example.com")
        XCTAssertEqual([plain.host, String(plain.port), plain.path], ["example.com", "80", "/"])
        let full = try ParsedURL("HTTP://127.0.0.1:8080/fn/a?b=c#frag")
        XCTAssertEqual([full.host, String(full.port), full.path], ["127.0.0.1", "8080", "/fn/a?b=c"])
        let v6 = try ParsedURL("http://[::1]:9/x")
        XCTAssertEqual([v6.host, String(v6.port), v6.path], ["::1", "9", "/x"])
        XCTAssertEqual(try ParsedURL("http://h?q").path, "/?q")
    }

    func testInvalidURLs() {
        for url in ["https://h/", "ftp://h", "h:80/x", "http://", "http://:80/", "http://h:0/", "http://h:65536/", "http://h:+80/", "http://u@h/", "http://[::1/", "http://h:80x/"] {
            XCTAssertThrowsError(try ParsedURL(url), url)
        }
    }
}
