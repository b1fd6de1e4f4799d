import Foundation
import TernProxyWasm

/// Everything `tern serve` runs: listeners, functions, components and
/// execution settings. Written as JSON (see docs/configuration.md); without
/// a file, `RuntimeConfiguration.demo`.
public struct RuntimeConfiguration: Sendable, Equatable {
    /// Where functions are served (Layotto's port by default).
    public var functionsListener: ListenAddress
    /// Where the admin API is served.
    public var adminListener: ListenAddress
    /// Installed at startup, in order.
    public var functions: [FunctionDefinition]
    /// In-memory state stores: store name -> key -> value.
    public var stateStores: [String: [String: [UInt8]]]
    /// Servers outside Tern that `proxy_http_call` may reach, by name.
    public var upstreams: [String: ListenAddress]
    /// Threads that run guest code; 0 means one per core.
    public var workers: Int
    /// Function logs below it are dropped.
    public var logLevel: ProxyLogLevel

    public init(functionsListener: ListenAddress = .defaultFunctions, adminListener: ListenAddress = .defaultAdmin,
                functions: [FunctionDefinition] = [], stateStores: [String: [String: [UInt8]]] = [:],
                upstreams: [String: ListenAddress] = [:], workers: Int = 0, logLevel: ProxyLogLevel = .info) {
        self.functionsListener = functionsListener
        self.adminListener = adminListener
        self.functions = functions
        self.stateStores = stateStores
        self.upstreams = upstreams
        self.workers = workers
        self.logLevel = logLevel
    }

    /// Layotto's FaaS demo: functions `id_1` and `id_2` (embedded in the
    /// binary) and state store `state_demo` holding `book1 = 100`.
    public static var demo: RuntimeConfiguration {
        RuntimeConfiguration(
            functions: [
                FunctionDefinition(settings: FunctionSettings(name: "function_1"), source: .bytes(DemoFunctions.function1)),
                FunctionDefinition(settings: FunctionSettings(name: "function_2"), source: .bytes(DemoFunctions.function2)),
            ],
            stateStores: ["state_demo": ["book1": Array("100".utf8)]])
    }

    /// Reads a configuration file; relative paths in it are relative to
    /// the file's directory.
    public static func load(file path: String) throws(SettingsError) -> RuntimeConfiguration {
        let bytes = try FunctionSource.file(path).load()
        let json: JSONValue
        do {
            json = try JSONValue.parse(bytes)
        } catch {
            throw .syntax(error)
        }
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        return try RuntimeConfiguration(json: json, baseDirectory: directory)
    }

    static let keys: Set<String> = ["listeners", "functions", "components", "upstreams", "workers", "log_level"]

    public init(json: JSONValue, baseDirectory: String) throws(SettingsError) {
        self.init()
        let root = try JSONObjectReader(json, path: "")
        try root.rejectUnknownKeys(allowed: RuntimeConfiguration.keys)
        if let listeners = try root.object("listeners") {
            try listeners.rejectUnknownKeys(allowed: ["functions", "admin"])
            functionsListener = try RuntimeConfiguration.address(listeners, "functions") ?? functionsListener
            adminListener = try RuntimeConfiguration.address(listeners, "admin") ?? adminListener
        }
        for (index, element) in (try root.array("functions") ?? []).enumerated() {
            functions.append(try FunctionDefinition(json: element, field: "functions[\(index)]",
                                                    baseDirectory: baseDirectory))
        }
        if let components = try root.object("components") {
            try components.rejectUnknownKeys(allowed: ["state_stores"])
            stateStores = try RuntimeConfiguration.stateStores(try components.object("state_stores"))
        }
        for (name, text) in try root.stringMap("upstreams") ?? [:] {
            guard let address = ListenAddress(text) else {
                throw .invalidField(field: "upstreams.\(name)", reason: "expected HOST:PORT, got '\(text)'")
            }
            upstreams[name] = address
        }
        workers = Int(try root.integer("workers", in: 0...1024) ?? 0)
        if let level = try root.string("log_level") {
            guard let parsed = ProxyLogLevel.allCases.first(where: { $0.description == level }) else {
                throw root.invalid("log_level", "expected one of "
                                   + ProxyLogLevel.allCases.map(\.description).joined(separator: ", "))
            }
            logLevel = parsed
        }
    }

    private static func address(_ object: JSONObjectReader, _ key: String) throws(SettingsError) -> ListenAddress? {
        guard let text = try object.string(key) else { return nil }
        guard let address = ListenAddress(text) else { throw object.invalid(key, "expected HOST:PORT, got '\(text)'") }
        return address
    }

    /// `{"NAME": {"type": "in-memory", "data": {"KEY": "VALUE"}}}`.
    private static func stateStores(_ object: JSONObjectReader?) throws(SettingsError) -> [String: [String: [UInt8]]] {
        guard let object else { return [:] }
        var stores: [String: [String: [UInt8]]] = [:]
        for name in object.fields.keys.sorted() {
            guard let store = try object.object(name) else { throw object.invalid(name, "expected an object, got null") }
            try store.rejectUnknownKeys(allowed: ["type", "data"])
            let type = try store.string("type") ?? "in-memory"
            guard type == "in-memory" else {
                throw store.invalid("type", "unknown state store type '\(type)' (Tern has in-memory)")
            }
            stores[name] = (try store.stringMap("data") ?? [:]).mapValues { Array($0.utf8) }
        }
        return stores
    }
}
