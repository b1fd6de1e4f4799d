/// A decoded (not yet validated) WebAssembly module: the sections of the
/// binary format, with index spaces as the spec defines them.
public struct Module: Sendable {
    /// Upper bound on the number of declared locals in one function. The spec
    /// only requires the count to fit in u32; like other engines, Tern rejects
    /// more than this many as malformed ("too many locals") so a tiny module
    /// cannot demand gigabytes of frame.
    public static let maxLocalsPerFunction: UInt64 = 50_000

    /// The complete binary, shared by the ranges below.
    public var bytes: [UInt8]
    public var types: [FunctionType] = []
    public var imports: [Import] = []
    /// Type index of each function defined in this module (function section).
    public var functions: [UInt32] = []
    public var tables: [TableType] = []
    public var memories: [MemoryType] = []
    public var globals: [Global] = []
    public var exports: [Export] = []
    public var start: UInt32?
    public var elements: [ElementSegment] = []
    /// The data count section, when present.
    public var dataCount: UInt32?
    /// Bodies of the defined functions, parallel to `functions`.
    public var codes: [FunctionBody] = []
    public var data: [DataSegment] = []
    public var customSections: [CustomSection] = []
    public var names: NameMap = NameMap()

    public init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    // MARK: Index spaces (imports come first)

    public var importedFunctionTypes: [UInt32] {
        imports.compactMap { if case .function(let t) = $0.descriptor { t } else { nil } }
    }
    public var importedTables: [TableType] {
        imports.compactMap { if case .table(let t) = $0.descriptor { t } else { nil } }
    }
    public var importedMemories: [MemoryType] {
        imports.compactMap { if case .memory(let m) = $0.descriptor { m } else { nil } }
    }
    public var importedGlobals: [GlobalType] {
        imports.compactMap { if case .global(let g) = $0.descriptor { g } else { nil } }
    }

    /// Type index of every function in the function index space.
    public var allFunctionTypeIndices: [UInt32] { importedFunctionTypes + functions }
    public var allTables: [TableType] { importedTables + tables }
    public var allMemories: [MemoryType] { importedMemories + memories }
    public var allGlobalTypes: [GlobalType] { importedGlobals + globals.map(\.type) }

    /// The name of function `index` from the name section, if any.
    public func functionName(_ index: UInt32) -> String? { names.functionNames[index] }
}
