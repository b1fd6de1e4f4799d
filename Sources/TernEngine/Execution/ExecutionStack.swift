#if canImport(Glibc)
import Glibc
#endif

/// The saved state of a caller while its callee runs.
struct Frame {
    var returnPC: UnsafePointer<UInt32>
    var fp: UnsafeMutablePointer<UInt64>
    var instance: UnsafeMutablePointer<InstanceEntity>
    var function: UnsafePointer<CompiledFunction>
}

/// The value stack (frames of 8-byte slots: locals, then operand
/// temporaries) and the frame stack of one store. Wasm-to-Wasm calls push a
/// `Frame` here instead of recursing on the host thread's stack.
final class ExecutionStack {
    /// Nested activations (host function calling back into Wasm) do recurse
    /// on the host stack; this bounds them well below its size.
    static let maxActivations = 1000

    let values: UnsafeMutablePointer<UInt64>
    /// One past the last usable slot.
    let valueLimit: UnsafeMutablePointer<UInt64>
    let frames: UnsafeMutablePointer<Frame>
    let frameCapacity: Int
    private let valueBytes: Int
    private let frameBytes: Int

    /// First free slot and frame, published by the interpreter before it
    /// calls a host function, so a nested `invoke` starts above them.
    var valueTop: UnsafeMutablePointer<UInt64>
    var depth = 0
    var activations = 0

    init(configuration: EngineConfiguration) {
        // Reserved, not committed: pages are touched only as deep as calls go.
        valueBytes = max(configuration.valueStackSlots, 1) * MemoryLayout<UInt64>.stride
        frameCapacity = max(configuration.maxCallDepth, 1)
        frameBytes = frameCapacity * MemoryLayout<Frame>.stride
        values = ExecutionStack.reserve(valueBytes).bindMemory(to: UInt64.self, capacity: valueBytes / 8)
        frames = ExecutionStack.reserve(frameBytes).bindMemory(to: Frame.self, capacity: frameCapacity)
        valueLimit = values + valueBytes / 8
        valueTop = values
    }

    deinit {
        munmap(values, valueBytes)
        munmap(frames, frameBytes)
    }

    private static func reserve(_ bytes: Int) -> UnsafeMutableRawPointer {
        let address = mmap(nil, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0)
        guard let address, address != MAP_FAILED else { fatalError("cannot reserve \(bytes) bytes for the execution stack") }
        return address
    }

    /// The trap `kind` raised by running code, with its backtrace; also
    /// hands the unused fuel back to the store. Out of line: traps are rare.
    @inline(never)
    func trapped(_ kind: TrapKind, function: UnsafePointer<CompiledFunction>, instance: UnsafeMutablePointer<InstanceEntity>,
                 depth: Int, entryDepth: Int, fuel: Int64, store: Store) -> Trap {
        if store.isFuelEnabled { store.fuelRemaining = fuel }
        return Trap(kind, backtrace: backtrace(function: function, instance: instance, depth: depth, entryDepth: entryDepth))
    }

    /// A trap thrown by a host function called from Wasm, with the calling
    /// frames appended to its backtrace.
    @inline(never)
    func hostTrapped(_ trap: Trap, function: UnsafePointer<CompiledFunction>, instance: UnsafeMutablePointer<InstanceEntity>,
                     depth: Int, entryDepth: Int) -> Trap {
        var trap = trap
        trap.backtrace += backtrace(function: function, instance: instance, depth: depth, entryDepth: entryDepth)
        return trap
    }

    /// The Wasm frames of the current activation, innermost first.
    func backtrace(function: UnsafePointer<CompiledFunction>, instance: UnsafeMutablePointer<InstanceEntity>,
                   depth: Int, entryDepth: Int) -> [BacktraceFrame] {
        var result = [backtraceFrame(function, instance)]
        var index = depth
        while index > entryDepth {
            index -= 1
            result.append(backtraceFrame(frames[index].function, frames[index].instance))
        }
        return result
    }

    private func backtraceFrame(_ function: UnsafePointer<CompiledFunction>,
                                _ instance: UnsafeMutablePointer<InstanceEntity>) -> BacktraceFrame {
        let index = function.pointee.functionIndex
        let names = instance.pointee.module.takeUnretainedValue().module.names
        return BacktraceFrame(functionIndex: Int(index), functionName: names.functionNames[index])
    }
}

/// Calls `function` (Wasm or host) with its parameters in `slots[0..<params]`;
/// on return its results are in `slots[0..<results]`. Re-entrant: a host
/// function may call back into Wasm through `invoke` on the same store.
func invoke(_ function: UnsafeMutablePointer<FunctionEntity>, slots: UnsafeMutablePointer<UInt64>, store: Store) throws(Trap) {
    guard let code = function.pointee.code, let instance = function.pointee.instance else {
        try store.hostFunctions[function.pointee.hostIndex].body(Caller(instanceEntity: nil, store: store), slots)
        return
    }
    let stack: ExecutionStack
    if let existing = store.executionStack {
        stack = existing
    } else {
        stack = ExecutionStack(configuration: store.engine.configuration)
        store.executionStack = stack
    }
    let savedTop = stack.valueTop
    let savedDepth = stack.depth
    defer {
        stack.valueTop = savedTop
        stack.depth = savedDepth
        stack.activations -= 1
    }
    stack.activations += 1

    let compiled = UnsafePointer(code)
    let fp = savedTop
    let frameSize = compiled.pointee.frameSize
    guard stack.activations <= ExecutionStack.maxActivations,
          savedDepth < min(store.maxCallDepth, stack.frameCapacity),
          frameSize <= stack.valueLimit - fp
    else {
        throw Trap(.callStackExhausted)
    }
    let parameterCount = compiled.pointee.parameterCount
    fp.update(from: slots, count: parameterCount)
    (fp + parameterCount).update(repeating: 0, count: compiled.pointee.localCount - parameterCount)
    stack.valueTop = fp + frameSize
    // The activation counts as a frame for the depth limit.
    stack.depth = savedDepth + 1

    if store.interruptWord.pointee.load(ordering: .relaxed) != 0 {
        throw Trap(.deadlineExceeded, backtrace: stack.backtrace(function: compiled, instance: instance, depth: 0, entryDepth: 0))
    }
    if store.isFuelEnabled {
        store.fuelRemaining -= 1
        if store.fuelRemaining < 0 {
            throw Trap(.fuelExhausted, backtrace: stack.backtrace(function: compiled, instance: instance, depth: 0, entryDepth: 0))
        }
    }
    try stack.run(compiled, instance: instance, fp: fp, store: store)
    slots.update(from: fp, count: compiled.pointee.resultCount)
}
