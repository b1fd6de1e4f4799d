import Foundation
import Glibc
import TernHTTP
import TernProxyWasm
import TernTestSupport
import XCTest
@testable import TernRuntime

/// The example functions of `examples/functions` (built by
/// scripts/build-functions.sh, committed).
enum ExampleFunction: String {
    case echo, function_1, function_2, header_maps, http_call, infinite_loop, invoke_chain, local_response, metrics
    case properties, shared_data, shared_queue, ticker, trap, unknown_import

    var path: String {
        TestEnvironment.repositoryRoot.appendingPathComponent("examples/functions/\(rawValue)/\(rawValue).wasm").path
    }

    func bytes() throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TestFailure("missing example function \(path) (scripts/build-functions.sh)")
        }
        return [UInt8](data)
    }
}

/// How long any single wait of a test may last before the test fails: a
/// bound against hangs, not a timing assertion.
let testWaitLimit = Duration.seconds(60)

extension DispatchSemaphore {
    /// Waits at most `testWaitLimit`; false if that passed.
    func waitBounded() -> Bool {
        wait(timeout: .now() + .seconds(Int(testWaitLimit.components.seconds))) == .success
    }
}

/// A `tern serve` running in this process on ephemeral ports, with an HTTP
/// client for both listeners.
final class InProcessServer: Sendable {
    let server: TernServer
    let client = HTTPClient(configuration: .init(timeout: testWaitLimit, reusesConnections: false))

    init(functions: [FunctionDefinition] = RuntimeConfiguration.demo.functions,
         stateStores: [String: [String: [UInt8]]] = RuntimeConfiguration.demo.stateStores,
         upstreams: [String: ListenAddress] = [:]) throws {
        let configuration = RuntimeConfiguration(
            functionsListener: ListenAddress(host: "127.0.0.1", port: 0),
            adminListener: ListenAddress(host: "127.0.0.1", port: 0),
            functions: functions, stateStores: stateStores, upstreams: upstreams, logLevel: .critical)
        server = try TernServer(configuration: configuration, baseDirectory: TestEnvironment.repositoryRoot.path)
    }

    deinit {
        server.shutdown(gracePeriod: .seconds(5))
    }

    var runtime: FunctionRuntime { server.runtime }

    /// A request to the functions listener.
    func function(_ method: HTTPMethod = .get, _ target: String, headers: HTTPHeaders = [:],
                  body: [UInt8] = []) throws -> HTTPResponse {
        try client.send(method, host: "127.0.0.1", port: server.functionsAddress.port, path: target,
                        headers: headers, body: body)
    }

    /// A request to function `id`, routed by the `id` header.
    func call(_ id: String, _ target: String = "/", method: HTTPMethod = .get, headers: HTTPHeaders = [:],
              body: String = "") throws -> HTTPResponse {
        var headers = headers
        headers["id"] = id
        return try function(method, target, headers: headers, body: Array(body.utf8))
    }

    /// A request to the admin listener.
    func admin(_ method: HTTPMethod, _ target: String, body: [UInt8] = []) throws -> HTTPResponse {
        try client.send(method, host: "127.0.0.1", port: server.adminAddress.port, path: target, body: body)
    }

    func admin(_ method: HTTPMethod, _ target: String, json: String) throws -> HTTPResponse {
        try admin(method, target, body: Array(json.utf8))
    }

    /// Installs an example function with `PUT /v1/functions/{id}`.
    @discardableResult
    func deploy(_ id: String, _ function: ExampleFunction, query: String = "") throws -> HTTPResponse {
        let response = try admin(.put, "/v1/functions/\(id)" + (query.isEmpty ? "" : "?" + query), body: try function.bytes())
        XCTAssertTrue(response.status.isSuccess, "deploying \(id): \(response.text)")
        return response
    }

    /// Sends `bytes` on a fresh connection to the functions listener and
    /// reads until the server closes it.
    func exchangeRaw(_ bytes: String) throws -> String {
        try RawConnection(port: server.functionsAddress.port).exchange(Array(bytes.utf8))
    }
}

extension HTTPResponse {
    var text: String { String(decoding: body, as: UTF8.self) }

    /// The body's JSON object.
    func json() throws -> [String: JSONValue] {
        guard case .object(let fields) = try JSONValue.parse(body) else {
            throw TestFailure("not a JSON object: \(text)")
        }
        return fields
    }
}

extension JSONValue {
    subscript(key: String) -> JSONValue? {
        guard case .object(let fields) = self else { return nil }
        return fields[key]
    }
}

/// A plain TCP connection, for what the HTTP client does not send:
/// pipelined and chunked requests.
struct RawConnection {
    let port: Int

    /// Writes `request` and reads everything until the server closes the
    /// connection (the last request must ask it to).
    func exchange(_ request: [UInt8]) throws -> String {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw TestFailure("socket: errno \(errno)") }
        defer { close(socket) }
        var timeout = timeval(tv_sec: Int(testWaitLimit.components.seconds), tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else { throw TestFailure("connect: errno \(errno)") }
        var sent = 0
        while sent < request.count {
            let written = request[sent...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw TestFailure("send: errno \(errno)") }
            sent += written
        }
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(socket, $0.baseAddress, $0.count, 0) }
            if count == 0 { break }
            guard count > 0 else { throw TestFailure("recv: errno \(errno) after \(received.count) bytes") }
            received += buffer[..<count]
        }
        return String(decoding: received, as: UTF8.self)
    }
}

/// Calls `runtime.serve` and waits (bounded) for its result.
func serve(_ runtime: FunctionRuntime, _ id: String,
           _ request: FunctionRequest = FunctionRequest()) throws -> Result<FunctionResponse, FunctionFailure> {
    let done = DispatchSemaphore(value: 0)
    let outcome = Outcome<Result<FunctionResponse, FunctionFailure>>()
    runtime.serve(request, functionID: id) { result in
        outcome.set(result)
        done.signal()
    }
    guard done.waitBounded(), let result = outcome.value else {
        throw TestFailure("no answer from \(id)")
    }
    return result
}

/// A value set once by another thread.
final class Outcome<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: Value?

    func set(_ value: Value) {
        lock.lock()
        stored = value
        lock.unlock()
    }

    var value: Value? {
        lock.lock()
        defer { lock.unlock() }
        return stored
    }
}

/// A state store whose `get` blocks until the test opens the gate: a
/// stand-in for a slow remote backend.
final class GatedStateStore: StateStore, @unchecked Sendable {
    let values: [String: [UInt8]]
    /// Signalled each time a call reaches the gate.
    let entered = DispatchSemaphore(value: 0)
    private let gate = DispatchSemaphore(value: 0)

    init(values: [String: [UInt8]]) {
        self.values = values
    }

    func get(store: String, key: String) throws(StateStoreError) -> [UInt8]? {
        entered.signal()
        guard gate.waitBounded() else { throw .unavailable("the test never opened the gate") }
        return values[key]
    }

    /// Lets `count` blocked calls through.
    func open(_ count: Int = 1) {
        for _ in 0..<count { gate.signal() }
    }
}

extension Result where Success == FunctionResponse, Failure == FunctionFailure {
    var response: FunctionResponse? {
        if case .success(let response) = self { return response }
        return nil
    }
    var failure: FunctionFailure? {
        if case .failure(let failure) = self { return failure }
        return nil
    }
}

extension FunctionResponse {
    var text: String { String(decoding: body, as: UTF8.self) }
}

/// Something a test relies on did not happen.
struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
