import TernFormat

/// What function bodies may refer to, after module-level validation: the
/// spec's context C, flattened into index spaces (imports first).
struct ModuleContext {
    static let maxMemoryPages: UInt32 = 65536

    let module: Module
    let types: [FunctionType]
    /// Type index of every function in the function index space.
    let functionTypeIndices: [UInt32]
    let importedFunctionCount: Int
    let tables: [TableType]
    let hasMemory: Bool
    let globals: [GlobalType]
    /// Element type of each element segment.
    let elementTypes: [ValueType]
    let dataCount: UInt32?
    /// Functions that `ref.func` may name: those referenced from element
    /// segments, exports or global initializers.
    let declaredFunctions: Set<UInt32>

    init(validating module: Module) throws(CompileError) {
        self.module = module
        types = module.types
        functionTypeIndices = module.allFunctionTypeIndices
        importedFunctionCount = module.importedFunctionTypes.count
        tables = module.allTables
        globals = module.allGlobalTypes
        elementTypes = module.elements.map(\.type)
        dataCount = module.dataCount
        hasMemory = !module.allMemories.isEmpty

        var declared = Set<UInt32>()
        for segment in module.elements {
            for case .refFunc(let index) in segment.items { declared.insert(index) }
        }
        for export in module.exports where export.kind == .function { declared.insert(export.index) }
        for global in module.globals {
            if case .refFunc(let index) = global.initializer { declared.insert(index) }
        }
        declaredFunctions = declared

        try validate()
    }

    private func invalid(_ reason: String) -> CompileError { .invalid(reason: reason, functionIndex: nil) }

    private func validate() throws(CompileError) {
        try rejectSIMD()
        for typeIndex in functionTypeIndices where Int(typeIndex) >= types.count {
            throw invalid("unknown type \(typeIndex)")
        }
        for table in tables {
            try checkLimits(table.limits, bound: nil)
        }
        if module.allMemories.count > 1 { throw invalid("multiple memories") }
        for memory in module.allMemories {
            try checkLimits(memory.limits, bound: ModuleContext.maxMemoryPages)
        }
        // Global initializers see only imported globals (Wasm 2.0).
        let importedGlobals = module.importedGlobals
        for global in module.globals {
            try expectConstant(global.initializer, type: global.type.valueType, globals: importedGlobals)
        }
        for segment in module.elements {
            for item in segment.items {
                try expectConstant(item, type: segment.type, globals: importedGlobals)
            }
            if case .active(let tableIndex, let offset) = segment.mode {
                guard Int(tableIndex) < tables.count else { throw invalid("unknown table \(tableIndex)") }
                guard tables[Int(tableIndex)].elementType == segment.type else { throw invalid("type mismatch") }
                try expectConstant(offset, type: .i32, globals: importedGlobals)
            }
        }
        for segment in module.data {
            if case .active(let memoryIndex, let offset) = segment.mode {
                guard memoryIndex == 0, hasMemory else { throw invalid("unknown memory \(memoryIndex)") }
                try expectConstant(offset, type: .i32, globals: importedGlobals)
            }
        }
        if let start = module.start {
            guard Int(start) < functionTypeIndices.count else { throw invalid("unknown function \(start)") }
            let type = types[Int(functionTypeIndices[Int(start)])]
            guard type.parameters.isEmpty, type.results.isEmpty else { throw invalid("start function") }
        }
        // Names are compared as UTF-8 bytes, not as canonically equivalent Strings.
        var exportNames = Set<[UInt8]>()
        for export in module.exports {
            guard exportNames.insert(Array(export.name.utf8)).inserted else { throw invalid("duplicate export name") }
            let count = switch export.kind {
            case .function: functionTypeIndices.count
            case .table: tables.count
            case .memory: module.allMemories.count
            case .global: globals.count
            }
            guard Int(export.index) < count else { throw invalid("unknown \(export.kind) \(export.index)") }
        }
    }

    private func rejectSIMD() throws(CompileError) {
        let usesV128 = types.contains { $0.parameters.contains(.v128) || $0.results.contains(.v128) }
            || globals.contains { $0.valueType == .v128 }
            || module.codes.contains { $0.localGroups.contains { $0.type == .v128 } }
        if usesV128 { throw .unsupported(feature: "simd") }
    }

    private func checkLimits(_ limits: Limits, bound: UInt32?) throws(CompileError) {
        if let bound, limits.min > bound || (limits.max ?? 0) > bound {
            throw invalid("memory size must be at most 65536 pages (4GiB)")
        }
        if let max = limits.max, limits.min > max {
            throw invalid("size minimum must not be greater than maximum")
        }
    }

    private func expectConstant(_ expression: ConstExpression, type: ValueType,
                                globals: [GlobalType]) throws(CompileError) {
        let actual: ValueType
        switch expression {
        case .i32: actual = .i32
        case .i64: actual = .i64
        case .f32: actual = .f32
        case .f64: actual = .f64
        case .refNull(let referenceType): actual = referenceType
        case .refFunc(let index):
            guard Int(index) < functionTypeIndices.count else { throw invalid("unknown function \(index)") }
            actual = .funcref
        case .globalGet(let index):
            guard Int(index) < globals.count else { throw invalid("unknown global \(index)") }
            guard !globals[Int(index)].isMutable else { throw invalid("constant expression required") }
            actual = globals[Int(index)].valueType
        }
        guard actual == type else { throw invalid("type mismatch") }
    }

    func functionType(_ functionIndex: Int) -> FunctionType {
        types[Int(functionTypeIndices[functionIndex])]
    }
}
