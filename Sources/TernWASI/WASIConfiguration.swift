/// A host directory made visible to the guest.
public struct PreopenDirectory: Sendable, Hashable, CustomStringConvertible {
    /// Where it is on the host (opened when the WASI context is created).
    public var hostPath: String
    /// The name the guest sees (`fd_prestat_dir_name`), e.g. `/data` or `.`.
    /// wasi-libc maps the guest's absolute paths onto preopens by this name.
    public var guestPath: String
    /// Read-only: no right that modifies anything is granted on the
    /// directory or on anything opened beneath it, and host descriptors
    /// beneath it are only ever opened `O_RDONLY`.
    public var isReadOnly: Bool

    public init(hostPath: String, guestPath: String? = nil, isReadOnly: Bool = false) {
        self.hostPath = hostPath
        self.guestPath = guestPath ?? hostPath
        self.isReadOnly = isReadOnly
    }

    /// `HOST::GUEST` plus `:ro` when read-only (the `--dir` syntax).
    public var description: String {
        (hostPath == guestPath ? hostPath : "\(hostPath)::\(guestPath)") + (isReadOnly ? ":ro" : "")
    }
}

/// One environment variable granted to the guest.
public struct EnvironmentVariable: Sendable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// Everything a WASI context exposes to its guest. Nothing of the host's
/// own arguments, environment or file system is visible unless listed here.
public struct WASIConfiguration: Sendable, Equatable {
    /// `argv`, program name first.
    public var arguments: [String]
    /// The only variables the guest can see (never the host's environment).
    public var environment: [EnvironmentVariable]
    public var capabilities: WASICapabilities
    /// Preopened directories, as fds 3, 4, ... in this order (only with the
    /// `filesystem` capability).
    public var preopens: [PreopenDirectory]
    /// Most descriptors a guest may hold open at once (fds 0-2 and the
    /// preopens included); more fail with `EMFILE`.
    public var maxOpenFiles: Int

    public init(arguments: [String] = [], environment: [EnvironmentVariable] = [],
                capabilities: WASICapabilities = .none, preopens: [PreopenDirectory] = [],
                maxOpenFiles: Int = 256) {
        self.arguments = arguments
        self.environment = environment
        self.capabilities = capabilities
        self.preopens = preopens
        self.maxOpenFiles = maxOpenFiles
    }
}

/// Why a WASI context could not be created.
public enum WASISetupError: Error, Sendable, Equatable, CustomStringConvertible {
    case cannotOpenPreopen(hostPath: String, reason: String)

    public var description: String {
        switch self {
        case .cannotOpenPreopen(let path, let reason): "cannot open directory '\(path)' to preopen: \(reason)"
        }
    }
}
