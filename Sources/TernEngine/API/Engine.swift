import Synchronization
import TernFormat

/// Compiles modules. An engine is immutable and may be shared by all threads.
public final class Engine: Sendable {
    public let configuration: EngineConfiguration

    public init(configuration: EngineConfiguration = EngineConfiguration()) {
        self.configuration = configuration
    }

    /// Decodes, validates and translates `bytes` into a module ready to be
    /// instantiated any number of times.
    public func compile(_ bytes: [UInt8]) throws(CompileError) -> CompiledModule {
        let module: Module
        do {
            module = try decodeModule(bytes)
        } catch {
            switch error.classification {
            case .malformed: throw .malformed(error)
            case .invalid: throw .invalid(reason: error.reason, functionIndex: nil)
            case .unsupportedFeature: throw .unsupported(feature: error.reason)
            }
        }
        let code = try compileModule(module, configuration: configuration)
        return CompiledModule(module: module, code: code)
    }
}

/// A validated and translated module: immutable, shareable across threads,
/// instantiable many times without re-validation or re-translation.
public final class CompiledModule: @unchecked Sendable {
    public let module: Module
    let code: CompiledCode
    /// Module type index -> canonical type id.
    let typeIDs: [UInt32]
    /// Data segment bytes at stable addresses, shared by all instances.
    let dataSegments: [UnsafeBufferPointer<UInt8>]

    init(module: Module, code: CompiledCode) {
        self.module = module
        self.code = code
        self.typeIDs = module.types.map { TypeRegistry.shared.id(for: $0) }
        self.dataSegments = module.data.map { segment in
            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: segment.bytes.count)
            _ = buffer.initialize(from: segment.bytes)
            return UnsafeBufferPointer(buffer)
        }
    }

    deinit {
        for segment in dataSegments { segment.deallocate() }
    }

    public var imports: [Import] { module.imports }
    public var exports: [Export] { module.exports }

    /// The type of function `index` (function index space, imports first).
    public func functionType(at index: Int) -> FunctionType? {
        let typeIndices = module.allFunctionTypeIndices
        guard index >= 0, index < typeIndices.count else { return nil }
        return module.types[Int(typeIndices[index])]
    }
}

/// Interns function types process-wide so type equality is an integer
/// comparison, across modules and instances.
final class TypeRegistry: Sendable {
    static let shared = TypeRegistry()

    private let ids = Mutex<[FunctionType: UInt32]>([:])
    private let types = Mutex<[FunctionType]>([])

    func id(for type: FunctionType) -> UInt32 {
        ids.withLock { ids in
            if let id = ids[type] { return id }
            let id = types.withLock { types in
                types.append(type)
                return UInt32(types.count - 1)
            }
            ids[type] = id
            return id
        }
    }

    func type(for id: UInt32) -> FunctionType {
        types.withLock { $0[Int(id)] }
    }
}
