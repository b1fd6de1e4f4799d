import TernEngine

/// How a host function ends other than with `OK`: a status for the guest,
/// or a trap that stops it.
enum HostCallError: Error {
    case status(ProxyStatus)
    case trap(Trap)
}

/// One call of a host function by the guest: its arguments, and checked
/// access to the caller's memory. Guest pointers and sizes are u32 values
/// widened to Int, so no arithmetic on them can overflow; every access is
/// bounds-checked by `Memory` and a bad one becomes
/// `INVALID_MEMORY_ACCESS`, never a host crash.
struct HostCall {
    let state: HostState
    let caller: Caller
    let arguments: [Value]

    /// Argument `index` as a u32 (the engine has checked the types against
    /// the declared signature, so the fallback never happens).
    func u32(_ index: Int) -> UInt32 {
        guard arguments.indices.contains(index), case .i32(let value) = arguments[index] else { return 0 }
        return value
    }

    func u64(_ index: Int) -> UInt64 {
        guard arguments.indices.contains(index), case .i64(let value) = arguments[index] else { return 0 }
        return value
    }

    private var memory: Memory {
        get throws(HostCallError) {
            guard let memory = caller.memory else { throw .status(.invalidMemoryAccess) }
            return memory
        }
    }

    /// The bytes at the pointer in argument `pointerIndex`, of the size in
    /// argument `pointerIndex + 1` (the ABI always passes them together).
    func bytes(at pointerIndex: Int) throws(HostCallError) -> [UInt8] {
        let memory = try memory
        do {
            return try memory.read(at: Int(u32(pointerIndex)), count: Int(u32(pointerIndex + 1)))
        } catch {
            throw .status(.invalidMemoryAccess)
        }
    }

    /// Like `bytes(at:)`, decoded as UTF-8 (invalid sequences repaired).
    func string(at pointerIndex: Int) throws(HostCallError) -> String {
        String(decoding: try bytes(at: pointerIndex), as: UTF8.self)
    }

    /// Stores `value` where the pointer in argument `pointerIndex` points.
    func store(_ value: UInt32, atPointerIn pointerIndex: Int) throws(HostCallError) {
        do {
            try memory.storeUInt32(value, at: Int(u32(pointerIndex)))
        } catch {
            throw .status(.invalidMemoryAccess)
        }
    }

    func store(_ value: UInt64, atPointerIn pointerIndex: Int) throws(HostCallError) {
        do {
            try memory.storeUInt64(value, at: Int(u32(pointerIndex)))
        } catch {
            throw .status(.invalidMemoryAccess)
        }
    }

    /// Checks that the u32 return slots at the pointers in the given
    /// arguments are writable, before doing anything that cannot be undone
    /// (allocating guest memory, consuming a queue item).
    func checkReturnSlots(_ pointerIndices: Int...) throws(HostCallError) {
        let memory = try memory
        for index in pointerIndices {
            do {
                _ = try memory.loadUInt32(at: Int(u32(index)))
            } catch {
                throw .status(.invalidMemoryAccess)
            }
        }
    }

    /// Hands `bytes` to the guest: copies them into memory allocated with
    /// the guest's allocator and stores the address and size at the
    /// pointers in arguments `pointerIndex` and `pointerIndex + 1`. Empty
    /// data is returned as address 0, size 0, without allocating.
    func returnBytes(_ bytes: [UInt8], toPointersIn pointerIndex: Int) throws(HostCallError) {
        try checkReturnSlots(pointerIndex, pointerIndex + 1)
        var address: UInt32 = 0
        if !bytes.isEmpty {
            address = try allocate(bytes.count)
            do {
                try memory.write(bytes, at: Int(address))
            } catch {
                throw .status(.invalidMemoryAccess)
            }
        }
        try store(address, atPointerIn: pointerIndex)
        try store(UInt32(bytes.count), atPointerIn: pointerIndex + 1)
    }

    /// Calls the guest's allocator. A trap inside it stops the guest (its
    /// heap is broken); a null result becomes `INVALID_MEMORY_ACCESS`.
    private func allocate(_ count: Int) throws(HostCallError) -> UInt32 {
        guard let size = UInt32(exactly: count), let allocator = state.allocator(for: caller) else {
            throw .status(.invalidMemoryAccess)
        }
        let results: [Value]
        do {
            results = try allocator.invoke([.i32(size)])
        } catch {
            throw .trap(error)
        }
        guard case .i32(let address)? = results.first, address != 0 else { throw .status(.invalidMemoryAccess) }
        return address
    }
}
