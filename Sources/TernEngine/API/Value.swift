import TernFormat

/// A WebAssembly value as the embedder sees it. Numbers are bit patterns
/// (i32/i64 unsigned, floats as IEEE bits) so NaN payloads survive a round
/// trip; use the accessors for signed or floating-point views.
public enum Value: Equatable, Sendable, CustomStringConvertible {
    case i32(UInt32)
    case i64(UInt64)
    case f32(UInt32)
    case f64(UInt64)
    case funcRef(Function?)
    /// An opaque host reference; the payload must be below `UInt64.max`.
    case externRef(UInt64?)

    public init(_ value: Int32) { self = .i32(UInt32(bitPattern: value)) }
    public init(_ value: Int64) { self = .i64(UInt64(bitPattern: value)) }
    public init(_ value: Float) { self = .f32(value.bitPattern) }
    public init(_ value: Double) { self = .f64(value.bitPattern) }

    public var type: ValueType {
        switch self {
        case .i32: .i32
        case .i64: .i64
        case .f32: .f32
        case .f64: .f64
        case .funcRef: .funcref
        case .externRef: .externref
        }
    }

    public var i32: Int32? { if case .i32(let v) = self { Int32(bitPattern: v) } else { nil } }
    public var i64: Int64? { if case .i64(let v) = self { Int64(bitPattern: v) } else { nil } }
    public var f32: Float? { if case .f32(let v) = self { Float(bitPattern: v) } else { nil } }
    public var f64: Double? { if case .f64(let v) = self { Double(bitPattern: v) } else { nil } }

    /// The zero value of `type` (null for references): the initial value of
    /// locals and of grown table slots.
    public static func zero(_ type: ValueType) -> Value {
        switch type {
        case .i32: .i32(0)
        case .i64: .i64(0)
        case .f32: .f32(0)
        case .f64: .f64(0)
        case .funcref, .v128: .funcRef(nil)
        case .externref: .externRef(nil)
        }
    }

    public var description: String {
        switch self {
        case .i32(let v): "i32:\(Int32(bitPattern: v))"
        case .i64(let v): "i64:\(Int64(bitPattern: v))"
        case .f32(let v): "f32:\(Float(bitPattern: v))"
        case .f64(let v): "f64:\(Double(bitPattern: v))"
        case .funcRef(let f): f == nil ? "ref.null func" : "ref.func"
        case .externRef(let e): e.map { "ref.extern \($0)" } ?? "ref.null extern"
        }
    }

    // MARK: Slot encoding (see Entities.swift)

    /// The raw slot; a funcref must belong to `store`.
    func slot() -> UInt64 {
        switch self {
        case .i32(let v): UInt64(v)
        case .i64(let v): v
        case .f32(let v): UInt64(v)
        case .f64(let v): v
        case .funcRef(let f): f.map { UInt64(UInt(bitPattern: $0.entity)) } ?? 0
        case .externRef(let e): e.map { $0 &+ 1 } ?? 0
        }
    }

    init(slot: UInt64, type: ValueType, store: Store) {
        switch type {
        case .i32: self = .i32(UInt32(truncatingIfNeeded: slot))
        case .i64: self = .i64(slot)
        case .f32: self = .f32(UInt32(truncatingIfNeeded: slot))
        case .f64: self = .f64(slot)
        case .funcref, .v128:
            let pointer = UnsafeMutablePointer<FunctionEntity>(bitPattern: UInt(slot))
            self = .funcRef(pointer.map { Function(store: store, entity: $0) })
        case .externref: self = .externRef(slot == 0 ? nil : slot &- 1)
        }
    }
}
