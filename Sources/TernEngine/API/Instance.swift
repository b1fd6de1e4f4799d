import TernFormat

/// An instantiated module: its functions, memory, tables and globals live in
/// `store`. Discarding a trapped instance and instantiating the module again
/// is cheap: nothing is re-validated or re-translated.
public final class Instance: @unchecked Sendable {
    public let module: CompiledModule
    public let store: Store
    let entity: UnsafeMutablePointer<InstanceEntity>

    init(module: CompiledModule, store: Store, entity: UnsafeMutablePointer<InstanceEntity>) {
        self.module = module
        self.store = store
        self.entity = entity
    }

    public func export(_ name: String) -> Extern? {
        resolveExport(name, in: entity, module: module.module, store: store)
    }

    public func function(_ name: String) -> Function? {
        if case .function(let f)? = export(name) { f } else { nil }
    }

    public func memory(_ name: String) -> Memory? {
        if case .memory(let m)? = export(name) { m } else { nil }
    }

    public func table(_ name: String) -> Table? {
        if case .table(let t)? = export(name) { t } else { nil }
    }

    public func global(_ name: String) -> Global? {
        if case .global(let g)? = export(name) { g } else { nil }
    }

    /// Every export, in the module's order.
    public var exports: [(name: String, extern: Extern)] {
        module.exports.compactMap { export in
            extern(for: export, in: entity, store: store).map { (name: export.name, extern: $0) }
        }
    }

    /// Memory 0, exported or not (host functions act on it).
    public var defaultMemory: Memory? {
        entity.pointee.memory.map { Memory(store: store, entity: $0) }
    }
}

extension Caller {
    /// The calling instance's memory 0; nil when the caller has none (or the
    /// call came from the embedder rather than from Wasm).
    public var memory: Memory? {
        instanceEntity?.pointee.memory.map { Memory(store: store, entity: $0) }
    }

    /// An export of the calling instance (e.g. its allocator).
    public func export(_ name: String) -> Extern? {
        guard let instance = instanceEntity else { return nil }
        return resolveExport(name, in: instance, module: instance.pointee.module.takeUnretainedValue().module, store: store)
    }
}

func resolveExport(_ name: String, in instance: UnsafeMutablePointer<InstanceEntity>, module: Module, store: Store) -> Extern? {
    // Names are compared as UTF-8 bytes: Swift's `==` on strings applies
    // Unicode canonical equivalence, but Wasm names are distinct byte strings.
    guard let export = module.exports.first(where: { $0.name.utf8.elementsEqual(name.utf8) }) else { return nil }
    return extern(for: export, in: instance, store: store)
}

private func extern(for export: Export, in instance: UnsafeMutablePointer<InstanceEntity>, store: Store) -> Extern? {
    let index = Int(export.index)
    let entity = instance.pointee
    switch export.kind {
    case .function: return .function(Function(store: store, entity: entity.functions[index]))
    case .table: return .table(Table(store: store, entity: entity.tables[index]))
    case .global: return .global(Global(store: store, entity: entity.globals[index]))
    case .memory: return entity.memory.map { .memory(Memory(store: store, entity: $0)) }
    }
}
