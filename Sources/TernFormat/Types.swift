/// The value types of WebAssembly 2.0, with their binary encodings.
///
/// `v128` is decoded only so that a SIMD module can be rejected with
/// `unsupported feature: simd`; the engine never executes it.
public enum ValueType: UInt8, Sendable, Hashable, CustomStringConvertible {
    case i32 = 0x7F
    case i64 = 0x7E
    case f32 = 0x7D
    case f64 = 0x7C
    case v128 = 0x7B
    case funcref = 0x70
    case externref = 0x6F

    public var isReference: Bool { self == .funcref || self == .externref }

    public var description: String {
        switch self {
        case .i32: "i32"
        case .i64: "i64"
        case .f32: "f32"
        case .f64: "f64"
        case .v128: "v128"
        case .funcref: "funcref"
        case .externref: "externref"
        }
    }
}

/// A function signature: `params -> results`.
public struct FunctionType: Sendable, Hashable, CustomStringConvertible {
    public var parameters: [ValueType]
    public var results: [ValueType]

    public init(parameters: [ValueType], results: [ValueType]) {
        self.parameters = parameters
        self.results = results
    }

    public var description: String {
        "(" + parameters.map(\.description).joined(separator: " ") + ") -> ("
            + results.map(\.description).joined(separator: " ") + ")"
    }
}

/// Size limits of a table (in elements) or a memory (in 64 KiB pages).
public struct Limits: Sendable, Hashable {
    public var min: UInt32
    public var max: UInt32?

    public init(min: UInt32, max: UInt32? = nil) {
        self.min = min
        self.max = max
    }
}

public struct TableType: Sendable, Hashable {
    /// `.funcref` or `.externref`.
    public var elementType: ValueType
    public var limits: Limits

    public init(elementType: ValueType, limits: Limits) {
        self.elementType = elementType
        self.limits = limits
    }
}

public struct MemoryType: Sendable, Hashable {
    public var limits: Limits

    public init(limits: Limits) { self.limits = limits }
}

public struct GlobalType: Sendable, Hashable {
    public var valueType: ValueType
    public var isMutable: Bool

    public init(valueType: ValueType, isMutable: Bool) {
        self.valueType = valueType
        self.isMutable = isMutable
    }
}

/// The four kinds of things a module can import or export.
public enum ExternalKind: UInt8, Sendable, Hashable, CustomStringConvertible {
    case function = 0
    case table = 1
    case memory = 2
    case global = 3

    public var description: String {
        switch self {
        case .function: "func"
        case .table: "table"
        case .memory: "memory"
        case .global: "global"
        }
    }
}

public enum ImportDescriptor: Sendable, Hashable {
    case function(typeIndex: UInt32)
    case table(TableType)
    case memory(MemoryType)
    case global(GlobalType)

    public var kind: ExternalKind {
        switch self {
        case .function: .function
        case .table: .table
        case .memory: .memory
        case .global: .global
        }
    }
}

public struct Import: Sendable, Hashable {
    public var module: String
    public var name: String
    public var descriptor: ImportDescriptor

    public init(module: String, name: String, descriptor: ImportDescriptor) {
        self.module = module
        self.name = name
        self.descriptor = descriptor
    }
}

public struct Export: Sendable, Hashable {
    public var name: String
    public var kind: ExternalKind
    /// Index into the module's index space of `kind` (imports first).
    public var index: UInt32

    public init(name: String, kind: ExternalKind, index: UInt32) {
        self.name = name
        self.kind = kind
        self.index = index
    }
}

/// A constant expression. In WebAssembly 2.0 every constant expression is a
/// single instruction followed by `end`, so it is represented as that one
/// instruction. Float constants are kept as bit patterns so NaN payloads
/// survive.
public enum ConstExpression: Sendable, Hashable {
    case i32(Int32)
    case i64(Int64)
    case f32(bits: UInt32)
    case f64(bits: UInt64)
    case refNull(ValueType)
    case refFunc(functionIndex: UInt32)
    case globalGet(globalIndex: UInt32)
}

public struct Global: Sendable, Hashable {
    public var type: GlobalType
    public var initializer: ConstExpression

    public init(type: GlobalType, initializer: ConstExpression) {
        self.type = type
        self.initializer = initializer
    }
}

public struct ElementSegment: Sendable, Hashable {
    public enum Mode: Sendable, Hashable {
        case passive
        case active(tableIndex: UInt32, offset: ConstExpression)
        case declarative
    }

    /// `.funcref` or `.externref`.
    public var type: ValueType
    /// One constant expression per element; the function-index encodings
    /// are decoded to `.refFunc`.
    public var items: [ConstExpression]
    public var mode: Mode

    public init(type: ValueType, items: [ConstExpression], mode: Mode) {
        self.type = type
        self.items = items
        self.mode = mode
    }
}

public struct DataSegment: Sendable, Hashable {
    public enum Mode: Sendable, Hashable {
        case passive
        case active(memoryIndex: UInt32, offset: ConstExpression)
    }

    public var bytes: [UInt8]
    public var mode: Mode

    public init(bytes: [UInt8], mode: Mode) {
        self.bytes = bytes
        self.mode = mode
    }
}

/// The body of a defined function, as it appears in the code section.
/// The instructions stay in the module's bytes (`codeRange`) and are decoded
/// by the validator/compiler in one pass.
public struct FunctionBody: Sendable, Hashable {
    /// The declared locals (without the parameters), run-length encoded as in
    /// the binary format. Their total has been checked against
    /// `Module.maxLocalsPerFunction` by the decoder.
    public var localGroups: [LocalGroup]

    public struct LocalGroup: Sendable, Hashable {
        public var count: UInt32
        public var type: ValueType
        public init(count: UInt32, type: ValueType) {
            self.count = count
            self.type = type
        }
    }

    /// Byte range of the instruction sequence (up to and including the final
    /// `end`) within `Module.bytes`.
    public var codeRange: Range<Int>

    public init(localGroups: [LocalGroup], codeRange: Range<Int>) {
        self.localGroups = localGroups
        self.codeRange = codeRange
    }
}

public struct CustomSection: Sendable, Hashable {
    public var name: String
    /// Byte range of the section's payload (after the name) in `Module.bytes`.
    public var payloadRange: Range<Int>

    public init(name: String, payloadRange: Range<Int>) {
        self.name = name
        self.payloadRange = payloadRange
    }
}

/// The contents of the `name` custom section that Tern uses (backtraces).
/// A malformed name section is ignored, as the spec allows.
public struct NameMap: Sendable, Hashable {
    public var moduleName: String?
    public var functionNames: [UInt32: String]

    public init(moduleName: String? = nil, functionNames: [UInt32: String] = [:]) {
        self.moduleName = moduleName
        self.functionNames = functionNames
    }
}
