import TernFormat

/// A function provided by the embedder, with its declared Wasm type.
/// Arguments arrive typed as declared; the body must return values of the
/// declared result types (checked), or throw a `Trap` to stop the guest.
public struct HostFunction {
    public var type: FunctionType
    public var body: (Caller, [Value]) throws(Trap) -> [Value]

    public init(type: FunctionType, body: @escaping (Caller, [Value]) throws(Trap) -> [Value]) {
        self.type = type
        self.body = body
    }
}

/// A function in a store: exported by an instance or created from a host
/// function. Valid while its store is alive (it keeps the store alive).
public struct Function: Equatable, @unchecked Sendable {
    public let store: Store
    let entity: UnsafeMutablePointer<FunctionEntity>

    init(store: Store, entity: UnsafeMutablePointer<FunctionEntity>) {
        self.store = store
        self.entity = entity
    }

    /// Creates a function in `store` that calls `host`.
    public init(store: Store, host: HostFunction) {
        self.init(store: store, entity: store.makeHostFunction(host))
    }

    public static func == (lhs: Function, rhs: Function) -> Bool { lhs.entity == rhs.entity }

    public var type: FunctionType { TypeRegistry.shared.type(for: entity.pointee.typeID) }

    /// Calls the function. Arguments must match the parameter types.
    public func invoke(_ arguments: [Value]) throws(Trap) -> [Value] {
        let type = self.type
        guard arguments.count == type.parameters.count,
              zip(arguments, type.parameters).allSatisfy({ $0.type == $1 })
        else {
            throw Trap(.host("argument mismatch: expected \(type), got (\(arguments.map(\.description).joined(separator: " ")))"))
        }
        return try store.withSlots(count: max(arguments.count, type.results.count)) { slots throws(Trap) in
            for (index, argument) in arguments.enumerated() { slots[index] = argument.slot() }
            try TernEngine.invoke(entity, slots: slots, store: store)
            return type.results.enumerated().map { Value(slot: slots[$0.offset], type: $0.element, store: store) }
        }
    }
}

/// A linear memory. All accessors are bounds-checked and trap with
/// `out of bounds memory access` rather than touch anything outside.
public struct Memory: @unchecked Sendable {
    public let store: Store
    let entity: UnsafeMutablePointer<MemoryEntity>

    init(store: Store, entity: UnsafeMutablePointer<MemoryEntity>) {
        self.store = store
        self.entity = entity
    }

    /// Creates a standalone memory (e.g. to be imported), honouring the
    /// store's memory limit.
    public init(store: Store, type: MemoryType) throws(InstantiationError) {
        self.init(store: store, entity: try store.makeMemory(type))
    }

    public var type: MemoryType {
        MemoryType(limits: Limits(min: UInt32(pageCount), max: entity.pointee.maxPagesDeclared))
    }
    public var byteCount: Int { entity.pointee.byteCount }
    public var pageCount: Int { entity.pointee.pageCount }

    /// Grows by `pages`; returns the previous page count, nil if refused.
    @discardableResult
    public func grow(byPages pages: Int) -> Int? {
        let old = entity.pointee.grow(byPages: pages)
        return old < 0 ? nil : old
    }

    func checkedRange(at offset: Int, count: Int) throws(Trap) -> Range<Int> {
        guard offset >= 0, count >= 0, count <= byteCount, offset <= byteCount - count else {
            throw Trap(.memoryOutOfBounds)
        }
        return offset..<offset + count
    }

    public func read(at offset: Int, count: Int) throws(Trap) -> [UInt8] {
        let range = try checkedRange(at: offset, count: count)
        return Array(UnsafeRawBufferPointer(start: entity.pointee.base + range.lowerBound, count: count))
    }

    public func write(_ bytes: some Collection<UInt8>, at offset: Int) throws(Trap) {
        let range = try checkedRange(at: offset, count: bytes.count)
        let target = UnsafeMutableRawBufferPointer(start: entity.pointee.base + range.lowerBound, count: range.count)
        target.copyBytes(from: bytes)
    }

