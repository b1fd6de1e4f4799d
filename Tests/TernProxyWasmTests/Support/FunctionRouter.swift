#if canImport(Glibc)
import Glibc
#endif
import Synchronization
import TernEngine
import TernProxyWasm

/// The example functions under `examples/functions`.
enum Examples {
    static let directory = #filePath.split(separator: "/", omittingEmptySubsequences: false)
        .dropLast(4).joined(separator: "/") + "/examples/functions"

    static func bytes(_ name: String) throws -> [UInt8] {
        let path = "\(directory)/\(name)/\(name).wasm"
        guard let file = fopen(path, "rb") else { throw ExampleMissing(path: path) }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            if count == 0 { break }
            bytes += chunk[..<count]
        }
        return bytes
    }

    struct ExampleMissing: Error, CustomStringConvertible {
        let path: String
        var description: String { "missing example \(path): run scripts/build-functions.sh" }
    }
}

/// Collects function logs.
final class CollectingLogger: FunctionLogger {
    let minimumLevel: ProxyLogLevel
    private let entries = Mutex<[(functionID: String, level: ProxyLogLevel, message: String)]>([])

    init(minimumLevel: ProxyLogLevel = .trace) { self.minimumLevel = minimumLevel }

    func log(functionID: String, level: ProxyLogLevel, message: String) {
        entries.withLock { $0.append((functionID, level, message)) }
    }

    var messages: [(functionID: String, level: ProxyLogLevel, message: String)] { entries.withLock { $0 } }

    func contains(_ functionID: String, _ level: ProxyLogLevel, _ message: String) -> Bool {
        messages.contains { $0.functionID == functionID && $0.level == level && $0.message == message }
    }
}

/// A miniature runtime for tests: installs example functions under the id
/// they announce, keeps idle instances per function, and routes
/// invocations between them (a fresh instance when all are busy, as a pool
/// would), discarding instances that became unusable.
final class FunctionRouter: Sendable {
    let engine = Engine()
    let logger: CollectingLogger
    let stateStore = InMemoryStateStore(text: ["state_demo": ["book1": "100", "book2": "7"]])
    let sharedData = InMemorySharedData()
    let metrics = InMemoryMetricsRegistry()
    let queueNotifications: QueueNotifications
    let sharedQueues: InMemorySharedQueues
    let upstreams: (any UpstreamClient)?

    final class QueueNotifications: Sendable {
        private let entries = Mutex<[(queueID: UInt32, vmID: String)]>([])
        func append(_ queueID: UInt32, _ vmID: String) { entries.withLock { $0.append((queueID, vmID)) } }
        var all: [(queueID: UInt32, vmID: String)] { entries.withLock { $0 } }
    }

    private struct Installed {
        let module: ProxyWasmModule
        let configuration: ProxyWasmConfiguration
        var idle: [ProxyWasmInstance]
    }

    private let functions = Mutex<[String: Installed]>([:])
    private let limits: ResourceLimits

    init(limits: ResourceLimits = ResourceLimits(), upstreams: (any UpstreamClient)? = nil,
         logger: CollectingLogger = CollectingLogger()) {
        self.limits = limits
        self.upstreams = upstreams
        self.logger = logger
        let notifications = QueueNotifications()
        queueNotifications = notifications
        sharedQueues = InMemorySharedQueues(capacity: 4) { queueID, vmID in notifications.append(queueID, vmID) }
    }

    var services: ProxyWasmHostServices {
        ProxyWasmHostServices(stateStore: stateStore, invoker: RouterInvoker(router: self), sharedData: sharedData,
                              sharedQueues: sharedQueues, metrics: metrics, logger: logger, upstreams: upstreams)
    }

    /// Installs example `name`; returns the id it announced.
    @discardableResult
    func install(_ name: String, pluginConfiguration: [UInt8] = [], maxInvocationDepth: Int = 8) throws -> String {
        let module = try ProxyWasmModule(bytes: try Examples.bytes(name), engine: engine)
        let configuration = ProxyWasmConfiguration(functionID: name, pluginConfiguration: pluginConfiguration,
                                                   limits: limits, maxInvocationDepth: maxInvocationDepth)
        let instance = try ProxyWasmInstance(module: module, services: services, configuration: configuration)
        let id = instance.functionID
        functions.withLock { $0[id] = Installed(module: module, configuration: configuration, idle: [instance]) }
        return id
    }

    /// An idle instance of `id` (a new one when none is idle).
    func checkOut(_ id: String) throws -> ProxyWasmInstance {
        let taken: (instance: ProxyWasmInstance?, module: ProxyWasmModule, configuration: ProxyWasmConfiguration)? =
            functions.withLock { functions in
                guard let installed = functions[id] else { return nil }
                let instance = functions[id]?.idle.popLast()
                return (instance, installed.module, installed.configuration)
            }
        guard let taken else { throw InvocationError.unknownFunction(id) }
        if let instance = taken.instance { return instance }
        return try ProxyWasmInstance(module: taken.module, services: services, configuration: taken.configuration)
    }

    func checkIn(_ instance: ProxyWasmInstance, as id: String) {
        guard instance.isUsable else { return }
        functions.withLock { $0[id]?.idle.append(instance) }
    }

    func idleCount(_ id: String) -> Int { functions.withLock { $0[id]?.idle.count ?? 0 } }

    func handle(_ id: String, _ request: FunctionRequest = FunctionRequest(),
                deadline: ContinuousClock.Instant? = nil, depth: Int = 0) throws -> FunctionResponse {
        let instance = try checkOut(id)
        defer { checkIn(instance, as: id) }
        return try instance.handle(request, deadline: deadline, depth: depth)
    }
}

/// Routes invocations through a router without keeping it alive.
struct RouterInvoker: FunctionInvoker {
    weak var router: FunctionRouter?

    func invoke(functionID: String, method: String, body: [UInt8], headers: [(String, String)],
                deadline: ContinuousClock.Instant?, depth: Int) throws(InvocationError) -> FunctionResponse {
        guard let router else { throw .unknownFunction(functionID) }
        let request = FunctionRequest(invocationMethod: method, headers: headers, body: body)
        do {
            return try router.handle(functionID, request, deadline: deadline, depth: depth)
        } catch let error as ProxyWasmError {
            throw InvocationError(error)
        } catch let error as InvocationError {
            throw error
        } catch {
            throw .failed("\(error)")
        }
    }
}

extension FunctionResponse {
    var text: String { String(decoding: body, as: UTF8.self) }

    func header(_ name: String) -> [String] { headers.filter { $0.0 == name }.map(\.1) }
}
