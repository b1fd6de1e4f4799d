import Foundation
import TernEngine
import TernProxyWasm
import TernWASI

/// How a function is deployed, apart from its code: the same settings come
/// from the configuration file, Layotto's `/wasm/install` body and the
/// query parameters of `PUT /v1/functions/{id}`.
public struct FunctionSettings: Sendable, Equatable {
    /// The route id asked for explicitly (the configuration's `id`, the
    /// `{id}` of `PUT /v1/functions/{id}`). When nil, the function is
    /// routed by the id its guest announces from `proxy_get_id` (as in
    /// Layotto), else by `name`.
    public var id: String?
    /// The install name (Layotto's `name`); defaults to the route id.
    public var name: String
    /// Most instances kept for outside requests (Layotto's `instance_num`).
    public var instances: Int
    /// Most outside requests waiting for an instance; beyond it, 503.
    public var queueLimit: Int
    public var limits: FunctionLimits
    /// What the guest may reach through WASI.
    public var capabilities: WASICapabilities
    /// The only environment variables the guest sees (with `env`).
    public var environment: [EnvironmentVariable]
    /// Host directories the guest sees (with `fs`).
    public var directories: [PreopenDirectory]
    /// Read by the guest in `proxy_on_configure`.
    public var pluginConfiguration: [UInt8]
    /// Read by the guest in `proxy_on_vm_start`.
    public var vmConfiguration: [UInt8]
    /// Layotto's `vm_config.engine`, kept for display: every engine runs on
    /// Tern's.
    public var engine: String

    /// Proxy-wasm's default sandbox: no file system, no host environment.
    public static let defaultCapabilities: WASICapabilities = [.arguments, .environment, .clock, .random, .stdio]
    /// Engine names accepted in `vm_config.engine`.
    public static let engineNames: Set<String> = ["tern", "wasmtime", "wasmer"]

    public init(id: String? = nil, name: String = "", instances: Int = FunctionSettings.defaultInstances,
                queueLimit: Int = 256, limits: FunctionLimits = FunctionLimits(),
                capabilities: WASICapabilities = FunctionSettings.defaultCapabilities,
                environment: [EnvironmentVariable] = [], directories: [PreopenDirectory] = [],
                pluginConfiguration: [UInt8] = [], vmConfiguration: [UInt8] = [], engine: String = "tern") {
        self.id = id
        self.name = name.isEmpty ? (id ?? "") : name
        self.instances = instances
        self.queueLimit = queueLimit
        self.limits = limits
        self.capabilities = capabilities
        self.environment = environment
        self.directories = directories
        self.pluginConfiguration = pluginConfiguration
        self.vmConfiguration = vmConfiguration
        self.engine = engine
    }

    /// One instance per core: enough to keep every core busy.
    public static var defaultInstances: Int { ProcessInfo.processInfo.activeProcessorCount }

    /// What the proxy-wasm host needs to load an instance.
    func proxyWasmConfiguration(functionID: String) -> ProxyWasmConfiguration {
        ProxyWasmConfiguration(
            functionID: functionID, vmConfiguration: vmConfiguration, pluginConfiguration: pluginConfiguration,
            limits: limits.resourceLimits, maxInvocationDepth: limits.maxInvocationDepth,
            wasi: WASIConfiguration(environment: environment, capabilities: capabilities, preopens: directories))
    }

    // MARK: Settings written as text

    /// The settings that can be written as one text value: the flat query
    /// parameters of `PUT /v1/functions/{id}` (and `tern deploy`'s
    /// options), and the same names in JSON (`instances`, `queue`,
    /// `capabilities` at the top of a function, the rest in `limits`).
    public enum TextSetting: String, CaseIterable, Sendable {
        case instances
        case queue
        case capabilities
        case maxMemory = "max_memory"
        case timeout
        case fuel
        case maxCallDepth = "max_call_depth"
        case maxInvocationDepth = "max_invocation_depth"

        /// The settings read from a function's `limits` object in JSON.
        static let limits: [TextSetting] = [.maxMemory, .timeout, .fuel, .maxCallDepth, .maxInvocationDepth]
    }

    /// Sets `setting` from its text form; the error is the reason the text
    /// is wrong (the caller names the field).
    public mutating func apply(_ setting: TextSetting, text: String) throws(TextSettingError) {
        func count(_ range: ClosedRange<Int>) throws(TextSettingError) -> Int {
            guard let value = Int(text), range.contains(value) else {
                throw TextSettingError("expected a whole number in \(range.lowerBound)...\(range.upperBound), got '\(text)'")
            }
            return value
        }
        /// The sandbox parsers report the option they parsed; only the
        /// reason matters here.
        func sandboxValue<T>(_ parse: () throws(SandboxOptionError) -> T) throws(TextSettingError) -> T {
            do {
                return try parse()
            } catch {
                switch error {
                case .invalidValue(_, _, let expected): throw TextSettingError("expected \(expected), got '\(text)'")
                default: throw TextSettingError(error.description)
                }
            }
        }
        switch setting {
        case .instances: instances = try count(1...4096)
        case .queue: queueLimit = try count(0...1_000_000)
        case .capabilities:
            capabilities = try sandboxValue { () throws(SandboxOptionError) in
                try RunSandboxOptions.parseCapabilities(text, option: setting.rawValue)
            }
        case .maxMemory:
            limits.maxMemoryBytes = try sandboxValue { () throws(SandboxOptionError) in
                try SandboxLimits.parseByteCount(text)
            }
        case .timeout:
            let timeout = try sandboxValue { () throws(SandboxOptionError) in try SandboxLimits.parseDuration(text) }
            guard timeout > .zero else { throw TextSettingError("must be positive, got '\(text)'") }
            limits.timeout = timeout
        case .fuel:
            guard let fuel = UInt64(text), fuel > 0 else {
                throw TextSettingError("expected a positive whole number, got '\(text)'")
            }
            limits.fuel = fuel
        case .maxCallDepth: limits.maxCallDepth = try count(1...1_000_000)
        case .maxInvocationDepth: limits.maxInvocationDepth = try count(0...1000)
        }
    }
}

/// Why the text of one setting is wrong.
public struct TextSettingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var reason: String
    init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

/// The ceilings of each call of a function.
public struct FunctionLimits: Sendable, Equatable {
    /// Each linear memory, in bytes.
    public var maxMemoryBytes: Int?
    /// Wall-clock time of a request, waiting for an instance included;
    /// nested invocations inherit the caller's remaining time.
    public var timeout: Duration?
    /// Instruction budget of each call.
    public var fuel: UInt64?
    /// Wasm call depth.
    public var maxCallDepth: Int?
    /// Deepest chain of function-to-function invocations started by this
    /// function.
    public var maxInvocationDepth: Int

    public init(maxMemoryBytes: Int? = 256 << 20, timeout: Duration? = .seconds(30), fuel: UInt64? = nil,
                maxCallDepth: Int? = nil, maxInvocationDepth: Int = 8) {
        self.maxMemoryBytes = maxMemoryBytes
        self.timeout = timeout
        self.fuel = fuel
        self.maxCallDepth = maxCallDepth
        self.maxInvocationDepth = maxInvocationDepth
    }

    var resourceLimits: ResourceLimits {
        ResourceLimits(maxMemoryBytes: maxMemoryBytes, maxCallDepth: maxCallDepth, fuel: fuel)
    }
}
