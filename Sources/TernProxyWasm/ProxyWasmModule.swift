import TernEngine
import TernFormat
import TernWASI

/// A compiled proxy-wasm function, checked against what Tern provides:
/// every import exists with the right type, the module has a memory and an
/// allocator, and its callbacks have the ABI's signatures. Immutable and
/// shareable: instantiate it any number of times with `ProxyWasmInstance`.
public final class ProxyWasmModule: Sendable {
    public let engine: Engine
    public let compiledModule: CompiledModule
    /// The ABI version the module declares (`proxy_abi_version_*` export);
    /// nil when it declares none.
    public let abiVersion: String?

    /// Compiles and validates `bytes`.
    public convenience init(bytes: [UInt8], engine: Engine) throws(ProxyWasmError) {
        let compiled: CompiledModule
        do {
            compiled = try engine.compile(bytes)
        } catch {
            throw .compile(error)
        }
        try self.init(compiledModule: compiled, engine: engine)
    }

    public init(compiledModule: CompiledModule, engine: Engine) throws(ProxyWasmError) {
        self.engine = engine
        self.compiledModule = compiledModule
        self.abiVersion = try ProxyWasmModule.validate(compiledModule.module)
    }

    /// The ABI versions whose callbacks Tern drives. Layotto's SDKs declare
    /// 0.2.0, whose signatures 0.2.1 kept.
    static let supportedABIVersions = ["proxy_abi_version_0_2_0", "proxy_abi_version_0_2_1"]

    /// Checks `module` and returns its declared ABI version.
    static func validate(_ module: Module) throws(ProxyWasmError) -> String? {
        for entry in module.imports {
            try validateImport(entry, types: module.types)
        }
        guard !module.memories.isEmpty else {
            throw .invalidModule("the module defines no linear memory")
        }
        var exportedTypes: [String: FunctionType] = [:]
        let typeIndices = module.allFunctionTypeIndices
        for export in module.exports where export.kind == .function {
            let index = Int(export.index)
            guard index < typeIndices.count, Int(typeIndices[index]) < module.types.count else { continue }
            exportedTypes[export.name] = module.types[Int(typeIndices[index])]
        }
        for callback in GuestExport.allCases {
            guard let type = exportedTypes[callback.rawValue] else { continue }
            guard callback.acceptedTypes.contains(type) else {
                let expected = callback.acceptedTypes.map(\.description).joined(separator: " or ")
                throw .invalidModule("export \(callback.rawValue) has type \(type), expected \(expected)")
            }
        }
        guard GuestExport.allocators.contains(where: { exportedTypes[$0.rawValue] != nil }) else {
            throw .invalidModule("missing export malloc or proxy_on_memory_allocate of type (i32) -> (i32): "
                                 + "the host allocates guest memory with it")
        }
        let declared = exportedTypes.keys.filter { $0.hasPrefix("proxy_abi_version_") }.sorted()
        if let supported = declared.last(where: supportedABIVersions.contains) { return supported }
        if let unsupported = declared.first {
            throw .invalidModule("\(unsupported) is not supported: Tern implements proxy-wasm ABI v0.2.1 "
                                 + "(and v0.2.0)")
        }
        return nil
    }

    /// Tern provides functions only: `env` functions from the host-function
    /// table (exact types), and any `wasi_snapshot_preview1` function
    /// (TernWASI implements preview1 and answers `ENOSYS` for the rest).
    private static func validateImport(_ entry: Import, types: [FunctionType]) throws(ProxyWasmError) {
        func unlinkable(_ reason: String) -> ProxyWasmError {
            .instantiation(.unlinkable(module: entry.module, name: entry.name, reason: reason))
        }
        guard case .function(let typeIndex) = entry.descriptor, Int(typeIndex) < types.count else {
            throw unlinkable("unknown import")
        }
        switch entry.module {
        case WASI.moduleName:
            return
        case HostImports.moduleName:
            guard let provided = HostImports.types[entry.name] else { throw unlinkable("unknown import") }
            let expected = types[Int(typeIndex)]
            guard provided == expected else {
                throw unlinkable("incompatible import type: expected function \(expected), got \(provided)")
            }
        default:
            throw unlinkable("unknown import")
        }
    }
}

/// The exports Tern calls, with the signatures it calls them with.
enum GuestExport: String, CaseIterable {
    case start = "_start"
    case initialize = "_initialize"
    case main
    case getID = "proxy_get_id"
    case malloc
    case memoryAllocate = "proxy_on_memory_allocate"
    case contextCreate = "proxy_on_context_create"
    case vmStart = "proxy_on_vm_start"
    case configure = "proxy_on_configure"
    case requestHeaders = "proxy_on_request_headers"
    case requestBody = "proxy_on_request_body"
    case requestTrailers = "proxy_on_request_trailers"
    case httpCallResponse = "proxy_on_http_call_response"
    case queueReady = "proxy_on_queue_ready"
    case tick = "proxy_on_tick"
    case done = "proxy_on_done"
    case log = "proxy_on_log"
    case delete = "proxy_on_delete"

    /// Allocators in the order the host looks for them: `malloc` first,
    /// because TinyGo's `malloc` keeps what it returns alive for the
    /// garbage collector while the Go SDK's `proxy_on_memory_allocate`
    /// does not (the spec prefers the latter; both work for C and Rust).
    static let allocators: [GuestExport] = [.malloc, .memoryAllocate]

    var acceptedTypes: [FunctionType] {
        let i32 = ValueType.i32
        func type(_ parameterCount: Int, returnsI32: Bool) -> FunctionType {
            FunctionType(parameters: Array(repeating: i32, count: parameterCount), results: returnsI32 ? [i32] : [])
        }
        switch self {
        case .start, .initialize: return [type(0, returnsI32: false)]
        case .main: return [type(2, returnsI32: true)]
        // Layotto's SDKs return nothing; a status result is accepted too.
        case .getID: return [type(0, returnsI32: false), type(0, returnsI32: true)]
        case .malloc, .memoryAllocate: return [type(1, returnsI32: true)]
        case .contextCreate, .queueReady: return [type(2, returnsI32: false)]
        case .vmStart, .configure, .requestTrailers: return [type(2, returnsI32: true)]
        case .requestHeaders, .requestBody: return [type(3, returnsI32: true)]
        case .httpCallResponse: return [type(5, returnsI32: false)]
        case .tick, .log, .delete: return [type(1, returnsI32: false)]
        case .done: return [type(1, returnsI32: true)]
        }
    }
}
