import XCTest
@testable import TernHTTP

/// What a parser produced from some input, in a comparable form.
private enum Outcome: Equatable {
    case continueExpected
    case request(method: String, target: String, version: HTTPVersion, headers: [HTTPField], body: [UInt8], trailers: [HTTPField])
    case error(HTTPParseError)
}

/// Feeds `chunks` one after another, pulling every event after each.
private func parse(_ chunks: [ArraySlice<UInt8>], limits: HTTPLimits = HTTPLimits()) -> [Outcome] {
    var parser = HTTPRequestParser(limits: limits)
    var outcomes: [Outcome] = []
    for chunk in chunks {
        parser.append(chunk)
        do {
            while let event = try parser.next() {
                switch event {
                case .continueExpected:
                    outcomes.append(.continueExpected)
                case .request(let request):
                    outcomes.append(.request(
                        method: request.method.rawValue, target: request.target, version: request.version,
                        headers: request.headers.fields, body: request.body, trailers: request.trailers.fields))
                }
            }
        } catch {
            outcomes.append(.error(error))
            return outcomes
        }
    }
    return outcomes
}

private func parse(_ text: String, limits: HTTPLimits = HTTPLimits()) -> [Outcome] {
    parse([Array(text.utf8)[...]], limits: limits)
}

private func parseRequests(_ text: String, file: StaticString = #filePath, line: UInt = #line) -> [HTTPRequest] {
    var parser = HTTPRequestParser()
    parser.append(Array(text.utf8))
    var requests: [HTTPRequest] = []
    do {
        while let event = try parser.next() {
            if case .request(let request) = event { requests.append(request) }
        }
    } catch {
        XCTFail("unexpected error \(error)", file: file, line: line)
    }
    return requests
}

private func parseError(_ text: String, limits: HTTPLimits = HTTPLimits()) -> HTTPParseError? {
    for outcome in parse(text, limits: limits) {
        if case .error(let error) = outcome { return error }
    }
    return nil
}

final class RequestParserTests: XCTestCase {
    func testSimpleGet() throws {
        let requests = parseRequests("GET /fn/hello?name=x&y=1 HTTP/1.1\r\nHost: example\r\nX-Trace: a\r\nx-trace: b\r\n\r\n")
        XCTAssertEqual(requests.count, 1)
        let request = try XCTUnwrap(requests.first)
        XCTAssertEqual(request.method, .get)
        XCTAssertEqual(request.target, "/fn/hello?name=x&y=1")
        XCTAssertEqual(request.path, "/fn/hello")
        XCTAssertEqual(request.query, "name=x&y=1")
        XCTAssertEqual(request.version, .http1_1)
        XCTAssertEqual(request.headers["host"], "example")
        XCTAssertEqual(request.headers.values(for: "X-TRACE"), ["a", "b"])
        XCTAssertEqual(request.body, [])
        XCTAssertTrue(request.keepAlive)
    }

    func testTargetForms() {
        XCTAssertEqual(HTTPRequest(method: .get, target: "http://h:1/a/b?q").path, "/a/b")
        XCTAssertEqual(HTTPRequest(method: .get, target: "http://h:1").path, "/")
        XCTAssertEqual(HTTPRequest(method: .get, target: "http://h:1?q=1").query, "q=1")
        XCTAssertEqual(HTTPRequest(method: .options, target: "*").path, "*")
        XCTAssertEqual(HTTPRequest(method: .connect, target: "h:443").path, "h:443")
        XCTAssertNil(HTTPRequest(method: .get, target: "/a").query)
        XCTAssertEqual(HTTPRequest(method: .get, target: "/a?").query, "")
    }

    func testFieldValuesAreTrimmedAndMayBeEmpty() throws {
        let request = try XCTUnwrap(parseRequests("GET / HTTP/1.1\r\nHost: h\r\nA: \t spaced out \t\r\nEmpty:\r\n\r\n").first)
        XCTAssertEqual(request.headers["a"], "spaced out")
        XCTAssertEqual(request.headers["empty"], "")
    }

    func testContentLengthBody() throws {
        let request = try XCTUnwrap(parseRequests("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello").first)
        XCTAssertEqual(request.body, Array("hello".utf8))
    }

    func testRepeatedIdenticalContentLengthIsAccepted() throws {
        let request = try XCTUnwrap(parseRequests("POST /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3, 3\r\nContent-Length: 3\r\n\r\nabc").first)
        XCTAssertEqual(request.body, Array("abc".utf8))
    }

