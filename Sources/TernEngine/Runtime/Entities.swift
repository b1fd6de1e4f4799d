import TernFormat

#if canImport(Glibc)
import Glibc
#endif

// Runtime entities live in manually managed memory owned by a `Store`, so the
// interpreter reaches them through plain pointers: no reference counting and
// no dynamic dispatch on the hot path. A pointer to an entity is valid for
// the lifetime of the store that allocated it.
//
// Values are stored as raw 64-bit slots (`UInt64`):
//   i32/f32: zero-extended bit pattern in the low 32 bits
//   i64/f64: bit pattern
//   funcref: address of a `FunctionEntity`, 0 for null
//   externref: embedder payload + 1, 0 for null

/// A function: defined in Wasm (`code != nil`) or provided by the host.
struct FunctionEntity {
    /// Canonical type id (`TypeRegistry`): equal ids mean equal types, across
    /// modules, so `call_indirect` compares one integer.
    var typeID: UInt32
    /// Owning instance of a Wasm function; nil for host functions.
    var instance: UnsafeMutablePointer<InstanceEntity>?
    /// Compiled code of a Wasm function (shared by all instances of the module).
    var code: UnsafeMutablePointer<CompiledFunction>?
    /// Index into `Store.hostFunctions` for host functions.
    var hostIndex: Int
    /// Index in the defining module's function index space (for backtraces).
    var functionIndex: UInt32
}

/// One linear memory. Its whole maximum size is reserved up front (mmap,
/// PROT_NONE) and committed as it grows, so `base` never moves: host code can
/// hold it across calls back into the guest.
struct MemoryEntity {
    static let pageSize = 65536

    var base: UnsafeMutableRawPointer
    /// Current size in bytes (a multiple of the page size).
    var byteCount: Int
    /// Growth ceiling in pages: the smaller of the declared maximum and the
    /// store's memory limit.
    var maxPages: Int
    /// Bytes reserved at `base`.
    var reservedBytes: Int
    /// The maximum from the memory's type (import matching uses it).
    var maxPagesDeclared: UInt32?

    var pageCount: Int { byteCount / MemoryEntity.pageSize }
}

/// One table of references.
struct TableEntity {
    var elements: UnsafeMutablePointer<UInt64>
    var count: Int
    var capacity: Int
    /// Growth ceiling in elements: declared maximum and store limit.
    var maxCount: Int
    var elementType: ValueType
    /// The maximum from the table's type (import matching uses it).
    var maxCountDeclared: UInt32?
}

/// One global variable (imported globals share the exporter's entity).
struct GlobalEntity {
    var value: UInt64
    var type: GlobalType
}

/// An element segment after instantiation: resolved references. `elem.drop`
/// sets `count` to 0.
struct ElementSegmentEntity {
    var items: UnsafeMutablePointer<UInt64>?
    var count: Int
}

/// A data segment after instantiation. `data.drop` sets `count` to 0.
struct DataSegmentEntity {
    var bytes: UnsafePointer<UInt8>?
    var count: Int
}

/// Everything the interpreter needs about one module instance, as flat
/// arrays of entity pointers indexed by the module's index spaces.
struct InstanceEntity {
    var functions: UnsafeMutablePointer<UnsafeMutablePointer<FunctionEntity>>
    var globals: UnsafeMutablePointer<UnsafeMutablePointer<GlobalEntity>>
    var tables: UnsafeMutablePointer<UnsafeMutablePointer<TableEntity>>
    /// Memory 0, or nil when the module has none.
    var memory: UnsafeMutablePointer<MemoryEntity>?
    /// Module type index -> canonical type id.
    var typeIDs: UnsafeMutablePointer<UInt32>
    var elementSegments: UnsafeMutablePointer<ElementSegmentEntity>
    var dataSegments: UnsafeMutablePointer<DataSegmentEntity>
    /// The compiled module (kept alive by the `Instance` object); used for
    /// function names in backtraces.
    var module: Unmanaged<CompiledModule>
}

extension MemoryEntity {
    /// `memory.grow`: adds `delta` pages. Returns the previous size in pages,
    /// or -1 when the ceiling (or the host) refuses; the memory is unchanged then.
    mutating func grow(byPages delta: Int) -> Int {
        let old = pageCount
        guard delta >= 0, delta <= maxPages - old else { return -1 }
        if delta == 0 { return old }
        let newBytes = (old + delta) * MemoryEntity.pageSize
        guard newBytes <= reservedBytes,
              mprotect(base + byteCount, newBytes - byteCount, PROT_READ | PROT_WRITE) == 0
        else { return -1 }
        byteCount = newBytes
        return old
    }
}

extension TableEntity {
    /// `table.grow`: appends `delta` copies of `value`. Returns the previous
    /// size, or -1 when the ceiling refuses.
    mutating func grow(by delta: Int, initialValue value: UInt64) -> Int {
        let old = count
        guard delta >= 0, delta <= maxCount - old else { return -1 }
        if old + delta > capacity {
            let newCapacity = Swift.min(Swift.max(capacity * 2, old + delta, 8), maxCount)
            let newElements = UnsafeMutablePointer<UInt64>.allocate(capacity: newCapacity)
            newElements.update(from: elements, count: old)
            elements.deallocate()
            elements = newElements
            capacity = newCapacity
        }
        (elements + old).initialize(repeating: value, count: delta)
        count = old + delta
        return old
    }
}
