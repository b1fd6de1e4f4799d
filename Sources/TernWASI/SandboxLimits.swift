import TernEngine

/// The resource ceilings of one sandboxed invocation. `nil` means no limit
/// beyond what WebAssembly and the engine configuration allow.
///
/// Memory, tables, call depth and fuel map onto the store's
/// `ResourceLimits` (enforced by the engine); `timeout` is enforced by
/// arming a `DeadlineTimer` around each invocation.
public struct SandboxLimits: Sendable, Equatable {
    /// Ceiling on each linear memory, in bytes (rounded down to whole
    /// 64 KiB pages). `memory.grow` past it returns -1.
    public var maxMemoryBytes: Int?
    /// Ceiling on each table, in elements.
    public var maxTableElements: Int?
    /// Wasm call depth; deeper calls trap with `call stack exhausted`.
    public var maxCallDepth: Int?
    /// Wall-clock time per invocation; past it the guest traps with
    /// `deadline exceeded`.
    public var timeout: Duration?
    /// Instruction budget per store; exhausting it traps with
    /// `fuel exhausted`. Deterministic: the same run consumes the same fuel.
    public var fuel: UInt64?

    public init(maxMemoryBytes: Int? = nil, maxTableElements: Int? = nil, maxCallDepth: Int? = nil,
                timeout: Duration? = nil, fuel: UInt64? = nil) {
        self.maxMemoryBytes = maxMemoryBytes
        self.maxTableElements = maxTableElements
        self.maxCallDepth = maxCallDepth
        self.timeout = timeout
        self.fuel = fuel
    }

    /// The engine-enforced part of these limits.
    public var resourceLimits: ResourceLimits {
        ResourceLimits(maxMemoryBytes: maxMemoryBytes, maxTableElements: maxTableElements,
                       maxCallDepth: maxCallDepth, fuel: fuel)
    }

    /// A store honouring these limits.
    public func makeStore(engine: Engine) -> Store {
        Store(engine: engine, limits: resourceLimits)
    }

    /// Parses a byte count: a whole number with an optional unit. `K`,
    /// `KiB`, `M`, `MiB`, `G`, `GiB` are powers of 1024; `KB`, `MB`, `GB`
    /// are powers of 1000; `B` or no unit means bytes. E.g. `64MiB`,
    /// `512k`, `65536`.
    public static func parseByteCount(_ text: String) throws(SandboxOptionError) -> Int {
        let trimmed = text.trimmingWhitespace
        let digits = trimmed.prefix(while: { $0.isASCII && $0.isNumber })
        let unit = trimmed.dropFirst(digits.count).trimmingWhitespace.lowercased()
        guard !digits.isEmpty, let value = Int(digits) else {
            throw .invalidValue(option: "size", value: text, expected: "a byte count such as 64MiB")
        }
        let multiplier: Int
        switch unit {
        case "", "b": multiplier = 1
        case "k", "ki", "kib": multiplier = 1 << 10
        case "m", "mi", "mib": multiplier = 1 << 20
        case "g", "gi", "gib": multiplier = 1 << 30
        case "kb": multiplier = 1_000
        case "mb": multiplier = 1_000_000
        case "gb": multiplier = 1_000_000_000
        default: throw .invalidValue(option: "size", value: text, expected: "a unit among B, KiB, MiB, GiB, KB, MB, GB")
        }
        let (bytes, overflow) = value.multipliedReportingOverflow(by: multiplier)
        guard !overflow else { throw .invalidValue(option: "size", value: text, expected: "a smaller size") }
        return bytes
    }

    /// Parses a duration: a number (decimals allowed) followed by a unit
    /// among `ns`, `us`, `ms`, `s`, `m` (minutes), `h`. E.g. `2s`, `100ms`,
    /// `1.5s`. A unit is required.
    public static func parseDuration(_ text: String) throws(SandboxOptionError) -> Duration {
        let trimmed = text.trimmingWhitespace
        let number = trimmed.prefix(while: { ($0.isASCII && $0.isNumber) || $0 == "." })
        let unit = trimmed.dropFirst(number.count).trimmingWhitespace.lowercased()
        guard let value = Double(number), value.isFinite, value >= 0 else {
            throw .invalidValue(option: "duration", value: text, expected: "a duration such as 2s or 100ms")
        }
        let nanosecondsPerUnit: Double
        switch unit {
        case "ns": nanosecondsPerUnit = 1
        case "us", "µs": nanosecondsPerUnit = 1e3
        case "ms": nanosecondsPerUnit = 1e6
        case "s": nanosecondsPerUnit = 1e9
        case "m", "min": nanosecondsPerUnit = 60e9
        case "h": nanosecondsPerUnit = 3600e9
        default: throw .invalidValue(option: "duration", value: text, expected: "a unit among ns, us, ms, s, m, h")
        }
        let nanoseconds = value * nanosecondsPerUnit
        guard nanoseconds < 1e18 else { throw .invalidValue(option: "duration", value: text, expected: "a shorter duration") }
        return .nanoseconds(Int64(nanoseconds.rounded()))
    }
}

extension StringProtocol {
    var trimmingWhitespace: Substring {
        let scalars = self[...]
        let start = scalars.firstIndex(where: { !$0.isWhitespace }) ?? scalars.endIndex
        let end = scalars.lastIndex(where: { !$0.isWhitespace }).map { scalars.index(after: $0) } ?? start
        return Substring(scalars[start..<Swift.max(start, end)])
    }
}
