import TernHTTP
import TernTestSupport
import XCTest
@testable import TernRuntime

/// The admin listener: Layotto's `/wasm/*` and the REST API.
final class AdminTests: XCTestCase {
    private var server: InProcessServer!

    override func setUpWithError() throws {
        server = try InProcessServer()
    }

    override func tearDown() {
        server = nil
    }

    private func routedIDs() throws -> [String] {
        guard case .array(let functions)? = try server.admin(.get, "/v1/functions").json()["functions"] else { return [] }
        return functions.compactMap { if case .string(let id)? = $0["id"] { id } else { nil } }
    }

    func testRESTInstallReplaceAndRemove() throws {
        let created = try server.deploy("echo", .echo, query: "instances=2&timeout=5s&max_memory=32MiB")
        XCTAssertEqual(created.status, .created)
        let status = try created.json()
        XCTAssertEqual(status["id"], "echo")
        XCTAssertEqual(status["announced_id"], "echo")
        XCTAssertEqual(status["version"], 1)
        XCTAssertEqual(status["instances"]?["max"], 2)
        XCTAssertEqual(status["limits"]?["timeout_ms"], 5000)
        XCTAssertEqual(status["limits"]?["max_memory"], .integer(32 << 20))
        XCTAssertEqual(try server.call("echo", method: .post, body: "v1").text, "v1")

        let fetched = try server.admin(.get, "/v1/functions/echo").json()
        XCTAssertEqual(fetched["stats"]?["requests"], 1)

        let replaced = try server.deploy("echo", .echo)
        XCTAssertEqual(replaced.status, .ok)
        XCTAssertEqual(try replaced.json()["version"], 2)
        XCTAssertEqual(try server.call("echo", method: .post, body: "v2").text, "v2")

        XCTAssertEqual(try routedIDs(), ["echo", "id_1", "id_2"])
        XCTAssertEqual(try server.admin(.delete, "/v1/functions/echo").status, .ok)
        XCTAssertEqual(try server.call("echo").status, .notFound)
        XCTAssertEqual(try server.admin(.delete, "/v1/functions/echo").status, .notFound)
        XCTAssertEqual(try server.admin(.get, "/v1/functions/echo").status, .notFound)
        XCTAssertEqual(try routedIDs(), ["id_1", "id_2"])
    }

