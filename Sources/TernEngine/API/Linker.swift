import TernFormat

/// Resolves imports by module and name, and instantiates modules.
/// Host functions are defined once and materialized in each store that
/// instantiates a module importing them.
public final class Linker {
    private enum Definition {
        case extern(Extern)
        case host(HostFunction)
    }

    /// Names as UTF-8 bytes: Wasm names that differ in bytes are different
    /// even when Unicode considers them canonically equivalent.
    private struct Key: Hashable {
        var module: [UInt8]
        var name: [UInt8]

        init(module: String, name: String) {
            self.module = Array(module.utf8)
            self.name = Array(name.utf8)
        }
    }

    private var definitions: [Key: Definition] = [:]

    public init() {}

    public func define(module: String, name: String, _ extern: Extern) {
        definitions[Key(module: module, name: name)] = .extern(extern)
    }

    public func define(module: String, name: String, function: HostFunction) {
        definitions[Key(module: module, name: name)] = .host(function)
    }

    /// Defines every export of `instance` under `module` (the spec tests'
    /// `register`).
    public func define(module: String, instance: Instance) {
        for (name, extern) in instance.exports { define(module: module, name: name, extern) }
    }

    /// Whether something is defined for `module`.`name`.
    public func isDefined(module: String, name: String) -> Bool {
        definitions[Key(module: module, name: name)] != nil
    }

    /// Links `module`'s imports and creates an instance in `store`: globals,
    /// tables and memory are created, active segments copied, and the start
    /// function run. A trap during initialization fails instantiation (writes
    /// already made to imported tables or memories stay, as the spec says).
    public func instantiate(_ module: CompiledModule, store: Store) throws(InstantiationError) -> Instance {
        let imports = try module.imports.map { (i: Import) throws(InstantiationError) -> Extern in try resolve(i, store: store, module: module) }
        return try Instantiation(module: module, store: store, imports: imports).run()
    }

    private func resolve(_ i: Import, store: Store, module: CompiledModule) throws(InstantiationError) -> Extern {
        func unlinkable(_ reason: String) -> InstantiationError {
            .unlinkable(module: i.module, name: i.name, reason: reason)
        }
        let extern: Extern
        switch definitions[Key(module: i.module, name: i.name)] {
        case nil:
            throw unlinkable("unknown import")
        case .host(let host)?:
            extern = .function(Function(store: store, host: host))
        case .extern(let e)?:
            guard e.store === store else { throw unlinkable("defined in another store") }
            extern = e
        }
        switch (i.descriptor, extern) {
        case (.function(let typeIndex), .function(let f)):
            let expected = module.module.types[Int(typeIndex)]
            guard f.type == expected else {
                throw unlinkable("incompatible import type: expected function \(expected), got \(f.type)")
            }
        case (.table(let expected), .table(let t)):
            guard t.elementType == expected.elementType, limitsMatch(t.type.limits, expected.limits) else {
                throw unlinkable("incompatible import type: table limits or element type")
            }
        case (.memory(let expected), .memory(let m)):
            guard limitsMatch(m.type.limits, expected.limits) else {
                throw unlinkable("incompatible import type: memory limits")
            }
        case (.global(let expected), .global(let g)):
            guard g.type == expected else {
                throw unlinkable("incompatible import type: expected global \(expected.valueType), got \(g.type.valueType)")
            }
        default:
            throw unlinkable("incompatible import type: expected \(i.descriptor.kind), got \(extern.kind)")
        }
        return extern
    }

    /// Import subtyping of limits: the actual minimum is at least the
    /// expected one, and if a maximum is expected, the actual one exists and
    /// is no larger.
    private func limitsMatch(_ actual: Limits, _ expected: Limits) -> Bool {
        guard actual.min >= expected.min else { return false }
        guard let expectedMax = expected.max else { return true }
        guard let actualMax = actual.max else { return false }
        return actualMax <= expectedMax
    }
}

/// The steps of instantiation, in the spec's order.
private struct Instantiation {
    let module: CompiledModule
    let store: Store
    let imports: [Extern]

    var format: Module { module.module }

    func run() throws(InstantiationError) -> Instance {
        store.retainedModules.append(module)
        let entity = try makeInstanceEntity()
        let instance = Instance(module: module, store: store, entity: entity)
        try initializeSegments(entity)
        if let start = format.start {
            do {
                try store.withSlots(count: 0) { slots throws(Trap) in
                    try TernEngine.invoke(entity.pointee.functions[Int(start)], slots: slots, store: store)
                }
            } catch {
                throw .trap(error)
            }
        }
        return instance
    }

