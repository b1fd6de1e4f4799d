#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A command-line sandbox option that cannot be used.
public enum SandboxOptionError: Error, Sendable, Equatable, CustomStringConvertible {
    case unknownOption(String)
    case missingValue(option: String)
    case invalidValue(option: String, value: String, expected: String)
    case conflict(String)

    public var description: String {
        switch self {
        case .unknownOption(let option): "unknown option '\(option)'"
        case .missingValue(let option): "option '\(option)' needs a value"
        case .invalidValue(let option, let value, let expected): "invalid value '\(value)' for \(option): expected \(expected)"
        case .conflict(let message): message
        }
    }
}

/// The sandbox of `tern run`: what the guest may reach and its limits, as
/// set by command-line options.
///
/// Defaults (like wasmtime's): the guest gets its arguments, the
/// environment variables passed with `--env` (none of the host's), stdio,
/// clocks and randomness; no file system unless directories are given with
/// `--dir`; no resource limit beyond the engine's.
public struct RunSandboxOptions: Sendable, Equatable {
    public var preopens: [PreopenDirectory] = []
    public var environment: [EnvironmentVariable] = []
    public var capabilities: WASICapabilities = RunSandboxOptions.defaultCapabilities
    public var limits: SandboxLimits = SandboxLimits()
    /// Export to call instead of `_start` (after `_initialize` if present).
    public var invoke: String?

    /// `args`, `env`, `clock`, `random`, `stdio` and `fs` (which only has
    /// an effect with `--dir`).
    public static let defaultCapabilities: WASICapabilities = .all

    public init() {}

    /// The options `apply(option:value:)` understands; all take a value,
    /// given as `--name value` or `--name=value`.
    public static let options: [(name: String, argument: String, help: String)] = [
        ("--dir", "HOST[::GUEST][:ro]", "preopen host directory HOST as GUEST (default: HOST), read-only with :ro"),
        ("--env", "NAME=VALUE", "give the guest an environment variable (NAME alone: the host's value)"),
        ("--allow", "CAPS", "grant exactly these capabilities: args,env,clock,random,stdio,fs, all or none (default: all)"),
        ("--deny", "CAPS", "withdraw these capabilities"),
        ("--max-memory", "SIZE", "ceiling on linear memory, e.g. 64MiB"),
        ("--max-table", "N", "ceiling on table elements"),
        ("--max-depth", "N", "ceiling on Wasm call depth"),
        ("--timeout", "DURATION", "wall-clock limit per invocation, e.g. 2s or 100ms"),
        ("--fuel", "N", "instruction budget (deterministic)"),
        ("--invoke", "NAME", "call export NAME (with the remaining arguments as its parameters) instead of _start"),
    ]

    /// Option names `apply(option:value:)` accepts.
    public static var optionNames: Set<String> { Set(options.map(\.name)) }

    /// One line per option, for `--help`.
    public static var helpText: String {
        let width = options.map { $0.name.count + 1 + $0.argument.count }.max() ?? 0
        return options.map { option in
            let left = "\(option.name) \(option.argument)"
            return "  " + left + String(repeating: " ", count: width - left.count + 2) + option.help
        }.joined(separator: "\n")
    }

