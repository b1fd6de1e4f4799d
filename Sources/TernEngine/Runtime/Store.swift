import Synchronization
import TernFormat

/// Engine-wide settings, fixed when the engine is created.
public struct EngineConfiguration: Sendable {
    /// Wasm call depth at which a call traps with `call stack exhausted`.
    /// Wasm calls never recurse on the host thread's stack, so this only
    /// bounds the interpreter's own frame stack.
    public var maxCallDepth: Int = 25_000
    /// Size of each store's value stack (locals and operands of all active
    /// frames), in 8-byte slots. Reserved virtually; pages are committed on
    /// first touch. Exceeding it also traps with `call stack exhausted`.
    public var valueStackSlots: Int = 4 << 20

    public init() {}
}

/// Per-store resource limits (the sandbox's ceilings). `nil` means unlimited
/// (up to what WebAssembly itself allows).
public struct ResourceLimits: Sendable, Equatable {
    /// Ceiling on each linear memory, in bytes.
    public var maxMemoryBytes: Int?
    /// Ceiling on each table, in elements.
    public var maxTableElements: Int?
    /// Wasm call depth; overrides `EngineConfiguration.maxCallDepth` when lower.
    public var maxCallDepth: Int?
    /// Instruction budget (see `Store.fuel`); nil disables fuel metering.
    public var fuel: UInt64?

    public init(maxMemoryBytes: Int? = nil, maxTableElements: Int? = nil, maxCallDepth: Int? = nil, fuel: UInt64? = nil) {
        self.maxMemoryBytes = maxMemoryBytes
        self.maxTableElements = maxTableElements
        self.maxCallDepth = maxCallDepth
        self.fuel = fuel
    }
}

/// A thread-safe handle that makes code running in a store trap with
/// `deadline exceeded` at its next check (loop back-edge or function entry):
/// one relaxed load per check, no syscall. Used by deadline timers.
public struct InterruptHandle: @unchecked Sendable {
    let word: UnsafeMutablePointer<Atomic<UInt32>>

    public func interrupt() { word.pointee.store(1, ordering: .relaxed) }
    public func clear() { word.pointee.store(0, ordering: .relaxed) }
    public var isInterrupted: Bool { word.pointee.load(ordering: .relaxed) != 0 }
}
