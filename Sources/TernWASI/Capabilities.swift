import Synchronization

/// What a guest may reach through WASI, granted explicitly per function.
/// A call that needs a capability that is not granted returns `ENOTCAPABLE`
/// (76) and is recorded in the context's `DeniedCallLog`.
public struct WASICapabilities: OptionSet, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// `args_get`, `args_sizes_get`.
    public static let arguments = WASICapabilities(rawValue: 1 << 0)
    /// `environ_get`, `environ_sizes_get` (only the variables configured in
    /// `WASIConfiguration.environment` are ever visible).
    public static let environment = WASICapabilities(rawValue: 1 << 1)
    /// `clock_time_get`, `clock_res_get`, and clock subscriptions of
    /// `poll_oneoff` (sleeping).
    public static let clock = WASICapabilities(rawValue: 1 << 2)
    /// `random_get`.
    public static let random = WASICapabilities(rawValue: 1 << 3)
    /// Reading fd 0 and writing fds 1 and 2 (their sinks are chosen by the
    /// embedder). Without it fds 0-2 exist but have no rights.
    public static let stdio = WASICapabilities(rawValue: 1 << 4)
    /// The preopened directories of `WASIConfiguration.preopens`. Without
    /// it no directory is preopened.
    public static let filesystem = WASICapabilities(rawValue: 1 << 5)

    public static let all: WASICapabilities = [.arguments, .environment, .clock, .random, .stdio, .filesystem]
    public static let none: WASICapabilities = []

    /// The names used by `--allow` / `--deny`, in a fixed order.
    public static let names: [(name: String, capability: WASICapabilities)] = [
        ("args", .arguments), ("env", .environment), ("clock", .clock),
        ("random", .random), ("stdio", .stdio), ("fs", .filesystem),
    ]

    /// Parses `name` (one of `names`, or `all` / `none`).
    public init?(name: String) {
        switch name {
        case "all": self = .all
        case "none": self = .none
        default:
            guard let entry = WASICapabilities.names.first(where: { $0.name == name }) else { return nil }
            self = entry.capability
        }
    }

    /// Comma-separated names, e.g. `args,env,clock`.
    public var description: String {
        let granted = WASICapabilities.names.filter { contains($0.capability) }.map(\.name)
        return granted.isEmpty ? "none" : granted.joined(separator: ",")
    }
}

/// A call refused with `ENOTCAPABLE`.
public struct DeniedCall: Sendable, Equatable, CustomStringConvertible {
    /// The function (as named by the embedder) whose guest made the call.
    public var function: String
    /// The WASI call, e.g. `path_open`.
    public var call: String
    /// Why, e.g. `path escapes the preopen`.
    public var reason: String

    public init(function: String, call: String, reason: String) {
        self.function = function
        self.call = call
        self.reason = reason
    }

    public var description: String { "\(function): \(call) denied: \(reason)" }
}

/// Counts and reports denied calls for one function. Thread-safe: one log
/// may be shared by every instance of a function (the server keeps one per
/// function and exposes `counts`).
public final class DeniedCallLog: Sendable {
    /// The function name recorded in each `DeniedCall`.
    public let function: String
    private let state = Mutex<(counts: [String: Int], recent: [DeniedCall])>((counts: [:], recent: []))
    private let onDenied: (@Sendable (DeniedCall) -> Void)?
    /// How many recent denials `recent` keeps.
    public let recentLimit: Int

    /// - Parameters:
    ///   - function: name of the function, for reports.
    ///   - recentLimit: how many of the latest denials to keep.
    ///   - onDenied: called synchronously (on the guest's thread) for each
    ///     denial, e.g. to log it. Must not block for long.
    public init(function: String = "", recentLimit: Int = 32, onDenied: (@Sendable (DeniedCall) -> Void)? = nil) {
        self.function = function
        self.recentLimit = max(0, recentLimit)
        self.onDenied = onDenied
    }

    public func record(call: String, reason: String) {
        let denied = DeniedCall(function: function, call: call, reason: reason)
        state.withLock { state in
            state.counts[call, default: 0] += 1
            if recentLimit > 0 {
                if state.recent.count >= recentLimit { state.recent.removeFirst() }
                state.recent.append(denied)
            }
        }
        onDenied?(denied)
    }

    /// Denials so far, keyed by WASI call name.
    public var counts: [String: Int] { state.withLock { $0.counts } }
    /// Total denials so far.
    public var total: Int { state.withLock { $0.counts.values.reduce(0, +) } }
    /// The latest denials, oldest first.
    public var recent: [DeniedCall] { state.withLock { $0.recent } }

    public func reset() { state.withLock { $0 = (counts: [:], recent: []) } }
}
