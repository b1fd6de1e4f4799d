import TernFormat

#if canImport(Glibc)
import Glibc
#endif

/// Tables may not grow past this many elements unless the store's limit
/// says otherwise: the spec lets an implementation refuse growth, and an
/// unbounded `table.grow` would let a guest exhaust host memory.
let defaultMaxTableElements = 10_000_000

extension Store {
    func makeHostFunction(_ host: HostFunction) -> UnsafeMutablePointer<FunctionEntity> {
        let hostIndex = hostFunctions.count
        let type = host.type
        hostFunctions.append(HostFunctionRecord(type: type) { caller, slots throws(Trap) in
            let arguments = type.parameters.enumerated().map {
                Value(slot: slots[$0.offset], type: $0.element, store: caller.store)
            }
            let results = try host.body(caller, arguments)
            guard results.count == type.results.count,
                  zip(results, type.results).allSatisfy({ $0.type == $1 })
            else {
                throw Trap(.host("host function returned \(results.map(\.description)) for type \(type)"))
            }
            for (index, result) in results.enumerated() { slots[index] = result.slot() }
        })
        return allocations.allocate(FunctionEntity(
            typeID: TypeRegistry.shared.id(for: type), instance: nil, code: nil,
            hostIndex: hostIndex, functionIndex: 0))
    }

    /// Reserves the memory's whole growth range (never moves) and commits
    /// the initial pages.
    func makeMemory(_ type: MemoryType) throws(InstantiationError) -> UnsafeMutablePointer<MemoryEntity> {
        let pageSize = MemoryEntity.pageSize
        let limitPages = limits.maxMemoryBytes.map { $0 / pageSize } ?? 65536
        let initialPages = Int(type.limits.min)
        guard initialPages <= limitPages else {
            throw .resourceLimit("memory of \(initialPages) pages exceeds the limit of \(limits.maxMemoryBytes ?? 0) bytes")
        }
        let maxPages = min(type.limits.max.map(Int.init) ?? 65536, limitPages)
        let reservedBytes = max(maxPages, 1) * pageSize
        guard let base = mmap(nil, reservedBytes, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0),
              base != MAP_FAILED
        else {
            throw .resourceLimit("cannot reserve \(reservedBytes) bytes of address space for a memory")
        }
        allocations.onRelease { munmap(base, reservedBytes) }
        var entity = MemoryEntity(base: base, byteCount: 0, maxPages: maxPages,
                                  reservedBytes: reservedBytes, maxPagesDeclared: type.limits.max)
        guard entity.grow(byPages: initialPages) >= 0 else {
            throw .resourceLimit("cannot commit \(initialPages) pages of memory")
        }
        return allocations.allocate(entity)
    }

    func makeTable(_ type: TableType, initialValue: UInt64) throws(InstantiationError) -> UnsafeMutablePointer<TableEntity> {
        let limit = limits.maxTableElements ?? defaultMaxTableElements
        let initialCount = Int(type.limits.min)
        guard initialCount <= limit else {
            throw .resourceLimit("table of \(initialCount) elements exceeds the limit of \(limit)")
        }
        let maxCount = min(type.limits.max.map(Int.init) ?? Int(UInt32.max), limit)
        let elements = UnsafeMutablePointer<UInt64>.allocate(capacity: max(initialCount, 1))
        elements.initialize(repeating: initialValue, count: initialCount)
        let table = allocations.allocate(TableEntity(
            elements: elements, count: initialCount, capacity: max(initialCount, 1), maxCount: maxCount,
            elementType: type.elementType, maxCountDeclared: type.limits.max))
        // `grow` may replace the buffer, so free whatever it is at the end.
        allocations.onRelease { table.pointee.elements.deallocate() }
        return table
    }

    /// Scratch slots for passing arguments and results across `invoke`.
    /// Re-entrant: host functions may invoke guest functions again.
    func withSlots<R>(count: Int, _ body: (UnsafeMutablePointer<UInt64>) throws(Trap) -> R) throws(Trap) -> R {
        let slots = UnsafeMutablePointer<UInt64>.allocate(capacity: max(count, 1))
        defer { slots.deallocate() }
        return try body(slots)
    }
}