    func testChunkedBodyWithExtensionsAndTrailers() throws {
        let text = "POST /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "5;name=value;flag\r\nhello\r\n"
            + "6 ; q=\"quoted \\\" ; still\"\r\n world\r\n"
            + "0\r\nChecksum: abc\r\nX-Done: yes\r\n\r\n"
        let request = try XCTUnwrap(parseRequests(text).first)
        XCTAssertEqual(String(decoding: request.body, as: UTF8.self), "hello world")
        XCTAssertEqual(request.trailers.fields, [HTTPField(name: "Checksum", value: "abc"), HTTPField(name: "X-Done", value: "yes")])
        XCTAssertNil(request.headers["Checksum"], "trailers stay separate from headers")
    }

    func testChunkSizeIsHexAndCaseInsensitive() throws {
        let body = String(repeating: "z", count: 0x1A)
        let text = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: Chunked\r\n\r\n001a\r\n\(body)\r\n0\r\n\r\n"
        XCTAssertEqual(try XCTUnwrap(parseRequests(text).first).body.count, 0x1A)
        let upper = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1A\r\n\(body)\r\n0\r\n\r\n"
        XCTAssertEqual(try XCTUnwrap(parseRequests(upper).first).body.count, 0x1A)
    }

    func testPipelinedRequestsComeOutInOrder() {
        let text = "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
            + "POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc"
            + "POST /3 HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nxy\r\n0\r\n\r\n"
        let requests = parseRequests(text)
        XCTAssertEqual(requests.map(\.target), ["/1", "/2", "/3"])
        XCTAssertEqual(requests.map { String(decoding: $0.body, as: UTF8.self) }, ["", "abc", "xy"])
    }

    /// The same bytes cut at every possible position must parse identically.
    func testEverySplitPointGivesTheSameResult() {
        let text = "\r\nPOST /a?b=c HTTP/1.1\r\nHost: h\r\nContent-Length: 4\r\n\r\nbody"
            + "PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3;x=\"y\"\r\nabc\r\n10\r\n0123456789abcdef\r\n0\r\nT: v\r\n\r\n"
            + "POST /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok"
            + "GET /last HTTP/1.0\r\n\r\n"
        let bytes = Array(text.utf8)
        let whole = parse([bytes[...]])
        XCTAssertEqual(whole.filter { if case .request = $0 { true } else { false } }.count, 4)
        for split in 0...bytes.count {
            let outcomes = parse([bytes[..<split], bytes[split...]]).filter { $0 != .continueExpected }
            XCTAssertEqual(outcomes, whole.filter { $0 != .continueExpected }, "split at \(split)")
        }
        let byteByByte = parse(bytes.indices.map { bytes[$0...$0] }).filter { $0 != .continueExpected }
        XCTAssertEqual(byteByByte, whole.filter { $0 != .continueExpected })
    }

    func testErrorsAtEverySplitPointAreTheSame() {
        let bytes = Array("GET / HTTP/1.1\r\nHost: h\r\nBad Header: x\r\n\r\n".utf8)
        for split in 0...bytes.count {
            XCTAssertEqual(parse([bytes[..<split], bytes[split...]]).last, .error(.malformed("invalid header name")), "split at \(split)")
        }
    }

    func testExpectContinueBeforeBody() {
        let head = Array("POST /u HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 3\r\n\r\n".utf8)
        let outcomes = parse([head[...], Array("abc".utf8)[...]])
        XCTAssertEqual(outcomes.first, .continueExpected)
        XCTAssertEqual(outcomes.count, 2)
        guard case .request(_, _, _, _, let body, _) = outcomes.last else { return XCTFail("no request") }
        XCTAssertEqual(body, Array("abc".utf8))
    }

    func testNoContinueWhenBodyAlreadyArrivedOrAbsentOrHTTP10() {
        let together = parse("POST /u HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx")
        XCTAssertFalse(together.contains(.continueExpected))
        let empty = parse("POST /u HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n")
        XCTAssertFalse(empty.contains(.continueExpected))
        let old = parse([Array("POST /u HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\n".utf8)[...]])
        XCTAssertEqual(old, [])
    }