    func testLayottoInstallUpdateAndUninstall() throws {
        let install = #"{"name": "echo_function", "instance_num": 1, "vm_config": {"engine": "wasmtime", "path": "examples/functions/echo/echo.wasm"}}"#
        let installed = try server.admin(.post, "/wasm/install", json: install)
        XCTAssertEqual(installed.status, .ok, installed.text)
        // Routed by the id the guest announces; managed by its name.
        XCTAssertEqual(try installed.json()["id"], "echo")
        XCTAssertEqual(try installed.json()["name"], "echo_function")
        XCTAssertEqual(try installed.json()["engine"], "wasmtime")
        XCTAssertEqual(try server.call("echo", method: .post, body: "hi").text, "hi")

        let again = try server.admin(.post, "/wasm/install", json: install)
        XCTAssertEqual(again.status, .conflict)
        XCTAssertEqual(try again.json()["error"],
                       "a function named 'echo_function' is already installed (update or uninstall it first)")
        let sameID = try server.admin(.post, "/wasm/install", json: install.replacingOccurrences(of: "echo_function", with: "other"))
        XCTAssertEqual(sameID.status, .conflict)
        XCTAssertEqual(try sameID.json()["error"], "function id 'echo' is already routed to the function named 'echo_function'")

        let updated = try server.admin(.post, "/wasm/update", json: #"{"name": "echo_function", "instance_num": 3}"#)
        XCTAssertEqual(updated.status, .ok, updated.text)
        XCTAssertEqual(try updated.json()["instances"]?["max"], 3)
        XCTAssertEqual(try server.call("echo", method: .post, body: "still").text, "still")

        XCTAssertEqual(try server.admin(.post, "/wasm/uninstall", json: #"{"name": "echo_function"}"#).status, .ok)
        XCTAssertEqual(try server.call("echo").status, .notFound)
        let missing = try server.admin(.post, "/wasm/uninstall", json: #"{"name": "echo_function"}"#)
        XCTAssertEqual(missing.status, .notFound)
        XCTAssertEqual(try missing.json()["error"], "no function is installed as 'echo_function'")
        XCTAssertEqual(try server.admin(.post, "/wasm/update", json: #"{"name": "gone", "instance_num": 1}"#).status,
                       .notFound)
    }

    func testABadModuleIsRefusedWithTheReasonAndChangesNothing() throws {
        try server.deploy("echo", .echo)
        let before = try routedIDs()

        let unknownImport = try server.admin(.put, "/v1/functions/echo", body: try ExampleFunction.unknown_import.bytes())
        XCTAssertEqual(unknownImport.status, .badRequest)
        XCTAssertEqual(try unknownImport.json()["error"], "unlinkable: env.proxy_foo: unknown import")
        XCTAssertEqual(try unknownImport.json()["kind"], "invalid_module")

        let garbage = try server.admin(.put, "/v1/functions/fresh", body: Array("not wasm".utf8))
        XCTAssertEqual(garbage.status, .badRequest)
        guard case .string(let reason)? = try garbage.json()["error"] else { return XCTFail(garbage.text) }
        XCTAssertTrue(reason.hasPrefix("malformed: "), reason)

        // i32.add with nothing on the stack.
        let invalid = try server.admin(.put, "/v1/functions/fresh", body: Wasm.singleFunctionModule([0x6A, 0x0B]))
        XCTAssertEqual(invalid.status, .badRequest)
        guard case .string(let validation)? = try invalid.json()["error"] else { return XCTFail(invalid.text) }
        XCTAssertTrue(validation.hasPrefix("invalid: ") && validation.hasSuffix(" in function 0"), validation)

        let notProxyWasm = try server.admin(.put, "/v1/functions/fresh", body: Wasm.singleFunctionModule())
        XCTAssertEqual(notProxyWasm.status, .badRequest)
        XCTAssertEqual(try notProxyWasm.json()["error"], "invalid proxy-wasm module: the module defines no linear memory")

        let layotto = try server.admin(.post, "/wasm/install", json:
            #"{"name": "bad", "instance_num": 1, "vm_config": {"engine": "wasmtime", "path": "examples/functions/unknown_import/unknown_import.wasm"}}"#)
        XCTAssertEqual(layotto.status, .badRequest)
        XCTAssertEqual(try layotto.json()["error"], "unlinkable: env.proxy_foo: unknown import")

        XCTAssertEqual(try routedIDs(), before)
        XCTAssertEqual(try server.admin(.get, "/v1/functions/echo").json()["version"], 1)
        XCTAssertEqual(try server.call("echo", method: .post, body: "unchanged").text, "unchanged")
    }

    func testBadRequestsGetClearErrors() throws {
        let cases: [(HTTPMethod, String, String, Int, String)] = [
            (.post, "/wasm/install", "{\"name\": ", 400,
             "invalid JSON: unexpected end of input, expected a value at line 1, column 10"),
            (.post, "/wasm/install", "", 400, "invalid JSON: the request has no body"),
            (.post, "/wasm/install", #"{"name": "x", "instance_num": 1, "vm_config": {"path": "none.wasm", "engin": "x"}}"#, 400,
             "vm_config.engin: unknown key (expected one of configuration, engine, path)"),
            (.post, "/wasm/install", #"{"name": "x", "vm_config": {"path": "/nonexistent.wasm"}}"#, 400,
             "cannot read /nonexistent.wasm: The file doesn’t exist."),
            (.post, "/wasm/update", #"{"name": "id_1"}"#, 400, "instance_num: missing: the new number of instances"),
            (.post, "/wasm/update", #"{"name": "id_1", "instance_num": "two"}"#, 400,
             "instance_num: expected a whole number, got a string"),
            (.post, "/wasm/uninstall", #"{"nam": "id_1"}"#, 400, "nam: unknown key (expected one of name)"),
            (.put, "/v1/functions/x", "", 400, "the body must be the function's .wasm module"),
            (.put, "/v1/functions/x?instances=lots", "\0asm", 400,
             "query parameter instances: expected a whole number in 1...4096, got 'lots'"),
            (.put, "/v1/functions/bad%20id", "\0asm", 400,
             "'bad%20id' is not a valid function id (letters, digits, '_', '-' and '.' only)"),
            (.get, "/v2/things", "", 404, ""),
            (.get, "/wasm/install", "", 405, "/wasm/install accepts POST, not GET"),
            (.post, "/v1/functions/id_1", "", 405, "/v1/functions/{id} accepts GET, PUT, DELETE, not POST"),
        ]
        for (method, target, body, status, message) in cases {
            let response = try server.admin(method, target, json: body)
            XCTAssertEqual(response.status.code, status, "\(method) \(target): \(response.text)")
            if !message.isEmpty {
                XCTAssertEqual(try response.json()["error"], .string(message), "\(method) \(target)")
            }
        }
        XCTAssertEqual(try routedIDs(), ["id_1", "id_2"])
    }

    func testHealth() throws {
        let health = try server.admin(.get, "/healthz")
        XCTAssertEqual(health.status, .ok)
        let fields = try health.json()
        XCTAssertEqual(fields["status"], "ok")
        XCTAssertEqual(fields["functions"], 2)
        guard case .integer(let threads)? = fields["worker_threads"] else { return XCTFail(health.text) }
        XCTAssertGreaterThan(threads, 0)
    }
}