    public func loadUInt32(at offset: Int) throws(Trap) -> UInt32 { try loadLittleEndian(at: offset) }
    public func storeUInt32(_ value: UInt32, at offset: Int) throws(Trap) { try storeLittleEndian(value, at: offset) }
    public func loadUInt64(at offset: Int) throws(Trap) -> UInt64 { try loadLittleEndian(at: offset) }
    public func storeUInt64(_ value: UInt64, at offset: Int) throws(Trap) { try storeLittleEndian(value, at: offset) }

    /// Wasm memory is little-endian whatever the host's byte order.
    private func loadLittleEndian<T: FixedWidthInteger>(at offset: Int) throws(Trap) -> T {
        let range = try checkedRange(at: offset, count: MemoryLayout<T>.size)
        return T(littleEndian: entity.pointee.base.loadUnaligned(fromByteOffset: range.lowerBound, as: T.self))
    }

    private func storeLittleEndian<T: FixedWidthInteger>(_ value: T, at offset: Int) throws(Trap) {
        let range = try checkedRange(at: offset, count: MemoryLayout<T>.size)
        entity.pointee.base.storeBytes(of: value.littleEndian, toByteOffset: range.lowerBound, as: T.self)
    }

    /// Direct access to `count` bytes at `offset`, bounds-checked once. The
    /// buffer must not escape `body`: the guest may change it afterwards.
    public func withUnsafeMutableBytes<R>(at offset: Int, count: Int, _ body: (UnsafeMutableRawBufferPointer) throws -> R) throws -> R {
        let range = try checkedRange(at: offset, count: count)
        return try body(UnsafeMutableRawBufferPointer(start: entity.pointee.base + range.lowerBound, count: count))
    }
}

/// A table of references.
public struct Table: @unchecked Sendable {
    public let store: Store
    let entity: UnsafeMutablePointer<TableEntity>

    init(store: Store, entity: UnsafeMutablePointer<TableEntity>) {
        self.store = store
        self.entity = entity
    }

    public init(store: Store, type: TableType, initialValue: Value) throws(InstantiationError) {
        self.init(store: store, entity: try store.makeTable(type, initialValue: initialValue.slot()))
    }

    public var elementType: ValueType { entity.pointee.elementType }
    public var count: Int { entity.pointee.count }
    public var type: TableType {
        TableType(elementType: elementType, limits: Limits(min: UInt32(count), max: entity.pointee.maxCountDeclared))
    }

    public func get(_ index: Int) throws(Trap) -> Value {
        guard index >= 0, index < count else { throw Trap(.tableOutOfBounds) }
        return Value(slot: entity.pointee.elements[index], type: elementType, store: store)
    }

    public func set(_ index: Int, _ value: Value) throws(Trap) {
        guard index >= 0, index < count else { throw Trap(.tableOutOfBounds) }
        guard value.type == elementType else { throw Trap(.host("table element type mismatch")) }
        entity.pointee.elements[index] = value.slot()
    }

    @discardableResult
    public func grow(by delta: Int, initialValue: Value) -> Int? {
        let old = entity.pointee.grow(by: delta, initialValue: initialValue.slot())
        return old < 0 ? nil : old
    }
}

/// A global variable.
public struct Global: @unchecked Sendable {
    public let store: Store
    let entity: UnsafeMutablePointer<GlobalEntity>

    init(store: Store, entity: UnsafeMutablePointer<GlobalEntity>) {
        self.store = store
        self.entity = entity
    }

    public init(store: Store, type: GlobalType, value: Value) {
        self.init(store: store, entity: store.allocations.allocate(GlobalEntity(value: value.slot(), type: type)))
    }

    public var type: GlobalType { entity.pointee.type }
    public var value: Value { Value(slot: entity.pointee.value, type: type.valueType, store: store) }

    public func set(_ value: Value) throws(Trap) {
        guard type.isMutable else { throw Trap(.host("global is immutable")) }
        guard value.type == type.valueType else { throw Trap(.host("global type mismatch")) }
        entity.pointee.value = value.slot()
    }
}

/// Anything an instance can import or export.
public enum Extern {
    case function(Function)
    case table(Table)
    case memory(Memory)
    case global(Global)

    public var kind: ExternalKind {
        switch self {
        case .function: .function
        case .table: .table
        case .memory: .memory
        case .global: .global
        }
    }

    var store: Store {
        switch self {
        case .function(let f): f.store
        case .table(let t): t.store
        case .memory(let m): m.store
        case .global(let g): g.store
        }
    }
}