    func testKeepAliveRules() throws {
        func keepAlive(_ text: String) throws -> Bool { try XCTUnwrap(parseRequests(text).first).keepAlive }
        XCTAssertTrue(try keepAlive("GET / HTTP/1.1\r\nHost: h\r\n\r\n"))
        XCTAssertFalse(try keepAlive("GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n"))
        XCTAssertFalse(try keepAlive("GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, CLOSE\r\n\r\n"))
        XCTAssertFalse(try keepAlive("GET / HTTP/1.0\r\n\r\n"))
        XCTAssertTrue(try keepAlive("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"))
    }

    func testLeadingEmptyLinesAreIgnored() {
        XCTAssertEqual(parseRequests("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n").count, 1)
    }

    func testHigherMinorVersionIsAccepted() throws {
        XCTAssertEqual(try XCTUnwrap(parseRequests("GET / HTTP/1.7\r\nHost: h\r\n\r\n").first).version, HTTPVersion(major: 1, minor: 7))
    }

    // MARK: Limits

    func testHeaderLimit() {
        let limits = HTTPLimits(maxHeaderBytes: 100, maxBodyBytes: 100)
        let big = "GET / HTTP/1.1\r\nHost: h\r\nX: \(String(repeating: "a", count: 200))\r\n\r\n"
        XCTAssertEqual(parseError(big, limits: limits), .headerTooLarge(limit: 100))
        XCTAssertEqual(parseError(big, limits: limits)?.status, .requestHeaderFieldsTooLarge)
        // The limit applies before the end of the head arrives: a never-ending head is refused.
        XCTAssertEqual(parseError(String(repeating: "a", count: 101), limits: limits), .headerTooLarge(limit: 100))
        // Exactly at the limit is fine.
        let prefix = "GET / HTTP/1.1\r\nHost: h\r\nX: "
        let exact = prefix + String(repeating: "b", count: 100 - prefix.utf8.count - 4) + "\r\n\r\n"
        XCTAssertEqual(exact.utf8.count, 100)
        XCTAssertEqual(parse(exact, limits: limits).count, 1)
        XCTAssertNil(parseError(exact, limits: limits))
    }

    func testBodyLimits() {
        let limits = HTTPLimits(maxHeaderBytes: 1024, maxBodyBytes: 10)
        XCTAssertEqual(parseError("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", limits: limits), .bodyTooLarge(limit: 10))
        XCTAssertNil(parseError("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789", limits: limits))
        let overflow = "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 99999999999999999999999999999\r\n\r\n"
        XCTAssertEqual(parseError(overflow, limits: limits)?.status, .contentTooLarge)
        let chunked = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        XCTAssertEqual(parseError(chunked + "6\r\nabcdef\r\n5\r\nabcde\r\n", limits: limits), .bodyTooLarge(limit: 10))
        XCTAssertEqual(parseError(chunked + "fffffffffffffffffffffffffff\r\n", limits: limits), .bodyTooLarge(limit: 10))
        XCTAssertNil(parseError(chunked + "6\r\nabcdef\r\n4\r\nabcd\r\n0\r\n\r\n", limits: limits))
    }

    func testTrailerLimit() {
        let limits = HTTPLimits(maxHeaderBytes: 80, maxBodyBytes: 10)
        let text = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nT: \(String(repeating: "t", count: 100))\r\n\r\n"
        XCTAssertEqual(parseError(text, limits: limits), .headerTooLarge(limit: 80))
    }

    // MARK: Malformed input

    func testMalformedRequestLines() {
        let cases = [
            "GET /\r\nHost: h\r\n\r\n",
            "GET  / HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET / HTTP/1.1 \r\nHost: h\r\n\r\n",
            "G(T / HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET /a\u{7F} HTTP/1.1\r\nHost: h\r\n\r\n",
            "GET / HTTP/1\r\nHost: h\r\n\r\n",
            "GET / http/1.1\r\nHost: h\r\n\r\n",
            "GET / HTTP/1.x\r\nHost: h\r\n\r\n",
            "GET / HTTP/1.1\nHost: h\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: h\n\n",
            " GET / HTTP/1.1\r\nHost: h\r\n\r\n",
        ]
        for text in cases {
            XCTAssertEqual(parseError(text)?.status, .badRequest, String(reflecting: text))
        }
    }

