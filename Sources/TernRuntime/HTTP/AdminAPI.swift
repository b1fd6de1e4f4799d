import Dispatch
import Foundation
import TernHTTP
import TernProxyWasm

/// The admin listener: Layotto's `/wasm/*` endpoints, Tern's REST API
/// under `/v1`, and `/healthz`. Every answer is JSON; errors are
/// `{"error": ..., "kind": ...}` with a 4xx status and change nothing.
///
/// Operations run one at a time on a serial queue, off the event loops:
/// an install compiles and loads the module there.
public struct AdminAPI: HTTPHandler {
    public let runtime: FunctionRuntime
    /// What relative paths in Layotto's `vm_config.path` are relative to.
    public let baseDirectory: String
    private let queue = DispatchQueue(label: "tern.admin")

    public init(runtime: FunctionRuntime, baseDirectory: String = FileManager.default.currentDirectoryPath) {
        self.runtime = runtime
        self.baseDirectory = baseDirectory
    }

    public func handle(_ request: HTTPRequest, respond: @escaping @Sendable (HTTPResponse) -> Void) {
        queue.async { [self] in
            do throws(Refusal) {
                respond(try answer(request))
            } catch {
                respond(.jsonError(error.message, status: error.status, kind: error.kind))
            }
        }
    }

    /// A refusal: the status and message the client gets.
    struct Refusal: Error {
        var status: Int
        var kind: String
        var message: String

        init(status: Int, kind: String, _ message: String) {
            self.status = status
            self.kind = kind
            self.message = message
        }

        init(_ error: DeploymentError) {
            let kind = switch error {
            case .invalidSettings: "invalid_settings"
            case .invalidModule: "invalid_module"
            case .startFailed: "start_failed"
            case .invalidAnnouncedID: "invalid_announced_id"
            case .nameInUse, .idInUse: "conflict"
            case .unknownFunction, .unknownName: "unknown_function"
            }
            self.init(status: error.httpStatus, kind: kind, error.description)
        }

        static func invalid(_ error: SettingsError) -> Refusal {
            Refusal(status: 400, kind: "invalid_request", error.description)
        }
    }

    /// The endpoints and their methods, for 404 and 405 answers.
    static let endpoints: [(path: String, methods: [HTTPMethod])] = [
        ("/healthz", [.get]),
        ("/wasm/install", [.post]), ("/wasm/uninstall", [.post]), ("/wasm/update", [.post]),
        ("/v1/functions", [.get]), ("/v1/functions/{id}", [.get, .put, .delete]),
        ("/v1/metrics", [.get]),
    ]

    private func answer(_ request: HTTPRequest) throws(Refusal) -> HTTPResponse {
        let segments = request.path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let endpoint: String
        if segments.count == 3 && segments[0] == "v1" && segments[1] == "functions" {
            let id = segments[2]
            switch request.method {
            case .get:
                guard let status = runtime.status(id: id) else { throw Refusal(.unknownFunction(id)) }
                return .json(status.json)
            case .put:
                return try put(id: id, request)
            case .delete:
                return .json(try deploying { () throws(DeploymentError) in try runtime.remove(id: id) }.json)
            default:
                endpoint = "/v1/functions/{id}"
            }
        } else {
            endpoint = "/" + segments.joined(separator: "/")
            switch (request.method, endpoint) {
            case (.get, "/healthz"):
                return .json(["status": "ok", "functions": .integer(Int64(runtime.functions.count)),
                              "worker_threads": .integer(Int64(runtime.workerThreads))])
            case (.post, "/wasm/install"):
                return try layottoInstall(request.body)
            case (.post, "/wasm/uninstall"):
                let body = try layottoBody(request.body, keys: ["name"])
                let name = try name(in: body)
                return .json(try deploying { () throws(DeploymentError) in try runtime.uninstall(name: name) }.json)
            case (.post, "/wasm/update"):
                let body = try layottoBody(request.body, keys: ["name", "instance_num"])
                let name = try name(in: body)
                let instances = try instanceCount(in: body)
                return .json(try deploying { () throws(DeploymentError) in
                    try runtime.update(name: name, instances: instances)
                }.json)
            case (.get, "/v1/functions"):
                return .json(["functions": .array(runtime.functions.map(\.json))])
            case (.get, "/v1/metrics"):
                return .json(["metrics": .array(runtime.metrics.snapshot().map(AdminAPI.json))])
            default:
                break
            }
        }
        if let known = AdminAPI.endpoints.first(where: { $0.path == endpoint }) {
            let allowed = known.methods.map(\.rawValue).joined(separator: ", ")
            throw Refusal(status: 405, kind: "method_not_allowed", "\(endpoint) accepts \(allowed), not \(request.method)")
        }
        let list = AdminAPI.endpoints.map(\.path).joined(separator: ", ")
        throw Refusal(status: 404, kind: "not_found", "no admin endpoint \(request.path) (endpoints: \(list))")
    }