    /// Parses leading options of `arguments` up to the first argument that
    /// is not an option (the module path) or `--`; returns the options and
    /// the remaining arguments (module path first).
    ///
    ///     let (options, rest) = try RunSandboxOptions.parse(["--dir", "data::/data", "app.wasm", "x"])
    ///     // rest == ["app.wasm", "x"]
    public static func parse(_ arguments: [String]) throws(SandboxOptionError) -> (options: RunSandboxOptions, remaining: [String]) {
        var options = RunSandboxOptions()
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--" { index += 1; break }
            guard argument.hasPrefix("--") else { break }
            let name: String, value: String
            if let equals = argument.firstIndex(of: "=") {
                name = String(argument[..<equals])
                value = String(argument[argument.index(after: equals)...])
                index += 1
            } else {
                name = argument
                guard optionNames.contains(name) else { throw .unknownOption(name) }
                guard index + 1 < arguments.count else { throw .missingValue(option: name) }
                value = arguments[index + 1]
                index += 2
            }
            try options.apply(option: name, value: value)
        }
        try options.validate()
        return (options, Array(arguments[index...]))
    }

    /// Applies one option (`--dir`, `--env`, ...; see `options`).
    public mutating func apply(option: String, value: String) throws(SandboxOptionError) {
        switch option {
        case "--dir":
            preopens.append(try RunSandboxOptions.parseDirectory(value))
        case "--env":
            environment.append(try RunSandboxOptions.parseEnvironment(value))
        case "--allow":
            capabilities = try RunSandboxOptions.parseCapabilities(value, option: option)
        case "--deny":
            capabilities.subtract(try RunSandboxOptions.parseCapabilities(value, option: option))
        case "--max-memory":
            limits.maxMemoryBytes = try SandboxLimits.parseByteCount(value)
        case "--max-table":
            limits.maxTableElements = try RunSandboxOptions.parseCount(value, option: option)
        case "--max-depth":
            limits.maxCallDepth = try RunSandboxOptions.parseCount(value, option: option)
        case "--timeout":
            limits.timeout = try SandboxLimits.parseDuration(value)
        case "--fuel":
            guard let fuel = UInt64(value.trimmingWhitespace) else {
                throw .invalidValue(option: option, value: value, expected: "a whole number")
            }
            limits.fuel = fuel
        case "--invoke":
            guard !value.isEmpty else { throw .missingValue(option: option) }
            invoke = value
        default:
            throw .unknownOption(option)
        }
    }

    /// Checks the options agree with each other.
    public func validate() throws(SandboxOptionError) {
        if !preopens.isEmpty && !capabilities.contains(.filesystem) {
            throw .conflict("--dir needs the fs capability (see --allow/--deny)")
        }
    }

    /// `HOST[::GUEST][:ro]`.
    public static func parseDirectory(_ text: String) throws(SandboxOptionError) -> PreopenDirectory {
        var spec = Substring(text)
        var readOnly = false
        if spec.hasSuffix(":ro") {
            readOnly = true
            spec = spec.dropLast(3)
        }
        let host: Substring, guest: Substring?
        if let separator = spec.firstRange(of: "::") {
            host = spec[..<separator.lowerBound]
            guest = spec[separator.upperBound...]
        } else {
            host = spec
            guest = nil
        }
        guard !host.isEmpty, guest.map({ !$0.isEmpty }) ?? true else {
            throw .invalidValue(option: "--dir", value: text, expected: "HOST[::GUEST][:ro]")
        }
        return PreopenDirectory(hostPath: String(host), guestPath: guest.map(String.init), isReadOnly: readOnly)
    }

    /// `NAME=VALUE`, or `NAME` for the host's value of `NAME`.
    public static func parseEnvironment(_ text: String) throws(SandboxOptionError) -> EnvironmentVariable {
        if let equals = text.firstIndex(of: "=") {
            let name = String(text[..<equals])
            guard !name.isEmpty else { throw .invalidValue(option: "--env", value: text, expected: "NAME=VALUE") }
            return EnvironmentVariable(name: name, value: String(text[text.index(after: equals)...]))
        }
        guard !text.isEmpty, let host = getenv(text) else {
            throw .invalidValue(option: "--env", value: text, expected: "NAME=VALUE, or NAME set in the host environment")
        }
        return EnvironmentVariable(name: text, value: String(cString: host))
    }

    /// A comma-separated list of capability names.
    public static func parseCapabilities(_ text: String, option: String = "--allow") throws(SandboxOptionError) -> WASICapabilities {
        var result: WASICapabilities = []
        for name in text.split(separator: ",", omittingEmptySubsequences: true) {
            guard let capability = WASICapabilities(name: String(name.trimmingWhitespace)) else {
                throw .invalidValue(option: option, value: String(name),
                                    expected: "one of " + WASICapabilities.names.map(\.name).joined(separator: ", ") + ", all, none")
            }
            result.formUnion(capability)
        }
        return result
    }

    static func parseCount(_ text: String, option: String) throws(SandboxOptionError) -> Int {
        guard let value = Int(text.trimmingWhitespace), value >= 0 else {
            throw .invalidValue(option: option, value: text, expected: "a whole number")
        }
        return value
    }

    /// The WASI configuration for a run with `arguments` as `argv`.
    public func wasiConfiguration(arguments: [String]) -> WASIConfiguration {
        WASIConfiguration(arguments: arguments, environment: environment, capabilities: capabilities,
                          preopens: preopens)
    }
}
