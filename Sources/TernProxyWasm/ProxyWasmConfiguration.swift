import TernEngine
import TernWASI

/// Per-function settings of the host.
public struct ProxyWasmConfiguration: Sendable {
    /// The id the function is installed under: used for logs, metrics and
    /// queue names until (or unless) the guest announces its own id from
    /// `proxy_get_id`.
    public var functionID: String
    /// Read by the guest from `proxy_on_vm_start` (buffer VM_CONFIGURATION).
    public var vmConfiguration: [UInt8]
    /// Read by the guest from `proxy_on_configure` (buffer PLUGIN_CONFIGURATION).
    public var pluginConfiguration: [UInt8]
    /// Memory, table, call-depth and fuel ceilings of each instance; fuel
    /// is a budget per call (refilled before each request, tick...).
    public var limits: ResourceLimits
    /// Deepest chain of function-to-function invocations; deeper
    /// invocations fail the whole chain with `callDepthExceeded`.
    public var maxInvocationDepth: Int
    /// Largest buffer or serialized header map the host keeps for a guest
    /// (response body, call data...); growing one past it is refused with
    /// `BAD_ARGUMENT`, so a guest cannot exhaust host memory.
    public var maxHostDataBytes: Int
    /// What the guest sees through WASI. The default follows the spec's
    /// advice for proxy-wasm: no arguments, only configured environment
    /// variables, clocks, randomness, and stdout/stderr (which go to the
    /// function logger); no file system.
    public var wasi: WASIConfiguration

    public init(functionID: String = "", vmConfiguration: [UInt8] = [], pluginConfiguration: [UInt8] = [],
                limits: ResourceLimits = ResourceLimits(), maxInvocationDepth: Int = 8,
                maxHostDataBytes: Int = 64 << 20,
                wasi: WASIConfiguration = WASIConfiguration(capabilities: [.arguments, .environment, .clock,
                                                                           .random, .stdio])) {
        self.functionID = functionID
        self.vmConfiguration = vmConfiguration
        self.pluginConfiguration = pluginConfiguration
        self.limits = limits
        self.maxInvocationDepth = maxInvocationDepth
        self.maxHostDataBytes = maxHostDataBytes
        self.wasi = wasi
    }
}