    func testMalformedHeaders() {
        let cases = [
            "GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: h\r\nName : v\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: h\r\nA: b\r\n folded\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: h\r\nA: b\u{0}c\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: h\r\nA: b\rc\r\n\r\n",
            "GET / HTTP/1.1\r\n\r\n",
            "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        ]
        for text in cases {
            XCTAssertEqual(parseError(text)?.status, .badRequest, String(reflecting: text))
        }
    }

    func testFramingErrors() {
        let head = "POST / HTTP/1.1\r\nHost: h\r\n"
        XCTAssertEqual(parseError(head + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n"), .malformed("both Transfer-Encoding and Content-Length"))
        XCTAssertEqual(parseError(head + "Content-Length: 3\r\nContent-Length: 4\r\n\r\n")?.status, .badRequest)
        XCTAssertEqual(parseError(head + "Content-Length: -3\r\n\r\n")?.status, .badRequest)
        XCTAssertEqual(parseError(head + "Content-Length: +3\r\n\r\n")?.status, .badRequest)
        XCTAssertEqual(parseError(head + "Content-Length: 0x3\r\n\r\n")?.status, .badRequest)
        XCTAssertEqual(parseError(head + "Content-Length:\r\n\r\n")?.status, .badRequest)
        XCTAssertEqual(parseError(head + "Transfer-Encoding: gzip\r\n\r\n"), .unsupportedTransferEncoding("gzip"))
        XCTAssertEqual(parseError(head + "Transfer-Encoding: gzip, chunked\r\n\r\n")?.status, .notImplemented)
        XCTAssertEqual(parseError(head + "Transfer-Encoding: chunked, chunked\r\n\r\n")?.status, .badRequest)
        XCTAssertEqual(parseError(head + "Transfer-Encoding: ,\r\n\r\n")?.status, .badRequest)
        XCTAssertEqual(parseError("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n")?.status, .badRequest)
        XCTAssertEqual(parseError("GET / HTTP/2.0\r\nHost: h\r\n\r\n"), .unsupportedVersion("HTTP/2.0"))
        XCTAssertEqual(parseError("GET / HTTP/2.0\r\nHost: h\r\n\r\n")?.status, .httpVersionNotSupported)
        XCTAssertEqual(parseError(head + "Expect: something\r\n\r\n")?.status, .expectationFailed)
    }

    func testMalformedChunks() {
        let head = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        let cases = [
            "g\r\n",
            "\r\n",
            "5 \r\nhello\r\n",
            "5;\r\nhello\r\n",
            "5;a=\r\nhello\r\n",
            "5;a=\"open\r\nhello\r\n",
            "5;a b\r\nhello\r\n",
            "5\r\nhelloXX",
            "5\nhello\r\n",
            "-5\r\nhello\r\n",
            "0\r\nBad Trailer: x\r\n\r\n",
            String(repeating: "0", count: 5000),
        ]
        for chunks in cases {
            XCTAssertEqual(parseError(head + chunks)?.status, .badRequest, String(reflecting: chunks))
        }
    }

    func testErrorIsSticky() {
        var parser = HTTPRequestParser()
        parser.append(Array("BROKEN\r\n\r\n".utf8))
        XCTAssertThrowsError(try parser.next())
        parser.append(Array("GET / HTTP/1.1\r\nHost: h\r\n\r\n".utf8))
        XCTAssertThrowsError(try parser.next())
    }

    /// Random and mutated input must never crash or hang the parser.
    func testArbitraryInputNeverCrashes() {
        var generator = SplitMix64(seed: 0x7E57)
        let seeds = [
            "POST /a HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;x=y\r\nhello\r\n0\r\nT: v\r\n\r\n",
            "PUT /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\nabc",
        ].map { Array($0.utf8) }
        let limits = HTTPLimits(maxHeaderBytes: 256, maxBodyBytes: 64)
        for round in 0..<3000 {
            var bytes = seeds[round % seeds.count]
            for _ in 0..<Int(generator.next() % 6) {
                let position = Int(generator.next() % UInt64(bytes.count))
                switch generator.next() % 3 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: generator.next())
                case 1: bytes.insert(UInt8(truncatingIfNeeded: generator.next()), at: position)
                default: bytes.remove(at: position)
                }
            }
            if round % 10 == 0 { bytes = (0..<Int(generator.next() % 300)).map { _ in UInt8(truncatingIfNeeded: generator.next()) } }
            let split = bytes.isEmpty ? 0 : Int(generator.next() % UInt64(bytes.count))
            _ = parse([bytes[..<split], bytes[split...]], limits: limits)
        }
    }
}

/// A small deterministic random generator, so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