    private func deploying(_ operation: () throws(DeploymentError) -> FunctionStatus) throws(Refusal) -> FunctionStatus {
        do {
            return try operation()
        } catch {
            throw Refusal(error)
        }
    }

    // MARK: Layotto

    /// `{"name", "instance_num", "vm_config": {"engine", "path"}}`, plus
    /// any key of a configuration file's function.
    private func layottoInstall(_ body: [UInt8]) throws(Refusal) -> HTTPResponse {
        let definition: FunctionDefinition
        do {
            definition = try FunctionDefinition(json: try AdminAPI.parse(body), field: "", baseDirectory: baseDirectory)
        } catch {
            throw .invalid(error)
        }
        return .json(try deploying { () throws(DeploymentError) in try runtime.install(definition, mode: .new) }.json)
    }

    private func layottoBody(_ body: [UInt8], keys: Set<String>) throws(Refusal) -> JSONObjectReader {
        do {
            let object = try JSONObjectReader(try AdminAPI.parse(body), path: "")
            try object.rejectUnknownKeys(allowed: keys)
            return object
        } catch {
            throw .invalid(error)
        }
    }

    private func name(in body: JSONObjectReader) throws(Refusal) -> String {
        do throws(SettingsError) {
            guard let name = try body.string("name"), !name.isEmpty else { throw body.invalid("name", "missing") }
            return name
        } catch {
            throw .invalid(error)
        }
    }

    private func instanceCount(in body: JSONObjectReader) throws(Refusal) -> Int {
        do throws(SettingsError) {
            guard let count = try body.integer("instance_num", in: 1...4096) else {
                throw body.invalid("instance_num", "missing: the new number of instances")
            }
            return Int(count)
        } catch {
            throw .invalid(error)
        }
    }

    private static func parse(_ body: [UInt8]) throws(SettingsError) -> JSONValue {
        guard !body.isEmpty else { throw .syntax(JSONSyntaxError(reason: "the request has no body")) }
        do {
            return try JSONValue.parse(body)
        } catch {
            throw .syntax(error)
        }
    }

    // MARK: REST

    /// Query parameters of `PUT /v1/functions/{id}` besides the text
    /// settings.
    static let putParameters: Set<String> = ["plugin_config", "vm_config", "engine", "env"]

    /// `PUT /v1/functions/{id}` with the module as the body: installs, or
    /// replaces (201 for a new function, 200 for a replacement).
    private func put(id: String, _ request: HTTPRequest) throws(Refusal) -> HTTPResponse {
        if let reason = FunctionIdentifier.problem(with: id) { throw Refusal(status: 400, kind: "invalid_request", reason) }
        guard !request.body.isEmpty else {
            throw Refusal(status: 400, kind: "invalid_request", "the body must be the function's .wasm module")
        }
        var settings = FunctionSettings(id: id)
        for (name, value) in QueryParameters.parse(request.query) {
            do {
                try AdminAPI.apply(name, value, to: &settings)
            } catch {
                throw Refusal(status: 400, kind: "invalid_request", "query parameter \(name): \(error.reason)")
            }
        }
        let status = try deploying { () throws(DeploymentError) in
            try runtime.install(bytes: request.body, settings: settings, mode: .replace)
        }
        return .json(status.json, status: status.version == 1 ? 201 : 200)
    }

    static func apply(_ name: String, _ value: String, to settings: inout FunctionSettings) throws(TextSettingError) {
        if let setting = FunctionSettings.TextSetting(rawValue: name) {
            return try settings.apply(setting, text: value)
        }
        switch name {
        case "plugin_config": settings.pluginConfiguration = Array(value.utf8)
        case "vm_config": settings.vmConfiguration = Array(value.utf8)
        case "engine":
            guard FunctionSettings.engineNames.contains(value) else {
                throw TextSettingError("unknown engine '\(value)'")
            }
            settings.engine = value
        case "env":
            guard let equals = value.firstIndex(of: "="), equals != value.startIndex else {
                throw TextSettingError("expected NAME=VALUE, got '\(value)'")
            }
            settings.environment.append(.init(name: String(value[..<equals]),
                                              value: String(value[value.index(after: equals)...])))
        default:
            let known = FunctionSettings.TextSetting.allCases.map(\.rawValue) + putParameters.sorted()
            throw TextSettingError("unknown parameter (expected one of \(known.joined(separator: ", ")))")
        }
    }

    static func json(_ metric: MetricSnapshot) -> JSONValue {
        var fields: [String: JSONValue] = [
            "function": .string(metric.functionID),
            "name": .string(metric.name),
            "type": .string(metric.type.description),
        ]
        switch metric.type {
        case .counter: fields["value"] = .integer(Int64(clamping: metric.value))
        case .gauge: fields["value"] = .integer(Int64(bitPattern: metric.value))
        case .histogram:
            fields["last"] = .integer(Int64(clamping: metric.value))
            fields["count"] = .integer(Int64(clamping: metric.sampleCount))
            fields["sum"] = .integer(Int64(clamping: metric.sampleSum))
        }
        return .object(fields)
    }
}