    private func makeInstanceEntity() throws(InstantiationError) -> UnsafeMutablePointer<InstanceEntity> {
        var functions: [UnsafeMutablePointer<FunctionEntity>] = []
        var tables: [UnsafeMutablePointer<TableEntity>] = []
        var memories: [UnsafeMutablePointer<MemoryEntity>] = []
        var globals: [UnsafeMutablePointer<GlobalEntity>] = []
        for extern in imports {
            switch extern {
            case .function(let f): functions.append(f.entity)
            case .table(let t): tables.append(t.entity)
            case .memory(let m): memories.append(m.entity)
            case .global(let g): globals.append(g.entity)
            }
        }
        let arena = store
        // Function entities point at their instance, so the instance's
        // address is taken first and its fields filled in once known.
        let instance = arena.allocations.reserve(InstanceEntity.self)
        let importedFunctionCount = functions.count
        for (definedIndex, typeIndex) in format.functions.enumerated() {
            functions.append(arena.allocations.allocate(FunctionEntity(
                typeID: module.typeIDs[Int(typeIndex)], instance: instance,
                code: module.code.function(definedIndex), hostIndex: -1,
                functionIndex: UInt32(importedFunctionCount + definedIndex))))
        }
        for global in format.globals {
            let value = evaluate(global.initializer, functions: functions, globals: globals)
            globals.append(arena.allocations.allocate(GlobalEntity(value: value, type: global.type)))
        }
        for table in format.tables { tables.append(try store.makeTable(table, initialValue: 0)) }
        for memory in format.memories { memories.append(try store.makeMemory(memory)) }
        let elementSegments = format.elements.map { segment in
            let items = segment.items.map { evaluate($0, functions: functions, globals: globals) }
            return ElementSegmentEntity(items: arena.allocations.allocateArray(items), count: items.count)
        }
        instance.initialize(to: InstanceEntity(
            functions: arena.allocations.allocateArray(functions),
            globals: arena.allocations.allocateArray(globals),
            tables: arena.allocations.allocateArray(tables),
            memory: memories.first,
            typeIDs: arena.allocations.allocateArray(module.typeIDs),
            elementSegments: arena.allocations.allocateArray(elementSegments),
            dataSegments: arena.allocations.allocateArray(module.dataSegments.map {
                DataSegmentEntity(bytes: $0.baseAddress, count: $0.count)
            }),
            module: Unmanaged.passUnretained(module)))
        return instance
    }

    /// Evaluates a constant expression to a slot.
    private func evaluate(_ expression: ConstExpression, functions: [UnsafeMutablePointer<FunctionEntity>],
                          globals: [UnsafeMutablePointer<GlobalEntity>]) -> UInt64 {
        switch expression {
        case .i32(let v): UInt64(UInt32(bitPattern: v))
        case .i64(let v): UInt64(bitPattern: v)
        case .f32(let bits): UInt64(bits)
        case .f64(let bits): bits
        case .refNull: 0
        case .refFunc(let index): UInt64(UInt(bitPattern: functions[Int(index)]))
        case .globalGet(let index): globals[Int(index)].pointee.value
        }
    }

    /// Active element segments, then active data segments, each applied as
    /// `table.init`/`memory.init` followed by a drop; declarative element
    /// segments are dropped.
    private func initializeSegments(_ instance: UnsafeMutablePointer<InstanceEntity>) throws(InstantiationError) {
        let entity = instance.pointee
        let functions = Array(UnsafeBufferPointer(start: entity.functions, count: format.allFunctionTypeIndices.count))
        let globals = Array(UnsafeBufferPointer(start: entity.globals, count: format.allGlobalTypes.count))
        for (index, segment) in format.elements.enumerated() {
            let elements = entity.elementSegments + index
            switch segment.mode {
            case .passive:
                continue
            case .declarative:
                elements.pointee.count = 0
            case .active(let tableIndex, let offsetExpression):
                let table = entity.tables[Int(tableIndex)]
                let offset = Int(UInt32(truncatingIfNeeded: evaluate(offsetExpression, functions: functions, globals: globals)))
                let count = elements.pointee.count
                guard offset <= table.pointee.count, count <= table.pointee.count - offset else {
                    throw .trap(Trap(.tableOutOfBounds))
                }
                if count > 0, let items = elements.pointee.items {
                    (table.pointee.elements + offset).update(from: items, count: count)
                }
                elements.pointee.count = 0
            }
        }
        for (index, segment) in format.data.enumerated() {
            guard case .active(_, let offsetExpression) = segment.mode else { continue }
            let data = entity.dataSegments + index
            let offset = Int(UInt32(truncatingIfNeeded: evaluate(offsetExpression, functions: functions, globals: globals)))
            guard let memory = entity.memory,
                  offset <= memory.pointee.byteCount, data.pointee.count <= memory.pointee.byteCount - offset
            else {
                throw .trap(Trap(.memoryOutOfBounds))
            }
            if let bytes = data.pointee.bytes, data.pointee.count > 0 {
                (memory.pointee.base + offset).copyMemory(from: bytes, byteCount: data.pointee.count)
            }
            data.pointee.count = 0
        }
    }
}
