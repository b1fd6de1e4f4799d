import Synchronization
import TernFormat

/// The implementation of a host function: arguments in `slots[0..<params]`,
/// results written to `slots[0..<results]` (the buffer holds the larger of the
/// two counts). `caller` gives access to the calling instance's memory.
typealias HostFunctionBody = (_ caller: Caller, _ slots: UnsafeMutablePointer<UInt64>) throws(Trap) -> Void

struct HostFunctionRecord {
    var type: FunctionType
    var body: HostFunctionBody
}

/// Owns every runtime entity (functions, memories, tables, globals,
/// instances) created in it, and the execution state of code running in it.
/// Entities are freed together when the store is released.
///
/// Thread confinement: a store and everything in it is used by one thread at
/// a time; only `interruptHandle` may be used from other threads.
public final class Store {
    public let engine: Engine
    public var limits: ResourceLimits {
        didSet { fuelRemaining = limits.fuel.map { Int64(clamping: $0) } ?? 0 }
    }

    /// Set by `interruptHandle`; checked by running code.
    let interruptWord: UnsafeMutablePointer<Atomic<UInt32>>
    /// Fuel left when `limits.fuel` is set. Running code decrements it and
    /// traps with `fuel exhausted` when it would go below zero.
    var fuelRemaining: Int64
    var isFuelEnabled: Bool { limits.fuel != nil }
    /// Effective call depth limit.
    var maxCallDepth: Int { min(limits.maxCallDepth ?? .max, engine.configuration.maxCallDepth) }

    var hostFunctions: [HostFunctionRecord] = []
    /// Modules instantiated here: their code must live as long as the
    /// store's function entities, which may outlive the `Instance` objects.
    var retainedModules: [CompiledModule] = []
    /// Interpreter stacks, created on first use.
    var executionStack: ExecutionStack?
    /// Deallocation actions for everything allocated in this store.
    var allocations = EntityArena()

    public init(engine: Engine, limits: ResourceLimits = ResourceLimits()) {
        self.engine = engine
        self.limits = limits
        self.fuelRemaining = limits.fuel.map { Int64(clamping: $0) } ?? 0
        interruptWord = .allocate(capacity: 1)
        interruptWord.initialize(to: Atomic<UInt32>(0))
    }

    deinit {
        allocations.releaseAll()
        interruptWord.deinitialize(count: 1)
        interruptWord.deallocate()
    }

    public var interruptHandle: InterruptHandle { InterruptHandle(word: interruptWord) }

    /// Fuel consumed so far (when fuel metering is on).
    public var fuelConsumed: UInt64 {
        guard let budget = limits.fuel else { return 0 }
        return budget - UInt64(max(fuelRemaining, 0))
    }

    /// Remaining fuel when metering is on.
    public var fuel: UInt64? { isFuelEnabled ? UInt64(max(fuelRemaining, 0)) : nil }

    /// Resets the fuel budget (e.g. before each request of a pooled instance).
    public func refuel() { fuelRemaining = limits.fuel.map { Int64(clamping: $0) } ?? 0 }
}

/// Collects deallocations so a store frees all its entities at once.
struct EntityArena {
    private var releases: [() -> Void] = []

    mutating func allocate<T>(_ value: T) -> UnsafeMutablePointer<T> {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: 1)
        pointer.initialize(to: value)
        releases.append { pointer.deinitialize(count: 1); pointer.deallocate() }
        return pointer
    }

    /// Uninitialized storage for a trivial type (plain pointers and
    /// integers), which the caller initializes before use.
    mutating func reserve<T: BitwiseCopyable>(_ type: T.Type) -> UnsafeMutablePointer<T> {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: 1)
        releases.append { pointer.deallocate() }
        return pointer
    }

    mutating func allocateArray<T>(_ values: [T]) -> UnsafeMutablePointer<T> {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(values.count, 1))
        pointer.initialize(from: values, count: values.count)
        let count = values.count
        releases.append { pointer.deinitialize(count: count); pointer.deallocate() }
        return pointer
    }

    mutating func onRelease(_ action: @escaping () -> Void) { releases.append(action) }

    mutating func releaseAll() {
        for release in releases.reversed() { release() }
        releases = []
    }
}
