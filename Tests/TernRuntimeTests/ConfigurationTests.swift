import TernProxyWasm
import TernTestSupport
import TernWASI
import XCTest
@testable import TernRuntime

final class ConfigurationTests: XCTestCase {
    private func configuration(_ text: String) throws -> RuntimeConfiguration {
        try RuntimeConfiguration(json: try JSONValue.parse(Array(text.utf8)), baseDirectory: "/srv/tern")
    }

    private func assertInvalid(_ text: String, _ message: String, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertThrowsError(try configuration(text), file: file, line: line) { error in
            XCTAssertEqual("\(error)", message, file: file, line: line)
        }
    }

    func testReadsEverySetting() throws {
        let parsed = try configuration("""
            {
              "listeners": {"functions": "0.0.0.0:8080", "admin": "[::1]:9000"},
              "functions": [
                {
                  "id": "inventory",
                  "path": "functions/inventory.wasm",
                  "instances": 4,
                  "queue": 16,
                  "limits": {"max_memory": "64MiB", "timeout": "1500ms", "fuel": 1000000,
                             "max_call_depth": 500, "max_invocation_depth": 3},
                  "capabilities": ["clock", "random", "fs"],
                  "environment": {"MODE": "test"},
                  "dirs": ["/srv/data::/data:ro"],
                  "plugin_config": {"greeting": "hi"},
                  "vm_config": {"engine": "wasmtime", "configuration": "vm-text"}
                },
                {"name": "function2", "instance_num": 2, "vm_config": {"engine": "wasmer", "path": "/abs/f2.wasm"}}
              ],
              "components": {"state_stores": {"state_demo": {"type": "in-memory", "data": {"book1": "100"}}}},
              "upstreams": {"backend": "10.0.0.5:80"},
              "workers": 3,
              "log_level": "debug"
            }
            """)
        XCTAssertEqual(parsed.functionsListener, ListenAddress(host: "0.0.0.0", port: 8080))
        XCTAssertEqual(parsed.adminListener, ListenAddress(host: "::1", port: 9000))
        XCTAssertEqual(parsed.stateStores, ["state_demo": ["book1": Array("100".utf8)]])
        XCTAssertEqual(parsed.upstreams, ["backend": ListenAddress(host: "10.0.0.5", port: 80)])
        XCTAssertEqual(parsed.workers, 3)
        XCTAssertEqual(parsed.logLevel, .debug)
        XCTAssertEqual(parsed.functions.count, 2)

        let inventory = parsed.functions[0]
        XCTAssertEqual(inventory.source, .file("/srv/tern/functions/inventory.wasm"))
        XCTAssertEqual(inventory.settings.id, "inventory")
        XCTAssertEqual(inventory.settings.name, "inventory")
        XCTAssertEqual(inventory.settings.instances, 4)
        XCTAssertEqual(inventory.settings.queueLimit, 16)
        XCTAssertEqual(inventory.settings.limits, FunctionLimits(maxMemoryBytes: 64 << 20, timeout: .milliseconds(1500),
                                                                fuel: 1_000_000, maxCallDepth: 500, maxInvocationDepth: 3))
        XCTAssertEqual(inventory.settings.capabilities, [.clock, .random, .filesystem])
        XCTAssertEqual(inventory.settings.environment, [EnvironmentVariable(name: "MODE", value: "test")])
        XCTAssertEqual(inventory.settings.directories, [PreopenDirectory(hostPath: "/srv/data", guestPath: "/data", isReadOnly: true)])
        XCTAssertEqual(inventory.settings.pluginConfiguration, Array(#"{"greeting":"hi"}"#.utf8))
        XCTAssertEqual(inventory.settings.vmConfiguration, Array("vm-text".utf8))
        XCTAssertEqual(inventory.settings.engine, "wasmtime")

        let layotto = parsed.functions[1]
        XCTAssertNil(layotto.settings.id)
        XCTAssertEqual(layotto.settings.name, "function2")
        XCTAssertEqual(layotto.settings.instances, 2)
        XCTAssertEqual(layotto.source, .file("/abs/f2.wasm"))
        XCTAssertEqual(layotto.settings.engine, "wasmer")
        XCTAssertEqual(layotto.settings.limits, FunctionLimits())
        XCTAssertEqual(layotto.settings.capabilities, FunctionSettings.defaultCapabilities)
    }

    func testAnEmptyDocumentKeepsTheDefaults() throws {
        let parsed = try configuration("{}")
        XCTAssertEqual(parsed.functionsListener, ListenAddress(host: "127.0.0.1", port: 2045))
        XCTAssertEqual(parsed.adminListener, ListenAddress(host: "127.0.0.1", port: 34998))
        XCTAssertEqual(parsed.functions, [])
    }

    func testMistakesAreReportedWithTheirField() {
        assertInvalid(#"{"listner": {}}"#,
                      "listner: unknown key (expected one of components, functions, listeners, log_level, upstreams, workers)")
        assertInvalid(#"{"listeners": {"functions": "localhost"}}"#, "listeners.functions: expected HOST:PORT, got 'localhost'")
        assertInvalid(#"{"functions": [{"path": "a.wasm"}]}"#, "functions[0].id: a function needs an id or a name")
        assertInvalid(#"{"functions": [{"id": "a"}]}"#, "functions[0].path: missing: the path of the function's .wasm file")
        assertInvalid(#"{"functions": [{"id": "a", "path": "a.wasm", "vm_config": {"path": "b.wasm"}}]}"#,
                      "functions[0].path: give the module's path once, as path or vm_config.path")
        assertInvalid(#"{"functions": [{"id": "a/b", "path": "a.wasm"}]}"#,
                      "functions[0].id: 'a/b' is not a valid function id (letters, digits, '_', '-' and '.' only)")
        assertInvalid(#"{"functions": [{"id": "a", "path": "a.wasm", "limits": {"timeout": "2 fortnights"}}]}"#,
                      "functions[0].limits.timeout: expected a unit among ns, us, ms, s, m, h, got '2 fortnights'")
        assertInvalid(#"{"functions": [{"id": "a", "path": "a.wasm", "limits": {"max_memory": true}}]}"#,
                      "functions[0].limits.max_memory: expected a string or a whole number, got a boolean")
        assertInvalid(#"{"functions": [{"id": "a", "path": "a.wasm", "instances": 0}]}"#,
                      "functions[0].instances: expected a whole number in 1...4096, got '0'")
        assertInvalid(#"{"functions": [{"id": "a", "path": "a.wasm", "capabilities": ["net"]}]}"#,
                      "functions[0].capabilities: expected one of args, env, clock, random, stdio, fs, all, none, got 'net'")
        assertInvalid(#"{"functions": [{"id": "a", "path": "a.wasm", "dirs": ["/tmp"]}]}"#,
                      "functions[0].dirs: directories need the fs capability")
        assertInvalid(#"{"functions": [{"name": "a", "path": "a.wasm", "vm_config": {"engine": "v8"}}]}"#,
                      "functions[0].vm_config.engine: unknown engine 'v8' (expected one of tern, wasmer, wasmtime; all run on Tern's engine)")
        assertInvalid(#"{"components": {"state_stores": {"s": {"type": "redis"}}}}"#,
                      "components.state_stores.s.type: unknown state store type 'redis' (Tern has in-memory)")
        assertInvalid(#"{"log_level": "loud"}"#, "log_level: expected one of trace, debug, info, warn, error, critical")
        assertInvalid(#"{"functions": {}}"#, "functions: expected an array, got an object")
        assertInvalid("[]", "document: expected an object, got an array")
    }

    func testLoadingAFileResolvesPathsBesideIt() throws {
        let directory = try TemporaryDirectory()
        let file = directory.url.appendingPathComponent("tern.json")
        try Data(#"{"functions": [{"id": "echo", "path": "echo.wasm"}]}"#.utf8).write(to: file)
        let loaded = try RuntimeConfiguration.load(file: file.path)
        XCTAssertEqual(loaded.functions.first?.source, .file(directory.url.appendingPathComponent("echo.wasm").path))
    }

    func testLoadingReportsUnreadableFilesAndBadJSON() throws {
        XCTAssertThrowsError(try RuntimeConfiguration.load(file: "/nonexistent/tern.json")) { error in
            XCTAssertTrue("\(error)".hasPrefix("cannot read /nonexistent/tern.json"), "\(error)")
        }
        let directory = try TemporaryDirectory()
        let file = directory.url.appendingPathComponent("bad.json")
        try Data("{\"functions\": [,]}".utf8).write(to: file)
        XCTAssertThrowsError(try RuntimeConfiguration.load(file: file.path)) { error in
            XCTAssertEqual("\(error)", "invalid JSON: unexpected ',', expected a value at line 1, column 16")
        }
    }

    func testTheRepositoryDemoConfigurationMatchesTheEmbeddedDefaults() throws {
        let file = TestEnvironment.repositoryRoot.appendingPathComponent("config/demo.json").path
        let loaded = try RuntimeConfiguration.load(file: file)
        let demo = RuntimeConfiguration.demo
        XCTAssertEqual(loaded.stateStores, demo.stateStores)
        XCTAssertEqual(loaded.functions.map(\.settings), demo.functions.map(\.settings))
        XCTAssertEqual(try loaded.functions.map { try $0.source.load() }, try demo.functions.map { try $0.source.load() })
    }

    func testTheEmbeddedDemoFunctionsAreTheExamples() throws {
        XCTAssertEqual(DemoFunctions.function1, try ExampleFunction.function_1.bytes(),
                       "examples/functions/function_1 changed: regenerate Sources/TernRuntime/Demo/DemoFunctions.swift")
        XCTAssertEqual(DemoFunctions.function2, try ExampleFunction.function_2.bytes(),
                       "examples/functions/function_2 changed: regenerate Sources/TernRuntime/Demo/DemoFunctions.swift")
    }

    func testListenAddresses() {
        XCTAssertEqual(ListenAddress("127.0.0.1:2045"), ListenAddress(host: "127.0.0.1", port: 2045))
        XCTAssertEqual(ListenAddress("[::1]:0"), ListenAddress(host: "::1", port: 0))
        XCTAssertEqual(ListenAddress("localhost:80")?.description, "localhost:80")
        XCTAssertEqual(ListenAddress(host: "::1", port: 8).description, "[::1]:8")
        for invalid in ["", "2045", ":2045", "host:", "host:65536", "::1:80", "host:-1"] {
            XCTAssertNil(ListenAddress(invalid), invalid)
        }
    }

    func testTextSettingsAsDeployQueryParameters() throws {
        var settings = FunctionSettings(id: "f")
        for (name, value) in [("instances", "3"), ("queue", "0"), ("max_memory", "1MiB"), ("timeout", "2s"),
                              ("fuel", "99"), ("max_call_depth", "64"), ("max_invocation_depth", "2"),
                              ("capabilities", "clock,stdio"), ("env", "A=b=c"), ("plugin_config", "cfg")] {
            try AdminAPI.apply(name, value, to: &settings)
        }
        XCTAssertEqual(settings.instances, 3)
        XCTAssertEqual(settings.queueLimit, 0)
        XCTAssertEqual(settings.limits, FunctionLimits(maxMemoryBytes: 1 << 20, timeout: .seconds(2), fuel: 99,
                                                       maxCallDepth: 64, maxInvocationDepth: 2))
        XCTAssertEqual(settings.capabilities, [.clock, .stdio])
        XCTAssertEqual(settings.environment, [EnvironmentVariable(name: "A", value: "b=c")])
        XCTAssertEqual(settings.pluginConfiguration, Array("cfg".utf8))
        XCTAssertThrowsError(try AdminAPI.apply("timeout", "0s", to: &settings)) { error in
            XCTAssertEqual("\(error)", "must be positive, got '0s'")
        }
        XCTAssertThrowsError(try AdminAPI.apply("instance", "3", to: &settings)) { error in
            XCTAssertTrue("\(error)".hasPrefix("unknown parameter (expected one of instances, queue"), "\(error)")
        }
    }

    func testQueryParametersAreDecoded() {
        let parameters = QueryParameters.parse("a=1&b=x%20y+z&flag&=v&c=%zz")
        XCTAssertEqual(parameters.map(\.name), ["a", "b", "flag", "", "c"])
        XCTAssertEqual(parameters.map(\.value), ["1", "x y z", "", "v", "%zz"])
        XCTAssertTrue(QueryParameters.parse(nil).isEmpty)
    }

    func testFunctionIdentifiers() {
        XCTAssertNil(FunctionIdentifier.problem(with: "id_1"))
        XCTAssertNil(FunctionIdentifier.problem(with: "a.b-C_9"))
        XCTAssertNotNil(FunctionIdentifier.problem(with: ""))
        XCTAssertNotNil(FunctionIdentifier.problem(with: "a b"))
        XCTAssertNotNil(FunctionIdentifier.problem(with: "a/b"))
        XCTAssertNotNil(FunctionIdentifier.problem(with: String(repeating: "a", count: 129)))
    }
}
